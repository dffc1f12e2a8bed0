/**
 * @module data
 */
export {};
