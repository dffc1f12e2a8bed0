import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema, askedProbability64 } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { binomialBald, galaxyBald, questionBald, questionConcentrations } from '../../src/metrics/index.js';
import { directBald, entropy } from './reference.js';

const alphaArb = (answers: number) => fc.array(fc.double({ min: 0.3, max: 40, noNaN: true }), { minLength: answers, maxLength: answers });
const passesArb = (answers: number, maxPasses = 4) => fc.array(alphaArb(answers), { minLength: 1, maxLength: maxPasses });

describe('questionBald (exact)', () => {
  it('should equal the direct definition H[mixture] - mean H[pass] on small cases', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }).chain((k) => fc.tuple(passesArb(k), fc.nat(10))), ([alphas, votes]) => {
      const result = questionBald(alphas, votes);
      const reference = directBald(alphas, votes);
      expect(result.method).toBe('exact');
      expect(result.standardError).toBe(0);
      expect(result.mutualInformation).toBeCloseTo(reference.mi, 10);
      expect(result.predictiveEntropy).toBeCloseTo(reference.h, 10);
      expect(result.expectedEntropy).toBeCloseTo(reference.h - reference.mi, 10);
    }));
  });

  it('should be zero when every pass agrees, and never negative', () => {
    fc.assert(fc.property(alphaArb(3), fc.integer({ min: 1, max: 5 }), fc.nat(20), (alpha, passes, votes) => {
      const same = questionBald(Array.from({ length: passes }, () => alpha), votes);
      expect(same.mutualInformation).toBe(0);
      const mc = questionBald(Array.from({ length: passes }, () => alpha), votes, { maxOutcomes: 0, samples: 200 });
      expect(mc.mutualInformation).toBe(0);
    }));
    fc.assert(fc.property(passesArb(3), fc.nat(20), (alphas, votes) => {
      expect(questionBald(alphas, votes).mutualInformation).toBeGreaterThanOrEqual(0);
      expect(questionBald(alphas, votes, { maxOutcomes: 0, samples: 100 }).mutualInformation).toBeGreaterThanOrEqual(0);
    }));
  });

  it('should be at most ln(passes) and at most the predictive entropy', () => {
    fc.assert(fc.property(passesArb(2), fc.nat(30), (alphas, votes) => {
      const r = questionBald(alphas, votes);
      expect(r.mutualInformation).toBeLessThanOrEqual(Math.log(alphas.length) + 1e-12);
      expect(r.mutualInformation).toBeLessThanOrEqual(r.predictiveEntropy + 1e-12);
    }));
  });

  it('should give zeros for no votes and reject bad input', () => {
    expect(questionBald([[1, 2], [3, 4]], 0).mutualInformation).toBe(0);
    expect(() => questionBald([[1, 2], [3]], 5)).toThrow(ShapeError);
    expect(() => questionBald([[1, -2]], 5)).toThrow(/questionBald: concentration \[pass 0, answer 1\] must be positive/);
    expect(() => questionBald([[1, 2]], 2.5)).toThrow(ConfigError);
    expect(() => questionBald([[1, 2]], 2, { samples: 1 })).toThrow(ConfigError);
  });
});

describe('questionBald (Monte Carlo)', () => {
  const cases: { alphas: number[][]; votes: number }[] = [
    { alphas: [[8, 2, 1], [2, 8, 1], [3, 3, 3]], votes: 20 },
    { alphas: [[30, 1, 1, 1], [1, 30, 1, 1]], votes: 12 },
    { alphas: [[1.5, 2, 0.5], [2, 1, 1], [1, 1, 4], [6, 1, 1], [1, 1, 1]], votes: 25 },
  ];

  it('should agree with enumeration within 4 stated standard errors', () => {
    for (const [c, { alphas, votes }] of cases.entries()) {
      const exact = questionBald(alphas, votes);
      const mc = questionBald(alphas, votes, { maxOutcomes: 0, samples: 4000, seed: c });
      expect(mc.method).toBe('monteCarlo');
      expect(mc.standardError).toBeGreaterThan(0);
      expect(Math.abs(mc.mutualInformation - exact.mutualInformation)).toBeLessThan(4 * mc.standardError);
      expect(Math.abs(mc.predictiveEntropy - exact.predictiveEntropy)).toBeLessThan(4 * mc.entropyStandardError);
    }
  });

  it('should state a standard error that matches the spread over seeds', () => {
    const { alphas, votes } = cases[0]!;
    const exact = questionBald(alphas, votes).mutualInformation;
    const z = Array.from({ length: 60 }, (_, seed) => {
      const mc = questionBald(alphas, votes, { maxOutcomes: 0, samples: 300, seed });
      return (mc.mutualInformation - exact) / mc.standardError;
    });
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    // z ~ N(0, 1): the mean of 60 is within 4/sqrt(60); the sd of 60 draws within about ±0.35.
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(60));
    expect(sd).toBeGreaterThan(0.65);
    expect(sd).toBeLessThan(1.4);
  });

  it('should switch to Monte Carlo above maxOutcomes and be reproducible by seed', () => {
    const alphas = [[3, 1, 1, 1, 1, 1], [1, 3, 1, 1, 1, 1]];
    const a = questionBald(alphas, 40, { seed: 7 }); // C(45, 5) = 1,221,759 outcomes
    expect(a.method).toBe('monteCarlo');
    expect(questionBald(alphas, 40, { seed: 7 }).mutualInformation).toBe(a.mutualInformation);
  });
});

