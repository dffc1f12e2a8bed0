import type * as tf from '@tensorflow/tfjs';
import { flattenLayers } from '../architectures/layers/flattenLayers.js';

/** A layer whose random stream can be restarted from a seed (dropout, drop-connect, augmentation). */
export interface Reseedable {
  reseed(seed: number): void;
}

function isReseedable(layer: unknown): layer is Reseedable {
  return typeof (layer as Partial<Reseedable>).reseed === 'function';
}


/**
 * Restarts the random stream of every {@link Reseedable} layer from `seed` (each layer gets its
 * own stream, keyed by its position). Training calls it at the start of every epoch with a seed
 * derived from the run's seed and the epoch, so a run resumed from a checkpoint draws the same
 * dropout masks and augmentations as an uninterrupted one.
 *
 * @returns the number of layers reseeded.
 */
export function reseedModel(model: tf.LayersModel, seed: number): number {
  let count = 0;
  flattenLayers(model).forEach((layer, i) => {
    if (isReseedable(layer)) {
      layer.reseed((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
      count += 1;
    }
  });
  return count;
}
