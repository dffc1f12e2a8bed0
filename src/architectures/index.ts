/**
 * @module architectures
 */
export {};
