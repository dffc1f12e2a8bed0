/**
 * @module losses
 */
export {};
