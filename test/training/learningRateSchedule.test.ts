import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { adam, cosineDecay } from '../../src/training/adamw.js';

describe('cosineDecay', () => {
  it('falls from 1 to the floor over its steps, symmetrically about the midpoint, and stays at the floor', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(6000), (steps, floor, t) => {
      const f = cosineDecay({ steps, floor });
      expect(f(0)).toBeCloseTo(1, 12);
      expect(f(steps)).toBeCloseTo(floor, 12);
      expect(f(steps + 1 + t)).toBeCloseTo(floor, 12);
      const u = Math.min(t, steps);
      // cos(pi - x) = -cos(x): the two halves mirror each other about (1 + floor) / 2.
      expect(f(u) + f(steps - u)).toBeCloseTo(1 + floor, 10);
      if (u < steps) expect(f(u + 1)).toBeLessThanOrEqual(f(u) + 1e-15);
    }));
  });

  it('refuses a bad length or floor', () => {
    expect(() => cosineDecay({ steps: 0 })).toThrow(ConfigError);
    expect(() => cosineDecay({ steps: 10, floor: 1.5 })).toThrow(/floor/);
  });
});

describe('adam with a schedule', () => {
  it('takes the Adam step scaled by the schedule (float64 reference) and reports the rate in force', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.double({ min: 0.05, max: 1, noNaN: true }),
      (gradients, factor) => {
        const w = tf.variable(tf.zeros([1]));
        const optimizer = adam(0.01, (t) => factor ** t);
        let expected = 0;
        let m = 0;
        let v = 0;
        gradients.forEach((g, i) => {
          const t = i + 1;
          tf.tidy(() => optimizer.applyGradients({ [w.name]: tf.tensor1d([g]) }));
          const g32 = Math.fround(g);
          m = 0.9 * m + 0.1 * g32;
          v = 0.999 * v + 0.001 * g32 * g32;
          expected -= 0.01 * factor ** t * (m / (1 - 0.9 ** t)) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-7);
        });
        expect(Math.abs(w.dataSync()[0]! - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
        expect(optimizer.currentLearningRate).toBeCloseTo(0.01 * factor ** gradients.length, 12);
        optimizer.dispose();
        w.dispose();
      },
    ), { numRuns: 40 });
  });

  it('continues a schedule bit for bit after a save and restore', async () => {
    const schedule = cosineDecay({ steps: 6 });
    const gradients = [[0.3, -1], [2, 0.5], [-0.7, 0.1], [1, 1], [0.2, -2], [0.9, 0.4]];
    const run = async (restoreAfter: number | null): Promise<Float32Array> => {
      const w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.5])));
      let optimizer = adam(0.05, schedule);
      for (const [i, g] of gradients.entries()) {
        if (i === restoreAfter) {
          const saved = await optimizer.getWeights();
          const copies = saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
          tf.dispose(saved[0]!.tensor);
          optimizer.dispose();
          optimizer = adam(0.05, schedule);
          await optimizer.setWeights(copies);
          tf.dispose(copies.map((c) => c.tensor));
        }
        tf.tidy(() => optimizer.applyGradients({ [w.name]: tf.tensor1d(g) }));
      }
      const out = w.dataSync().slice() as Float32Array;
      optimizer.dispose();
      w.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    expect(await run(3)).toEqual(await run(null));
    expect(tf.memory().numTensors).toBe(before);
  });
});
