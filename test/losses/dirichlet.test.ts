import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ShapeError } from '../../src/errors.js';
import {
  dirichletMean, dirichletMultinomialLogPmf64, dirichletMultinomialPmf, dirichletVariance, mixtureLogPmf,
} from '../../src/losses/index.js';
import { concentrationsArb, countsArb, logUniformArb, questionArb } from '../arbitraries/losses.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';
import { dmNllRef, maxRelativeError } from './reference64.js';

const schema = defineSchema({ q1: ['_a', '_b'], q2: ['_x', '_y', '_z'] }, { q1: null, q2: 'q1_a' }, { name: 'two' });

it('dirichletMultinomialLogPmf64 should equal the exact product form and reject mismatched lengths', () => {
  fc.assert(fc.property(questionArb({ hi: 1e4 }), ({ counts, alphas }) => {
    const value = dirichletMultinomialLogPmf64(counts, alphas);
    expect(Math.abs(value + dmNllRef(counts, alphas))).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(value)));
  }));
  expect(() => dirichletMultinomialLogPmf64([1, 2], [1])).toThrow(ShapeError);
});

describeBackends('Dirichlet helpers', () => {
  it('should give means α_i/A and variances α_i(A-α_i)/(A²(A+1)) per question', () => {
    fc.assert(fc.property(fc.array(concentrationsArb(5, 1e-2, 1e4), { minLength: 1, maxLength: 4 }), (rows) => {
      const [mean, variance, flatMean] = tf.tidy(() => {
        const a = tf.tensor2d(rows);
        return [dirichletMean(a, schema).dataSync(), dirichletVariance(a, schema).dataSync(), dirichletMean(tf.slice(a, [0, 2], [-1, 3])).dataSync()];
      });
      const expectedMean: number[] = [];
      const expectedVariance: number[] = [];
      for (const row of rows) {
        for (const q of schema.questions) {
          const alphas = row.slice(q.startIndex, q.endIndex);
          const total = alphas.reduce((s, v) => s + v, 0);
          for (const a of alphas) {
            expectedMean.push(a / total);
            expectedVariance.push((a * (total - a)) / (total * total * (total + 1)));
          }
        }
      }
      expect(maxRelativeError(mean, expectedMean)).toBeLessThanOrEqual(1e-6);
      expect(maxRelativeError(variance, expectedVariance)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(flatMean, expectedMean.filter((_, i) => i % 5 >= 2))).toBeLessThanOrEqual(1e-6);
    }));
    expect(() => dirichletMean(tf.ones([2, 4]), schema)).toThrow(ShapeError);
    expect(() => dirichletVariance(tf.scalar(2))).toThrow(ShapeError);
  });

  it('should give the pmf of a vote outcome, 1 for no votes', () => {
    fc.assert(fc.property(questionArb({ maxCount: 10 }), ({ counts, alphas }) => {
      const [p] = tf.tidy(() => dirichletMultinomialPmf(tf.tensor2d([counts]), tf.tensor2d([alphas])).dataSync());
      expect(Math.abs((p ?? 0) - Math.exp(-dmNllRef(counts, alphas)))).toBeLessThanOrEqual(2e-5 * Math.exp(-dmNllRef(counts, alphas)) + 1e-7);
    }));
    expect(tf.tidy(() => dirichletMultinomialPmf(tf.zeros([1, 3]), tf.ones([1, 3])).dataSync()[0])).toBe(1);
  });

  it('should mix MC-dropout passes: the mean of the per-pass pmfs, and one pass when all are equal', () => {
    const arb = fc.integer({ min: 2, max: 4 }).chain((m) => fc.record({
      counts: countsArb(m, 20),
      passes: fc.array(concentrationsArb(m), { minLength: 1, maxLength: 5 }),
    }));
    fc.assert(fc.property(arb, ({ counts, passes }) => {
      const [mixed, repeated] = tf.tidy(() => {
        // [galaxy, answer, pass]
        const conc = tf.tensor3d([counts.map((_, i) => passes.map((p) => p[i] ?? 1))]);
        const same = tf.tile(tf.slice(conc, [0, 0, 0], [1, -1, 1]), [1, 1, 3]);
        const c = tf.tensor2d([counts]);
        return [mixtureLogPmf(c, conc).dataSync(), mixtureLogPmf(c, same).dataSync()];
      });
      const pmfs = passes.map((p) => Math.exp(-dmNllRef(counts, p)));
      const expected = Math.log(pmfs.reduce((s, v) => s + v, 0) / passes.length);
      expect(maxRelativeError(mixed, [expected], 1)).toBeLessThanOrEqual(2e-5);
      expect(maxRelativeError(repeated, [-dmNllRef(counts, passes[0] ?? [])], 1)).toBeLessThanOrEqual(2e-5);
    }), { numRuns: 25 });
    expect(() => mixtureLogPmf(tf.ones([2, 3]), tf.ones([2, 3]))).toThrow(ShapeError);
    expect(() => mixtureLogPmf(tf.ones([2, 3]), tf.ones([2, 4, 5]))).toThrow(ShapeError);
  });

  it('should not leak tensors', () => {
    const a = tf.tensor2d([[1, 2, 3, 4, 5]]);
    const counts = tf.tensor2d([[1, 0, 2, 2, 0]]);
    const passes = tf.fill([1, 5, 3], 2);
    expect(leakedTensors(() => {
      tf.dispose([dirichletMean(a, schema), dirichletVariance(a, schema), dirichletMean(a), dirichletMultinomialPmf(counts, a), mixtureLogPmf(counts, passes)]);
    })).toBe(0);
    tf.dispose([a, counts, passes]);
  });
});

it('logUniformArb should stay within its bounds', () => {
  fc.assert(fc.property(logUniformArb(1, 101), (x) => x >= 0.99999 && x <= 101.0001));
});
