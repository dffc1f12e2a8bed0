/**
 * The binomial vote loss of Walmsley et al. 2020 (W+20) for a yes/no question.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { broadcastShape } from './validation.js';

/** W+20's guard against ln 0 when the predicted fraction reaches 0 or 1. */
const EPSILON = 1e-8;

/**
 * W+20's binomial NLL `-[k ln(ρ + 1e-8) + (n - k) ln(1 - ρ + 1e-8)]`, without the binomial
 * coefficient (it does not depend on ρ), exactly as in the paper.
 *
 * @param k - "yes" votes, any shape.
 * @param n - total votes, broadcastable with `k`.
 * @param rho - predicted "yes" fraction in [0, 1], broadcastable with `k`.
 * @returns the loss with the broadcast shape; differentiable in `rho` by ordinary autodiff.
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * binomialNLL(tf.tensor1d([3]), tf.tensor1d([10]), tf.tensor1d([0.3]));
 * ```
 */
export function binomialNLL(k: tf.Tensor, n: tf.Tensor, rho: tf.Tensor): tf.Tensor {
  broadcastShape([k, n, rho], 'binomialNLL');
  return tf.tidy(() => {
    const kf = tf.cast(k, 'float32');
    const yes = tf.mul(kf, tf.log(tf.add(rho, EPSILON)));
    const no = tf.mul(tf.sub(tf.cast(n, 'float32'), kf), tf.log(tf.add(tf.sub(1, rho), EPSILON)));
    return tf.neg(tf.add(yes, no));
  });
}
