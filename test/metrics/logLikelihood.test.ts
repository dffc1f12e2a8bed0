import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ShapeError } from '../../src/errors.js';
import { dirichletMultinomialNLL } from '../../src/losses/index.js';
import { predictiveLogLikelihood, trueProbabilityErrors } from '../../src/metrics/index.js';
import { dmPmf, mixturePmf } from './reference.js';

const schema = defineSchema({ sf: ['_s', '_f'], arms: ['_1', '_2', '_3'] }, { sf: null, arms: 'sf_f' }, { name: 'mini' });
const passes = 2;
const galaxyArb = fc.tuple(
  fc.array(fc.double({ min: 0.5, max: 60, noNaN: true }), { minLength: 10, maxLength: 10 }),
  fc.tuple(fc.nat(20), fc.nat(20), fc.nat(10), fc.nat(10), fc.nat(10)),
);

describe('predictiveLogLikelihood', () => {
  it('should average ln of the direct mixture pmf over galaxies with votes', () => {
    fc.assert(fc.property(fc.array(galaxyArb, { minLength: 1, maxLength: 6 }), (galaxies) => {
      const result = predictiveLogLikelihood({ concentrations: galaxies.map((g) => g[0]), passes }, galaxies.map((g) => g[1]), schema);
      schema.questions.forEach((q) => {
        let total = 0;
        let perPass = 0;
        let n = 0;
        for (const [row, counts] of galaxies) {
          const k = counts.slice(q.startIndex, q.endIndex);
          if (k.every((c) => c === 0)) continue;
          const alphas = [0, 1].map((t) => row.slice(t * 5 + q.startIndex, t * 5 + q.endIndex));
          total += Math.log(mixturePmf(k, alphas));
          perPass += alphas.reduce((s, a) => s + Math.log(dmPmf(k, a)), 0) / passes;
          n += 1;
        }
        const r = result[q.text]!;
        expect(r.galaxies).toBe(n);
        expect(r.total).toBeCloseTo(total, 9);
        if (n > 0) expect(r.meanPerPass).toBeCloseTo(perPass / n, 9);
        else expect(r.mean).toBeNaN();
      });
    }));
  });

  it('should give minus the Dirichlet-multinomial loss per pass', () => {
    const concentrations = [[3, 7, 2, 2, 9, 1.5, 20, 5, 1, 1], [40, 2, 1, 1, 1, 30, 3, 2, 2, 2]];
    const counts = [[10, 30, 12, 8, 10], [35, 5, 1, 2, 2]];
    const result = predictiveLogLikelihood({ concentrations, passes }, counts, schema);
    const before = tf.memory().numTensors;
    const nll = tf.tidy(() => {
      const k = tf.tensor3d(counts.map((c) => [c, c]));
      const a = tf.tensor3d(concentrations.map((r) => [r.slice(0, 5), r.slice(5)]));
      return [k.slice([0, 0, 0], [-1, -1, 2]), k.slice([0, 0, 2], [-1, -1, 3])].map((kq, i) => {
        const aq = i === 0 ? a.slice([0, 0, 0], [-1, -1, 2]) : a.slice([0, 0, 2], [-1, -1, 3]);
        return dirichletMultinomialNLL(kq, aq).mean().dataSync()[0]!;
      });
    });
    expect(tf.memory().numTensors).toBe(before);
    // float32 loss against float64 metric.
    expect(result.sf!.meanPerPass).toBeCloseTo(-nll[0]!, 3);
    expect(result.arms!.meanPerPass).toBeCloseTo(-nll[1]!, 3);
  });

  it('should reject rows that do not fit', () => {
    expect(() => predictiveLogLikelihood({ concentrations: [[1, 1, 1, 1, 1]], passes: 2 }, [[1, 1, 1, 1, 1]], schema)).toThrow(ShapeError);
  });
});

describe('trueProbabilityErrors', () => {
  it('should match a hand-computed case and skip unknown truths', () => {
    const predicted = [[0.6, 0.4, 0.2, 0.3, 0.5], [0.9, 0.1, 0.1, 0.1, 0.8]];
    const truth = [[0.5, 0.5, Number.NaN, Number.NaN, Number.NaN], [1, 0, 0.1, 0.2, 0.7]];
    const result = trueProbabilityErrors(predicted, truth, schema, { bins: 2 });
    expect(result.sf!.galaxies).toBe(2);
    expect(result.sf!.mae).toBeCloseTo((0.1 + 0.1 + 0.1 + 0.1) / 4, 14);
    expect(result.sf!.rmse).toBeCloseTo(0.1, 14);
    expect(result.arms!.galaxies).toBe(1);
    expect(result.arms!.mae).toBeCloseTo((0 + 0.1 + 0.1) / 3, 14);
    // sf bins: [0, 0.5): 0.4 vs 0.5 and 0.1 vs 0; [0.5, 1]: 0.6 vs 0.5 and 0.9 vs 1.
    expect(result.sf!.reliability.bins[0]!.meanObserved).toBeCloseTo(0.25, 14);
    expect(result.sf!.reliability.ece).toBeCloseTo(0, 14);
  });

  it('should be zero when predictions are the truth', () => {
    const prob = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(fc.property(fc.array(fc.tuple(prob, prob, prob, prob, prob), { minLength: 1, maxLength: 10 }), (rows) => {
      for (const r of Object.values(trueProbabilityErrors(rows, rows, schema))) {
        expect(r.mae).toBe(0);
        expect(r.reliability.ece).toBeCloseTo(0, 12);
      }
    }));
  });
});
