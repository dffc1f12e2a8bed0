/**
 * Beta-binomial negative log-likelihood: the two-answer Dirichlet-multinomial, i.e. a binomial
 * vote with a Beta(a, b) prior on the fraction.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { dirichletMultinomialNLL } from './dirichletMultinomial.js';
import { broadcastShape, type ValidateOption } from './validation.js';

/**
 * Beta-binomial NLL of k "yes" votes out of n, including the binomial coefficient.
 *
 * @param k - "yes" votes, any shape (rounded to whole votes).
 * @param n - total votes, broadcastable with `k` (rounded; must be >= k).
 * @param a - Beta concentration of "yes" (> 0), broadcastable with `k`.
 * @param b - Beta concentration of "no" (> 0), broadcastable with `k`.
 * @param options - `validate: true` throws {@link ConfigError} for non-positive a, b or negative votes.
 * @returns NLL with the broadcast shape; 0 where n = 0. Differentiable in `a` and `b`.
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * betaBinomialNLL(tf.scalar(3), tf.scalar(10), tf.scalar(2), tf.scalar(5));
 * ```
 */
export function betaBinomialNLL(
  k: tf.Tensor,
  n: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  options: ValidateOption = {},
): tf.Tensor {
  const shape = broadcastShape([k, n, a, b], 'betaBinomialNLL');
  return tf.tidy(() => {
    const [kb, nb, ab, bb] = [k, n, a, b].map((t) => tf.broadcastTo(tf.cast(t, 'float32'), shape)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    return dirichletMultinomialNLL(tf.stack([kb, tf.sub(nb, kb)], -1), tf.stack([ab, bb], -1), options);
  });
}
