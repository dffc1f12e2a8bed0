/**
 * zoobot-ts: Bayesian deep learning on Galaxy Zoo morphology with TensorFlow.js.
 *
 * The root entry re-exports every browser-safe module; each is also its own subpath
 * (`zoobot-ts/decisionTree`, `zoobot-ts/losses`, ...). Node-only helpers live in
 * `zoobot-ts/node`. The host application registers a tfjs backend; zoobot-ts never imports one.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './decisionTree/index.js';
export * from './losses/index.js';
export * from './architectures/index.js';
export * from './data/index.js';
export * from './metrics/index.js';
export * from './training/index.js';
export * from './pretrained/index.js';
export * from './backend/index.js';
