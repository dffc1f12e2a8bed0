import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema, voteFractions64 } from '../../src/decisionTree/index.js';
import { confidentAnswerMetrics, voteFractionErrors } from '../../src/metrics/index.js';
import { ShapeError } from '../../src/errors.js';

const schema = defineSchema({ sf: ['_s', '_f'], arms: ['_1', '_2', '_3'] }, { sf: null, arms: 'sf_f' }, { name: 'mini' });

describe('voteFractionErrors', () => {
  it('should match a hand-computed case', () => {
    // Galaxy 1: sf 30/10 -> fractions 0.75/0.25, predicted 0.5/0.5 -> abs errors 0.25, 0.25.
    // arms got 10 votes (< 20) so it is skipped for galaxy 1; galaxy 2 has no arms votes either.
    const counts = [[30, 10, 4, 4, 2], [20, 0, 0, 0, 0]];
    const predicted = [[0.5, 0.5, 0.2, 0.3, 0.5], [1, 0, 0.2, 0.3, 0.5]];
    const [sf, arms] = voteFractionErrors(predicted, counts, schema);
    expect(sf!.galaxies).toBe(2);
    expect(sf!.mae).toBeCloseTo((0.25 + 0) / 2, 12);
    expect(sf!.rmse).toBeCloseTo(Math.sqrt((0.0625 + 0) / 2), 12);
    expect(sf!.weightedMae).toBeCloseTo(0.125, 12); // root question: P(asked) = 1 for both
    expect(arms!.galaxies).toBe(0);
    expect(arms!.mae).toBeNaN();
  });

  it('should be zero when predictions equal the volunteer fractions', () => {
    const countsArb = fc.array(fc.tuple(fc.nat(40), fc.nat(40), fc.nat(20), fc.nat(20), fc.nat(20)), { minLength: 1, maxLength: 10 });
    fc.assert(fc.property(countsArb, (counts) => {
      const predicted = counts.map((c) => voteFractions64(c, schema));
      for (const e of voteFractionErrors(predicted, counts, schema, { minVotes: 1 })) {
        if (e.galaxies > 0) { expect(e.mae).toBeCloseTo(0, 12); expect(e.rmse).toBeCloseTo(0, 12); }
      }
    }));
  });

  it('should reject rows of the wrong width or count', () => {
    expect(() => voteFractionErrors([[1, 2]], [[1, 2, 3, 4, 5]], schema)).toThrow(ShapeError);
    expect(() => voteFractionErrors([], [[1, 2, 3, 4, 5]], schema)).toThrow(/0 prediction rows but 1 count rows/);
  });
});

describe('confidentAnswerMetrics', () => {
  it('should build the confusion matrix of confident galaxies only', () => {
    const counts = [
      [9, 1, 0, 0, 0], // confident smooth (0.9), predicted smooth
      [1, 9, 9, 1, 0], // confident featured, predicted smooth; arms confident "1" (0.9), predicted "2"
      [5, 5, 0, 0, 0], // not confident: ignored
      [0, 10, 0, 10, 0], // confident featured, predicted featured; arms confident "2", predicted "2"
    ];
    const predicted = [[0.9, 0.1, 0.3, 0.3, 0.4], [0.6, 0.4, 0.1, 0.8, 0.1], [0.5, 0.5, 0.3, 0.3, 0.4], [0.2, 0.8, 0.1, 0.8, 0.1]];
    const [sf, arms] = confidentAnswerMetrics(predicted, counts, schema);
    expect(sf!.galaxies).toBe(3);
    expect(sf!.confusion).toEqual([[1, 0], [1, 1]]);
    expect(sf!.accuracy).toBeCloseTo(2 / 3, 12);
    expect(sf!.precision).toEqual([0.5, 1]);
    expect(sf!.recall).toEqual([1, 0.5]);
    expect(arms!.confusion).toEqual([[0, 1, 0], [0, 1, 0], [0, 0, 0]]);
    expect(arms!.recall[2]).toBeNaN();
  });

  it('should keep accuracy in [0, 1] and count every confident galaxy once', () => {
    const rowArb = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(20), fc.nat(20), fc.nat(20));
    const predArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 });
    fc.assert(fc.property(fc.array(fc.tuple(rowArb, predArb), { minLength: 1, maxLength: 12 }), (pairs) => {
      const [sf] = confidentAnswerMetrics(pairs.map(([, p]) => p), pairs.map(([c]) => c), schema, { threshold: 0.6 });
      const confident = pairs.filter(([c]) => c[0] + c[1] > 0 && Math.max(c[0], c[1]) / (c[0] + c[1]) > 0.6).length;
      expect(sf!.galaxies).toBe(confident);
      if (confident > 0) { expect(sf!.accuracy).toBeGreaterThanOrEqual(0); expect(sf!.accuracy).toBeLessThanOrEqual(1); }
    }));
  });
});