/** Direct W+20 reference: binomial pmfs from the definition. */
function binomialPmf(k: number, n: number, rho: number): number {
  let choose = 1;
  for (let j = 1; j <= k; j += 1) choose = (choose * (n - k + j)) / j;
  return choose * rho ** k * (1 - rho) ** (n - k);
}

describe('binomialBald', () => {
  it('should equal H[mixture of binomials] - mean H[binomial]', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }), fc.nat(40), (rhos, n) => {
      const ks = Array.from({ length: n + 1 }, (_, k) => k);
      const mix = ks.map((k) => rhos.reduce((s, r) => s + binomialPmf(k, n, r), 0) / rhos.length);
      const expected = rhos.reduce((s, r) => s + entropy(ks.map((k) => binomialPmf(k, n, r))), 0) / rhos.length;
      const result = binomialBald(rhos, n);
      expect(result.predictiveEntropy).toBeCloseTo(entropy(mix), 9);
      expect(result.mutualInformation).toBeCloseTo(entropy(mix) - expected, 9);
      expect(result.mutualInformation).toBeGreaterThanOrEqual(0);
    }));
  });

  it('should approach ln 2 for two confident, opposite passes', () => {
    expect(binomialBald([0.05, 0.95], 40).mutualInformation).toBeCloseTo(Math.log(2), 6);
    expect(binomialBald([0.3, 0.3, 0.3], 40).mutualInformation).toBe(0);
    expect(binomialBald([0, 1], 10).mutualInformation).toBeCloseTo(Math.log(2), 14);
  });

  it('should be the limit of the Dirichlet-multinomial BALD for huge concentrations', () => {
    const rhos = [0.2, 0.5, 0.7];
    const c = 1e8;
    const dm = questionBald(rhos.map((r) => [r * c, (1 - r) * c]), 30);
    expect(dm.mutualInformation).toBeCloseTo(binomialBald(rhos, 30).mutualInformation, 5);
  });

  it('should reject fractions outside [0, 1]', () => {
    expect(() => binomialBald([1.2], 3)).toThrow(ConfigError);
    expect(() => binomialBald([], 3)).toThrow(ShapeError);
  });
});

describe('galaxyBald', () => {
  const schema = defineSchema({ sf: ['_s', '_f'], arms: ['_1', '_2', '_3'] }, { sf: null, arms: 'sf_f' }, { name: 'mini' });
  const rowArb = fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 15, maxLength: 15 });

  it('should sum per-question BALD weighted by P(asked) with N = round(P(asked) × totalVotes)', () => {
    fc.assert(fc.property(rowArb, (row) => {
      const prediction = { concentrations: row, passes: 3 };
      const result = galaxyBald(prediction, schema, { totalVotes: 20 });
      // Mean fractions over the passes, by hand.
      const mean = [0, 0, 0, 0, 0];
      for (let t = 0; t < 3; t += 1) {
        for (const [start, end] of [[0, 2], [2, 5]] as const) {
          const total = row.slice(t * 5 + start, t * 5 + end).reduce((a, b) => a + b, 0);
          for (let i = start; i < end; i += 1) mean[i] = mean[i]! + row[t * 5 + i]! / total / 3;
        }
      }
      const asked = askedProbability64(mean, schema);
      expect(asked[1]).toBeCloseTo(mean[1]!, 12);
      let expected = 0;
      schema.questions.forEach((q, i) => {
        const alphas = [0, 1, 2].map((t) => row.slice(t * 5 + q.startIndex, t * 5 + q.endIndex));
        const votes = Math.round(asked[i]! * 20);
        const mi = directBald(alphas, votes).mi;
        expect(result.questions[q.text]!.votes).toBe(votes);
        expect(result.questions[q.text]!.mutualInformation).toBeCloseTo(mi, 9);
        expected += asked[i]! * mi;
      });
      expect(result.mutualInformation).toBeCloseTo(expected, 9);
      expect(result.standardError).toBe(0);
    }), { numRuns: 20 });
  });

  it('should take per-question votes directly', () => {
    const row = [2, 9, 1, 5, 2, 9, 2, 2, 1, 5, 3, 3, 4, 4, 4];
    const result = galaxyBald({ concentrations: row, passes: 3 }, schema, { expectedVotes: [4, 0] });
    const alphas = questionConcentrations({ concentrations: row, passes: 3 }, schema, 0).map((a) => Array.from(a));
    expect(result.questions.sf!.mutualInformation).toBeCloseTo(directBald(alphas, 4).mi, 12);
    expect(result.questions.arms!.mutualInformation).toBe(0);
    expect(() => galaxyBald({ concentrations: row, passes: 3 }, schema, { expectedVotes: [1] })).toThrow(ShapeError);
    expect(() => galaxyBald({ concentrations: row, passes: 2 }, schema)).toThrow(ShapeError);
  });
});
