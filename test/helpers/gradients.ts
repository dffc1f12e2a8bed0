// The output of an op and its gradients under a non-uniform upstream gradient, as plain arrays: the
// fused-op tests compare these between an op and its reference composition.
import * as tf from '@tensorflow/tfjs';
import { seededValues } from '../wasm/helpers.js';

/**
 * f(...inputs), then the gradient of sum(f(...inputs) * w) for each input, with w seeded random
 * (so a wrong mask or sum cannot hide behind symmetry). Disposes everything it makes.
 */
export async function valueAndWeightedGrads(f: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 9): Promise<Float32Array[]> {
  const y = f(...inputs);
  const weights = tf.tensor(seededValues(seed, y.size), y.shape);
  const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), weights)))(inputs);
  const out = [await y.data(), ...(await Promise.all(grads.map((g) => g.data())))] as Float32Array[];
  tf.dispose([y, weights, ...grads]);
  return out;
}
