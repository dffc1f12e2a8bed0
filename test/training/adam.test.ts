import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adam } from '../../src/training/adamw.js';

const gradientSteps = fc.array(fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 8 });

const start = (): tf.Variable => tf.tidy(() => tf.variable(tf.linspace(-1, 1, 6).reshape([2, 3])));

function step(optimizer: tf.Optimizer, w: tf.Variable, g: number[]): void {
  tf.tidy(() => optimizer.applyGradients({ [w.name]: tf.tensor2d(g, [2, 3]) }));
}

describe('adam', () => {
  it('should take the steps of tfjs Adam (same lr, betas, epsilon) to float32 rounding', () => {
    fc.assert(fc.property(gradientSteps, (steps) => {
      const ours = start();
      const theirs = tf.variable(ours.clone());
      const a = adam(1e-2);
      const b = tf.train.adam(1e-2);
      for (const g of steps) {
        step(a, ours, g);
        step(b, theirs, g);
      }
      const x = ours.dataSync();
      const y = theirs.dataSync();
      x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-6 + 1e-5 * Math.abs(y[i]!)));
      a.dispose();
      b.dispose();
      tf.dispose([ours, theirs]);
    }), { numRuns: 30 });
  });

  it('should continue bit for bit after its state is saved and restored into a new optimizer', async () => {
    const before = tf.memory().numTensors;
    const steps = fc.sample(gradientSteps, { numRuns: 1, seed: 7 })[0]!.concat(fc.sample(gradientSteps, { numRuns: 1, seed: 8 })[0]!);
    const half = Math.floor(steps.length / 2);
    const straight = start();
    const a = adam(1e-2);
    for (const g of steps) step(a, straight, g);

    const resumed = start();
    const first = adam(1e-2);
    for (const g of steps.slice(0, half)) step(first, resumed, g);
    const saved = await first.getWeights();
    const copies = saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    first.dispose();
    tf.dispose(saved[0]!.tensor);
    const second = adam(1e-2);
    await second.setWeights(copies);
    tf.dispose(copies.map((c) => c.tensor));
    for (const g of steps.slice(half)) step(second, resumed, g);

    expect(Array.from(resumed.dataSync())).toEqual(Array.from(straight.dataSync()));
    a.dispose();
    second.dispose();
    tf.dispose([straight, resumed]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
