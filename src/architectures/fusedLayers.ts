/**
 * One call for every layer fusion zoobot-ts has: ReLU convolutions ({@link fuseReluConvolutions}),
 * swish activations ({@link fuseSwishActivations}) and training-mode batch normalisation
 * ({@link fuseBatchNorms}). Each patches layers in place, computes what the layer computed, and
 * leaves the saved model as it was.
 *
 * @module architectures/fusedLayers
 */
import type * as tf from '@tensorflow/tfjs';
import { fuseBatchNorms } from './fusedBatchNorm.js';
import { fuseReluConvolutions } from './fusedReluConv.js';
import { fuseSwishActivations } from './fusedSwish.js';

/** How many layers of each kind {@link fuseLayers} left running fused. */
export interface FusedLayerCounts {
  readonly reluConvolutions: number;
  readonly swishActivations: number;
  readonly batchNorms: number;
}

/**
 * Applies every fusion to `model` (idempotent). `zoobotModel()`, `loadZoobotModel()` and `train()`
 * call it; call it yourself for a model you build or load another way.
 *
 * @param model - Any layers model.
 * @returns How many layers of each kind run fused.
 */
export function fuseLayers(model: tf.LayersModel): FusedLayerCounts {
  // Swish first: a batch norm applies the swish after it only if that layer passes its output on.
  const swishActivations = fuseSwishActivations(model);
  return { reluConvolutions: fuseReluConvolutions(model), swishActivations, batchNorms: fuseBatchNorms(model) };
}
