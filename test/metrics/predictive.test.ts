import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { outcomeCount, PassLogPmf, predictiveLogPmf64, questionConcentrations } from '../../src/metrics/index.js';
import { allOutcomes, dmPmf, mixturePmf } from './reference.js';

const alphaArb = (answers: number) => fc.array(fc.double({ min: 0.2, max: 60, noNaN: true }), { minLength: answers, maxLength: answers });
const passesArb = (answers: number) => fc.array(alphaArb(answers), { minLength: 1, maxLength: 4 });

describe('outcomeCount and PassLogPmf.forEachOutcome', () => {
  it('should visit every outcome once, as many as counted, with the direct log pmfs', () => {
    const arb = fc.integer({ min: 1, max: 4 }).chain((answers) => fc.tuple(passesArb(answers), fc.nat(10)));
    fc.assert(fc.property(arb, ([alphas, votes]) => {
      const answers = alphas[0]!.length;
      const seen = new Set<string>();
      PassLogPmf.create(alphas, votes).forEachOutcome((logs, k) => {
        expect(k.reduce((a, b) => a + b, 0)).toBe(votes);
        seen.add(k.join(','));
        alphas.forEach((alpha, t) => expect(Math.exp(logs[t]!) / dmPmf(Array.from(k), alpha)).toBeCloseTo(1, 10));
      });
      const reference = allOutcomes(votes, answers);
      expect(seen.size).toBe(reference.length);
      expect(outcomeCount(votes, answers)).toBe(reference.length);
    }));
  });

  it('should match known binomial coefficients', () => {
    expect(outcomeCount(40, 3)).toBe(861); // C(42, 2)
    expect(outcomeCount(40, 4)).toBe(12341); // C(43, 3)
    expect(outcomeCount(0, 5)).toBe(1);
  });
});

describe('predictiveLogPmf64', () => {
  it('should equal the mean of the direct Dirichlet-multinomial pmfs', () => {
    fc.assert(fc.property(passesArb(3), fc.tuple(fc.nat(8), fc.nat(8), fc.nat(8)), (alphas, counts) => {
      const reference = mixturePmf(counts, alphas);
      expect(Math.exp(predictiveLogPmf64(counts, alphas))).toBeCloseTo(reference, 12);
      expect(Math.abs(Math.exp(predictiveLogPmf64(counts, alphas)) / reference - 1)).toBeLessThan(1e-10);
    }));
  });

  it('should sum to 1 over all outcomes', () => {
    fc.assert(fc.property(passesArb(2), fc.nat(15), (alphas, votes) => {
      const total = allOutcomes(votes, 2).reduce((s, k) => s + Math.exp(predictiveLogPmf64(k, alphas)), 0);
      expect(total).toBeCloseTo(1, 10);
    }));
  });

  it('should match a hand-computed case', () => {
    // One vote: P(answer 0) = α_0 / A per pass; passes give 1/2 and 1/4.
    expect(Math.exp(predictiveLogPmf64([1, 0], [[1, 1], [1, 3]]))).toBeCloseTo(0.375, 14);
    expect(dmPmf([1, 0], [1, 3])).toBeCloseTo(0.25, 14);
  });

  it('should reject mismatched or invalid inputs', () => {
    expect(() => predictiveLogPmf64([1, 0, 0], [[1, 1]])).toThrow(ShapeError);
    expect(() => predictiveLogPmf64([1, 0], [[1, 1], [1]])).toThrow(/pass 1 has 1 answers/);
    expect(() => predictiveLogPmf64([1, 0], [[1, 0]])).toThrow(ConfigError);
    expect(() => predictiveLogPmf64([1.5, 0], [[1, 1]])).toThrow(ConfigError);
  });
});

describe('questionConcentrations', () => {
  const schema = defineSchema({ sf: ['_s', '_f'], arms: ['_1', '_2', '_3'] }, { sf: null, arms: 'sf_f' }, { name: 'mini' });

  it('should cut one question out of a [pass, answer] row', () => {
    const row = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(questionConcentrations({ concentrations: row, passes: 2 }, schema, 1).map((a) => Array.from(a))).toEqual([[3, 4, 5], [8, 9, 10]]);
    expect(() => questionConcentrations({ concentrations: row, passes: 3 }, schema, 0)).toThrow(/3 passes × 5 answers = 15/);
    expect(() => questionConcentrations({ concentrations: row, passes: 0 }, schema, 0)).toThrow(ConfigError);
  });
});
