import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError } from '../../src/errors.js';
import { treeLoss } from '../../src/losses/index.js';
import { dirichletHead } from '../../src/architectures/index.js';
import {
  concentrationScale, inMemoryBatchSource, scaledConcentrationLoss, train, type PerQuestionLoss,
} from '../../src/training/index.js';
import { dmNllRef, multinomialNllRef } from '../losses/reference64.js';

const schema = defineSchema({ q: ['_a', '_b', '_c'] }, { q: null }, { name: 'one-question' });
const loss = treeLoss(schema).perQuestion;

describe('concentrationScale', () => {
  it('starts at the initial factor, falls geometrically and is 1 from the last warm-up epoch on', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 1, max: 1e4, noNaN: true }), (epochs, initialScale) => {
      const warmup = { epochs, initialScale };
      expect(concentrationScale(warmup, 0)).toBeCloseTo(initialScale, 9);
      expect(concentrationScale(warmup, epochs)).toBe(1);
      expect(concentrationScale(warmup, epochs + 5)).toBe(1);
      const ratio = initialScale ** (-1 / epochs);
      for (let e = 1; e < epochs; e += 1) {
        expect(concentrationScale(warmup, e) / concentrationScale(warmup, e - 1)).toBeCloseTo(ratio, 9);
      }
    }));
    expect(concentrationScale(undefined, 0)).toBe(1);
    expect(concentrationScale({ epochs: 2 }, 1)).toBeCloseTo(10, 12); // default initial factor 100
  });
});

describe('scaledConcentrationLoss', () => {
  const counts = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(40)).filter((c) => c[0] + c[1] + c[2] > 0);
  const alphas = fc.tuple(...[0, 1, 2].map(() => fc.double({ min: 1, max: 50, noNaN: true })));

  it('equals the Dirichlet-multinomial NLL of the scaled concentrations (float64 reference)', () => {
    fc.assert(fc.property(counts, alphas, fc.double({ min: 1, max: 100, noNaN: true }), (n, a, s) => {
      const value = tf.tidy(() => scaledConcentrationLoss(loss, s)(tf.tensor2d([n]), tf.tensor2d([a])).dataSync()[0]!);
      const expected = dmNllRef(n, a.map((x) => x * s));
      expect(Math.abs(value - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
    }), { numRuns: 60 });
  });

  it('tends to the multinomial NLL of the mean fractions for a large factor (the warm-up curriculum)', () => {
    fc.assert(fc.property(counts, alphas, (n, a) => {
      const total = a.reduce((x, y) => x + y, 0);
      const value = tf.tidy(() => scaledConcentrationLoss(loss, 1e4)(tf.tensor2d([n]), tf.tensor2d([a])).dataSync()[0]!);
      // DM - multinomial is about N^2 / (2 * scaled total) <= 120^2 / 6e4 = 0.24 here; float32 adds ~1e-3.
      const votes = n[0] + n[1] + n[2];
      const bound = (votes * votes) / (2 * 1e4 * total) + 2e-3 * Math.max(1, votes);
      expect(Math.abs(value - multinomialNllRef(n, a.map((x) => x / total)))).toBeLessThan(bound);
    }), { numRuns: 60 });
  });

  it('is the loss itself for a factor of 1', () => {
    expect(scaledConcentrationLoss(loss, 1)).toBe(loss);
  });
});

describe('train({ concentrationWarmup })', () => {
  const N = 32;
  const images = Float32Array.from({ length: N * 4 }, (_, i) => (i * 37 % 11) / 11);
  const labels = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? [30, 2, 0] : [1, 28, 3]));
  const model = (): tf.LayersModel => {
    const input = tf.input({ shape: [2, 2, 1] });
    const flat = tf.layers.flatten().apply(input);
    const logits = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(flat);
    return tf.model({ inputs: input, outputs: dirichletHead().apply(logits) as tf.SymbolicTensor });
  };

  it('trains on scaled concentrations, validates on the loss as given, and records the factor', async () => {
    // A spy loss: the smallest concentration each call sees (the head's floor is 1, so a scaled call sees >= its factor).
    const smallest: number[] = [];
    const spy: PerQuestionLoss = (y, alpha) => {
      smallest.push(alpha.min().dataSync()[0]!);
      return loss(y, alpha);
    };
    const source = inMemoryBatchSource({ images, imageShape: [2, 2, 1], labels, batchSize: 16, shuffle: false });
    const before = tf.memory().numTensors;
    const m = model();
    const result = await train({
      model: m, schema, loss: spy, train: source, validation: source, epochs: 3, concentrationWarmup: { epochs: 2, initialScale: 100 },
    });
    expect(result.history.map((r) => r.concentrationScale)).toEqual([100, 10, 1]);
    // Per epoch: two training batches, then two validation batches.
    const perEpoch = (e: number) => smallest.slice(4 * e, 4 * e + 4);
    expect(perEpoch(0).slice(0, 2).every((v) => v >= 100)).toBe(true);
    expect(perEpoch(1).slice(0, 2).every((v) => v >= 10 && v < 100 * 1.01 * 10)).toBe(true);
    for (const e of [0, 1, 2]) expect(perEpoch(e).slice(2).every((v) => v >= 1 && v < 101)).toBe(true);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad warm-up with a ConfigError', async () => {
    const source = inMemoryBatchSource({ images, imageShape: [2, 2, 1], labels });
    const m = model();
    await expect(train({ model: m, schema, loss, train: source, epochs: 1, concentrationWarmup: { epochs: 0 } })).rejects.toThrow(ConfigError);
    await expect(train({ model: m, schema, loss, train: source, epochs: 1, concentrationWarmup: { epochs: 2, initialScale: 0.5 } })).rejects.toThrow(/initialScale/);
    m.dispose();
  });
});
