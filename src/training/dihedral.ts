/**
 * Random flips and quarter turns: the eight symmetries of a square image. A galaxy's votes do
 * not depend on its orientation on the sky, so these are exact label-preserving augmentations,
 * and unlike arbitrary rotations they need no interpolation (no blurring, no corners to fill).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../data/synthetic/random.js';
import { applyDihedral } from '../architectures/dihedral.js';
import type { AugmentImages } from './batches.js';

/** Options of {@link randomDihedral}. */
export interface RandomDihedralOptions {
  /** Seed; with the epoch and batch index it fixes every image's symmetry, so resumed runs repeat exactly. @defaultValue 0 */
  readonly seed?: number;
}

/** `[n, 1, 1, 1]` of 0/1: which images of the batch take one elementary symmetry. */
function coinFlips(n: number, rng: Rng): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : 0)), [n, 1, 1, 1]);
}

/** `mask ? a : b` per image, by arithmetic (broadcasts on every backend). */
function choose(mask: tf.Tensor4D, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b));
}

/**
 * An {@link AugmentImages} hook that gives every image of a batch an independent, uniformly
 * chosen element of the dihedral group D4: a left-right flip, an up-down flip and a transpose,
 * each with probability 1/2 (their compositions are the four rotations by multiples of 90
 * degrees and the four reflections). Non-square images get flips only.
 *
 * @param options - the seed.
 * @returns the hook, for `inMemoryBatchSource({ augment })` or `shardBatchSource({ augment })`.
 * @example
 * ```ts
 * const source = inMemoryBatchSource({ images, imageShape: [48, 48, 1], labels, augment: randomDihedral({ seed: 1 }) });
 * ```
 */
export function randomDihedral(options: RandomDihedralOptions = {}): AugmentImages {
  const { seed = 0 } = options;
  return (images, { epoch, batch }) => {
    const rng = createRng(seed, epoch, batch);
    const [n, height, width] = images.shape;
    // The three generators of D4, in applyDihedral's bit order: flip left-right, flip up-down, transpose.
    const generators = height === width ? [1, 2, 4] : [1, 2];
    return generators.reduce((out, k) => choose(coinFlips(n, rng), applyDihedral(out, k), out), images);
  };
}
