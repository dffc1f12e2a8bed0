/**
 * "Precise" batch-normalisation statistics: after (or during) training, replace every batch-norm
 * layer's exponential moving mean and variance by their plain average over a pass of
 * training-mode batches, so that inference mode sees the statistics of the weights it runs with.
 *
 * Why: the moving averages trail the weights. In short runs at a high learning rate they can be
 * far from the current network's statistics, and inference-mode predictions then swing from
 * epoch to epoch (measured on the demo: confident smooth/featured accuracy 0.81 -> 0.42 -> 0.77
 * in three consecutive epochs while the training loss fell smoothly; with batch statistics the
 * same epochs gave 0.78 -> 0.79 -> 0.79).
 *
 * @module training/batchNormStatistics
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { flattenLayers } from '../architectures/layers/flattenLayers.js';
import type { BatchSource } from './batches.js';

/** The parts of tfjs's BatchNormalization layer this module relies on. */
interface MomentumLayer { momentum: number }

function batchNormLayers(model: tf.LayersModel): Array<tf.layers.Layer & MomentumLayer> {
  return flattenLayers(model).filter((l) => l.getClassName() === 'BatchNormalization') as Array<tf.layers.Layer & MomentumLayer>;
}

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateOptions {
  /** Batches to average over (fewer if the source ends first). @defaultValue 16 */
  readonly batches?: number;
  /** Epoch passed to `source.batches` (its shuffle order). @defaultValue 0 */
  readonly epoch?: number;
}

/**
 * Re-estimates the moving mean and variance of every batch-norm layer of `model` (nested models
 * included) as the equal-weight average of the batch statistics of up to `batches` training-mode
 * forward passes over `source`. Trainable weights are untouched. Implemented through the layers'
 * own moving-average update with momentum `(k-1)/k` at the k-th batch, which makes the moving
 * average a cumulative average; the layers' momenta are restored afterwards.
 *
 * @param model - Any tfjs layers model; a model without batch norm is left as it is.
 * @param source - Training-like batches (labels are ignored).
 * @param options - See {@link RecalibrateOptions}.
 * @returns The number of batches averaged.
 * @throws {@link ConfigError} for a `batches` that is not a positive integer.
 */
export async function recalibrateBatchNorm(model: tf.LayersModel, source: BatchSource, options: RecalibrateOptions = {}): Promise<number> {
  const { batches = 16, epoch = 0 } = options;
  if (!Number.isInteger(batches) || batches < 1) throw new ConfigError(`recalibrateBatchNorm: batches must be a positive integer, got ${batches}`);
  const layers = batchNormLayers(model);
  if (layers.length === 0) return 0;
  const momenta = layers.map((l) => l.momentum);
  let seen = 0;
  try {
    for await (const batch of source.batches(epoch)) {
      seen += 1;
      for (const layer of layers) layer.momentum = (seen - 1) / seen;
      tf.tidy(() => { model.apply(batch.images, { training: true }); });
      tf.dispose([batch.images, batch.labels]);
      if (seen >= batches) break;
    }
  } finally {
    layers.forEach((l, i) => { l.momentum = momenta[i] as number; });
  }
  return seen;
}
