/**
 * @module node
 */
export {};
