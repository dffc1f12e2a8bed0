/**
 * zoobot-ts: Bayesian deep learning on Galaxy Zoo morphology with TensorFlow.js.
 *
 * The host application registers a tfjs backend; zoobot-ts never imports one.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './decisionTree/index.js';
