/**
 * @module wasm
 */
export {};
