import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema, askedProbability64 } from '../../src/decisionTree/index.js';
import { summarisePrediction } from '../../src/metrics/predictionSummary.js';

const schema = defineSchema({ q: ['_a', '_b', '_c'], r: ['_y', '_n'] }, { q: null, r: 'q_a' }, { name: 'small' });
const concentration = fc.double({ min: 1, max: 101, noNaN: true });
const passesArb = fc.integer({ min: 1, max: 4 }).chain((passes) =>
  fc.tuple(fc.constant(passes), fc.array(concentration, { minLength: passes * 5, maxLength: passes * 5 })));

describe('summarisePrediction', () => {
  it('should give the Dirichlet mean and standard deviation for a single pass', () => {
    fc.assert(fc.property(fc.array(concentration, { minLength: 5, maxLength: 5 }), (alpha) => {
      const summary = summarisePrediction(alpha, 1, schema);
      for (const [start, end] of schema.questionIndexGroups) {
        const total = alpha.slice(start, end).reduce((a, b) => a + b, 0);
        for (let i = start; i < end; i += 1) {
          const a = alpha[i]!;
          expect(summary.fractions[i]).toBeCloseTo(a / total, 12);
          // Closed form of the Dirichlet marginal variance: a (A - a) / (A^2 (A + 1)).
          expect(summary.std[i]).toBeCloseTo(Math.sqrt((a * (total - a)) / (total * total * (total + 1))), 12);
        }
      }
    }));
  });

  it('should follow the law of total variance over passes', () => {
    fc.assert(fc.property(passesArb, ([passes, alpha]) => {
      const summary = summarisePrediction(alpha, passes, schema);
      const perPass = Array.from({ length: passes }, (_, p) => summarisePrediction(alpha.slice(p * 5, p * 5 + 5), 1, schema));
      for (let i = 0; i < 5; i += 1) {
        const means = perPass.map((s) => s.fractions[i]!);
        const mean = means.reduce((a, b) => a + b, 0) / passes;
        const within = perPass.reduce((sum, s) => sum + s.std[i]! ** 2, 0) / passes;
        const between = means.reduce((sum, m) => sum + (m - mean) ** 2, 0) / passes;
        expect(summary.fractions[i]).toBeCloseTo(mean, 12);
        expect(summary.std[i]! ** 2).toBeCloseTo(within + between, 12);
      }
      expect(summary.asked).toEqual(askedProbability64(summary.fractions, schema));
    }));
  });
});
