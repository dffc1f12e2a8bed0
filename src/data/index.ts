/**
 * Galaxy data: catalogues and their validation, reproducible splits, Zoobot-compatible
 * TFRecord shards, and the synthetic galaxies with simulated volunteers. Browser-safe; file
 * access lives in `zoobot-ts/node`.
 *
 * @module data
 */
export * from './tfrecord/index.js';
export * from './catalog/index.js';
export { splitCatalog, type SplitOptions } from './split.js';
export * from './synthetic/index.js';
