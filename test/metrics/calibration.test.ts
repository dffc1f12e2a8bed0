import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/synthetic/random.js';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { answerCountPmf, reliabilityDiagram, voteCalibration } from '../../src/metrics/index.js';
import { allOutcomes, mixturePmf } from './reference.js';

const one = defineSchema({ q: ['_a', '_b', '_c'] }, { q: null }, { name: 'one' });
const two = defineSchema({ q: ['_yes', '_no'] }, { q: null }, { name: 'two' });

describe('answerCountPmf', () => {
  it('should be the marginal of the enumerated Dirichlet-multinomial mixture', () => {
    const alphaArb = fc.array(fc.double({ min: 0.3, max: 50, noNaN: true }), { minLength: 3, maxLength: 3 });
    fc.assert(fc.property(fc.array(alphaArb, { minLength: 1, maxLength: 3 }), fc.nat(12), fc.integer({ min: 0, max: 2 }), (alphas, votes, answer) => {
      const pmf = answerCountPmf({ concentrations: alphas.flat(), passes: alphas.length }, one, answer, votes);
      const marginal = new Array<number>(votes + 1).fill(0);
      for (const k of allOutcomes(votes, 3)) marginal[k[answer]!] = (marginal[k[answer]!] ?? 0) + mixturePmf(k, alphas);
      expect(pmf.length).toBe(votes + 1);
      marginal.forEach((m, k) => expect(pmf[k]).toBeCloseTo(m, 12));
    }));
  });

  it('should reject a bad answer index', () => {
    expect(() => answerCountPmf({ concentrations: [1, 1, 1], passes: 1 }, one, 3, 2)).toThrow(ConfigError);
  });
});

describe('voteCalibration', () => {
  it('should match a hand-computed uniform case', () => {
    // α = (1, 1), N = 2: BetaBinomial(2, 1, 1) is uniform on {0, 1, 2}, CDF 1/3, 2/3, 1.
    // 50%: [F⁻¹(0.25), F⁻¹(0.75)] = [0, 2], mass 1. 20%: [F⁻¹(0.4), F⁻¹(0.6)] = [1, 1], mass 1/3.
    const predictions = { concentrations: [[1, 1], [1, 1]], passes: 1 };
    const result = voteCalibration(predictions, [[1, 1], [2, 0]], two, { levels: [0.5, 0.2] });
    const q = result.q!;
    expect(q.galaxies).toBe(2);
    expect(q.values).toBe(4);
    expect(q.levels[0]!.coverage).toBe(1);
    expect(q.levels[0]!.intervalMass).toBeCloseTo(1, 14);
    expect(q.levels[1]!.coverage).toBe(0.5); // only galaxy 1's counts (1, 1) are in [1, 1]
    expect(q.levels[1]!.intervalMass).toBeCloseTo(1 / 3, 14);
    // Predicted fraction 0.5 everywhere, observed 0.5, 0.5, 1, 0: one bin, mean observed 0.5.
    expect(q.reliability.ece).toBeCloseTo(0, 14);
    expect(q.reliability.bins[5]!.count).toBe(4);
  });

  /** Galaxies whose votes are drawn from exactly the predicted mixture: a calibrated predictor. */
  function calibratedSample(galaxies: number, passCount = 3, overconfidence = 1) {
    const rng = createRng(2024);
    const concentrations: number[][] = [];
    const counts: number[][] = [];
    for (let g = 0; g < galaxies; g += 1) {
      const passes = Array.from({ length: passCount }, () => [0, 1, 2].map(() => rng.uniform(0.5, 20)));
      const votes = 5 + rng.int(30);
      const pass = passes[rng.int(passCount)]!;
      counts.push(Array.from(rng.multinomial(votes, rng.dirichlet(pass))));
      concentrations.push(passes.flat().map((a) => a * overconfidence));
    }
    return { predictions: { concentrations, passes: passCount }, counts };
  }

  it('should give nominal PIT coverage and coverage equal to the interval mass for a calibrated predictor', () => {
    const galaxies = 1500;
    const { predictions, counts } = calibratedSample(galaxies);
    const result = voteCalibration(predictions, counts, one, { levels: [0.5, 0.8, 0.95] }).q!;
    expect(result.galaxies).toBe(galaxies);
    for (const { level, coverage, intervalMass, pitCoverage } of result.levels) {
      // The answers of a galaxy are averaged, so the standard error is at most that of one answer per galaxy.
      const se = Math.sqrt((level * (1 - level)) / galaxies);
      expect(Math.abs(pitCoverage - level)).toBeLessThan(4 * se);
      expect(intervalMass).toBeGreaterThanOrEqual(level);
      const seMass = Math.sqrt((intervalMass * (1 - intervalMass)) / galaxies);
      expect(Math.abs(coverage - intervalMass)).toBeLessThan(4 * seMass + 1e-9);
    }
  });

  it('should show under-coverage for an overconfident predictor', () => {
    // Concentrations × 30 keep the mean fractions but make the Dirichlet far too narrow.
    const galaxies = 800;
    const { predictions, counts } = calibratedSample(galaxies, 1, 30);
    for (const { level, coverage, intervalMass, pitCoverage } of voteCalibration(predictions, counts, one).q!.levels) {
      const se = Math.sqrt((level * (1 - level)) / galaxies);
      expect(coverage).toBeLessThan(intervalMass - 4 * se);
      expect(pitCoverage).toBeLessThan(level - 4 * se);
    }
  });

  it('should skip questions with too few votes and reject bad input', () => {
    const result = voteCalibration({ concentrations: [[1, 1]], passes: 1 }, [[0, 0]], two);
    expect(result.q!.galaxies).toBe(0);
    expect(result.q!.levels[0]!.coverage).toBeNaN();
    expect(() => voteCalibration({ concentrations: [[1, 1]], passes: 1 }, [[1, 1]], two, { levels: [1] })).toThrow(ConfigError);
    expect(() => voteCalibration({ concentrations: [[1, 1]], passes: 1 }, [], two)).toThrow(/1 prediction rows but 0 count rows/);
    expect(() => voteCalibration({ concentrations: [[1, 1, 1]], passes: 1 }, [[1, 1]], two)).toThrow(ShapeError);
  });
});

