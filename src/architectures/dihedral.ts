/**
 * The eight symmetries of a square image (the dihedral group D4), for test-time augmentation.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';

/** Number of elements of D4: four rotations by quarter turns and four reflections. */
export const DIHEDRAL_ORDER = 8;

/**
 * Applies element `k` of D4 to every image of a batch: bit 0 flips left-right, bit 1 flips
 * up-down, bit 2 transposes (so `k = 0` is the identity and `k` runs over all eight symmetries
 * for 0..7).
 *
 * @param images - `[batch, height, width, channels]`; square when `k` transposes.
 * @param k - an integer in [0, 8).
 * @returns the transformed batch (the input itself for `k = 0`).
 * @throws {@link ConfigError} for `k` outside [0, 8) or a transpose of non-square images.
 */
export function applyDihedral(images: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!Number.isInteger(k) || k < 0 || k >= DIHEDRAL_ORDER) throw new ConfigError(`applyDihedral: k must be an integer in [0, 8), got ${k}`);
  const [, height, width] = images.shape;
  if ((k & 4) !== 0 && height !== width) {
    throw new ConfigError(`applyDihedral: element ${k} transposes, which needs square images, got ${height}x${width}`);
  }
  return tf.tidy(() => {
    let out = images;
    if ((k & 1) !== 0) out = tf.reverse(out, 2);
    if ((k & 2) !== 0) out = tf.reverse(out, 1);
    if ((k & 4) !== 0) out = tf.transpose(out, [0, 2, 1, 3]);
    return out;
  });
}
