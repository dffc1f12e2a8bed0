import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.js';

/** A batch's loss and the gradient of it with respect to each variable, by variable name. */
export interface BatchGradients {
  /** The loss of the whole batch (the size-weighted mean of the micro-batches' losses). */
  readonly value: tf.Scalar;
  /** Gradients keyed by variable name, as `optimizer.applyGradients` takes them. */
  readonly grads: tf.NamedTensorMap;
}

/**
 * The gradient of a mean-over-examples loss on a batch, computed over micro-batches of at most
 * `microBatch` examples and accumulated, so that only one micro-batch's activations and gradient
 * tape are alive at a time. With `k` examples in a micro-batch of a batch of `n`, its gradient is
 * weighted by `k / n`, which makes the sum equal to the full batch's gradient (within float32
 * rounding) for any loss that is a mean of per-example terms: the loss must not couple examples.
 * Batch normalisation in training mode does couple them: each micro-batch is normalised with its own
 * statistics (and the moving averages are updated once per micro-batch), so a model with batch-norm
 * layers gets a different, though valid, gradient than one full-batch step would give.
 *
 * @param loss - The mean loss of a batch `(x, y)`; called once per micro-batch inside a gradient tape.
 * @param x - Inputs, examples along axis 0.
 * @param y - Targets, examples along axis 0.
 * @param microBatch - Largest micro-batch; a last, smaller one takes the remainder.
 * @param variables - The variables to differentiate with respect to (e.g. a model's trainable weights).
 * @returns The batch loss and gradients, owned by the caller.
 * @throws ConfigError for a `microBatch` that is not a positive integer; ShapeError when x and y
 *   disagree in their number of examples.
 * @example
 * ```ts
 * const { value, grads } = microBatchGradients((xs, ys) => tf.mean(loss(ys, model.apply(xs, { training: true }))), x, y, 8, vars);
 * optimizer.applyGradients(grads);
 * tf.dispose([value, ...Object.values(grads)]);
 * ```
 */
export function microBatchGradients(
  loss: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  y: tf.Tensor,
  microBatch: number,
  variables: tf.Variable[],
): BatchGradients {
  if (!Number.isInteger(microBatch) || microBatch < 1) {
    throw new ConfigError(`microBatchGradients: microBatch must be a positive integer, got ${microBatch}`);
  }
  const n = x.shape[0] ?? 0;
  if (y.shape[0] !== n || n === 0) {
    throw new ShapeError(`microBatchGradients: x has ${n} examples and y ${String(y.shape[0])}. Should be the same, at least 1`);
  }
  let value: tf.Scalar = tf.scalar(0);
  let grads: tf.NamedTensorMap = {};
  for (let start = 0; start < n; start += microBatch) {
    const size = Math.min(microBatch, n - start);
    const weight = size / n;
    const part = tf.tidy(() => {
      const xs = tf.slice(x, start, size);
      const ys = tf.slice(y, start, size);
      return tf.variableGrads(() => loss(xs, ys), variables);
    });
    const next = tf.tidy(() => ({
      value: tf.add(value, tf.mul(part.value, weight)) as tf.Scalar,
      grads: Object.fromEntries(Object.entries(part.grads).map(([name, g]) => {
        const scaled = tf.mul(g, weight);
        const previous = grads[name];
        return [name, previous === undefined ? scaled : tf.add(previous, scaled)];
      })),
    }));
    tf.dispose([value, ...Object.values(grads), part.value, ...Object.values(part.grads)]);
    ({ value, grads } = next);
  }
  return { value, grads };
}