describe('reliabilityDiagram', () => {
  it('should match a hand-computed case', () => {
    // Bin 0: predictions 0.1, 0.3 (mean 0.2), outcomes 0, 1 (mean 0.5); bin 1: 0.9 vs 1.
    const r = reliabilityDiagram([0.1, 0.3, 0.9], [0, 1, 1], 2);
    expect(r.bins[0]!.count).toBe(2);
    expect(r.bins[0]!.meanPredicted).toBeCloseTo(0.2, 14);
    expect(r.bins[0]!.meanObserved).toBeCloseTo(0.5, 14);
    expect(r.ece).toBeCloseTo((2 / 3) * 0.3 + (1 / 3) * 0.1, 14);
    expect(reliabilityDiagram([1], [1], 4).bins[3]!.count).toBe(1); // 1 falls in the last bin
  });

  it('should keep ECE in [0, 1], and 0 when predictions equal outcomes', () => {
    const prob = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(fc.property(fc.array(fc.tuple(prob, prob), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 20 }), (pairs, bins) => {
      const ece = reliabilityDiagram(pairs.map((p) => p[0]), pairs.map((p) => p[1]), bins).ece;
      expect(ece).toBeGreaterThanOrEqual(0);
      expect(ece).toBeLessThanOrEqual(1);
      expect(reliabilityDiagram(pairs.map((p) => p[0]), pairs.map((p) => p[0]), bins).ece).toBeCloseTo(0, 12);
    }));
  });

  it('should reject mismatched lengths and bad bins', () => {
    expect(() => reliabilityDiagram([0.1], [], 2)).toThrow(ShapeError);
    expect(() => reliabilityDiagram([0.1], [1], 0)).toThrow(ConfigError);
  });
});
