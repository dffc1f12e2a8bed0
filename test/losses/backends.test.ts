// The same inputs on cpu and wasm must give the same numbers (1e-5 relative), since the ops
// are composed only from kernels both backends have.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { digamma, lgamma, lgammaDiff, treeLoss } from '../../src/losses/index.js';
import { logUniformArb } from '../arbitraries/losses.js';
import { useBackend } from '../helpers/backends.js';
import { maxRelativeError } from './reference64.js';

const loss = treeLoss(decalsDr5Schema);
const width = decalsDr5Schema.answerCount;

/** Everything worth comparing, as plain arrays, on the current backend. */
function outputs(xs: number[], counts: number[][], alphas: number[][]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const c = tf.tensor2d(counts);
    const a = tf.tensor2d(alphas);
    return [
      lgamma(x), digamma(x), lgammaDiff(x, tf.scalar(7)),
      loss.perQuestion(c, a), tf.grad((t: tf.Tensor) => loss(c, t))(a),
    ].map((t) => t.dataSync() as Float32Array);
  });
}

afterAll(async () => useBackend('cpu'));

it('should give the same results on cpu and wasm', async () => {
  const arb = fc.record({
    xs: fc.array(logUniformArb(1e-3, 1e6), { minLength: 1, maxLength: 50 }),
    counts: fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 4 }),
    alphas: fc.array(fc.array(logUniformArb(1, 101), { minLength: width, maxLength: width }), { minLength: 4, maxLength: 4 }),
  }).map((r) => ({ ...r, alphas: r.alphas.slice(0, r.counts.length) }));
  await fc.assert(fc.asyncProperty(arb, async ({ xs, counts, alphas }) => {
    await useBackend('cpu');
    const onCpu = outputs(xs, counts, alphas);
    await useBackend('wasm');
    const onWasm = outputs(xs, counts, alphas);
    onCpu.forEach((values, i) => {
      // Relative, with a floor of 1e-3 for values near 0 (digamma's root, tiny gradients).
      expect(maxRelativeError(onWasm[i] ?? [], values, 1e-3), `output ${i}`).toBeLessThanOrEqual(1e-5);
    });
  }), { numRuns: 15 });
});
