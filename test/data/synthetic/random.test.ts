import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/synthetic/random.js';
import { ConfigError } from '../../../src/errors.js';

/** Draws per moment check: the sample mean's standard error is sd / sqrt(DRAWS). */
const DRAWS = 20_000;
/** Tolerance in standard errors: a 6-sigma miss has probability about 2e-9. */
const SIGMAS = 6;

function moments(draw: () => number, n = DRAWS): { mean: number; variance: number } {
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i += 1) {
    const x = draw();
    sum += x;
    sum2 += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sum2 / n - mean * mean };
}

/** |sample mean - mean| within SIGMAS standard errors (sd is the true standard deviation). */
function expectMean(observed: number, mean: number, sd: number, n = DRAWS): void {
  expect(Math.abs(observed - mean)).toBeLessThanOrEqual((SIGMAS * sd) / Math.sqrt(n));
}

describe('createRng', () => {
  it('should give the same sequence for the same keys', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), (keys) => {
      const a = createRng(...keys);
      const b = createRng(...keys);
      for (let i = 0; i < 20; i += 1) expect(a.nextUint32()).toBe(b.nextUint32());
    }));
  });

  it('should give unrelated streams for neighbouring keys', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 1000 }), (seed, index) => {
      const a = createRng(seed, index, 0);
      const b = createRng(seed, index, 1);
      const c = createRng(seed, index + 1, 0);
      const sa = Array.from({ length: 8 }, () => a.nextUint32());
      const sb = Array.from({ length: 8 }, () => b.nextUint32());
      const sc = Array.from({ length: 8 }, () => c.nextUint32());
      expect(sa).not.toEqual(sb);
      expect(sa).not.toEqual(sc);
    }));
  });

  it('should reject missing or non-integer seeds', () => {
    expect(() => createRng()).toThrow(ConfigError);
    expect(() => createRng(1.5)).toThrow(/integers/);
  });
});

describe('Rng samplers', () => {
  it('should draw uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    const { mean, variance } = moments(() => {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      return u;
    });
    expectMean(mean, 0.5, Math.sqrt(1 / 12));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
  });

  it('should draw integers in [0, n)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer(), (n, seed) => {
      const rng = createRng(seed);
      for (let i = 0; i < 20; i += 1) {
        const k = rng.int(n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
      }
    }));
    expect(() => createRng(1).int(0)).toThrow(ConfigError);
  });

  it('should draw standard normals (mean 0, variance 1, fourth moment 3)', () => {
    const rng = createRng(2);
    const xs = Array.from({ length: DRAWS }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / DRAWS;
    const m2 = xs.reduce((a, b) => a + b * b, 0) / DRAWS;
    const m4 = xs.reduce((a, b) => a + b ** 4, 0) / DRAWS;
    expectMean(mean, 0, 1);
    // sd of x^2 is sqrt(2); of x^4 is sqrt(105 - 9) ≈ 9.8.
    expectMean(m2, 1, Math.sqrt(2));
    expectMean(m4, 3, Math.sqrt(96));
  });

  it('should draw Gamma(k) with mean k and variance k, also for k < 1', () => {
    for (const [k, seed] of [[0.3, 3], [1, 4], [2.5, 5], [40, 6]] as const) {
      const rng = createRng(seed);
      const { mean, variance } = moments(() => rng.gamma(k));
      expectMean(mean, k, Math.sqrt(k));
      // Variance of the sample variance ≈ (mu4 - sigma^4) / n, mu4 = 3k^2 + 6k for a gamma.
      expect(Math.abs(variance - k)).toBeLessThanOrEqual(SIGMAS * Math.sqrt((2 * k * k + 6 * k) / DRAWS));
    }
    expect(() => createRng(1).gamma(0)).toThrow(ConfigError);
  });

  it('should draw Beta(a, b) with mean a / (a + b)', () => {
    for (const [a, b] of [[0.5, 0.5], [2, 5], [1.3, 2.6]] as const) {
      const rng = createRng(7);
      const { mean } = moments(() => rng.beta(a, b));
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expectMean(mean, a / (a + b), Math.sqrt(variance));
    }
  });

  it('should draw Dirichlet vectors on the simplex with mean alpha / sum(alpha)', () => {
    const alpha = [0.5, 2, 7.5];
    const total = alpha.reduce((a, b) => a + b, 0);
    const rng = createRng(8);
    const sums = [0, 0, 0];
    const n = 5000;
    for (let i = 0; i < n; i += 1) {
      const p = rng.dirichlet(alpha);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      p.forEach((x, j) => {
        expect(x).toBeGreaterThanOrEqual(0);
        sums[j] = (sums[j] ?? 0) + x;
      });
    }
    alpha.forEach((a, j) => {
      const m = a / total;
      expectMean((sums[j] ?? 0) / n, m, Math.sqrt((m * (1 - m)) / (total + 1)), n);
    });
  });

  it('should draw Poisson(lambda) with mean and variance lambda', () => {
    for (const lambda of [0.5, 4, 40]) {
      const rng = createRng(9);
      const { mean, variance } = moments(() => rng.poisson(lambda));
      expectMean(mean, lambda, Math.sqrt(lambda));
      expect(Math.abs(variance - lambda)).toBeLessThanOrEqual(SIGMAS * Math.sqrt((2 * lambda * lambda + lambda) / DRAWS));
    }
    expect(createRng(1).poisson(0)).toBe(0);
  });

  it('should draw categorical indices with frequencies proportional to the weights (chi-square)', () => {
    const weights = [0, 1, 2, 3, 4, 0.5];
    const total = weights.reduce((a, b) => a + b, 0);
    const rng = createRng(10);
    const counts = rng.multinomial(DRAWS, weights);
    expect(counts[0]).toBe(0);
    let chi2 = 0;
    weights.forEach((w, k) => {
      if (w === 0) return;
      const expected = (DRAWS * w) / total;
      chi2 += ((counts[k] ?? 0) - expected) ** 2 / expected;
    });
    // 4 degrees of freedom; P(chi2 > 30) ≈ 5e-6.
    expect(chi2).toBeLessThan(30);
  });

  it('should draw within a sub-range of the weights, relative to its start', () => {
    const rng = createRng(11);
    for (let i = 0; i < 200; i += 1) {
      const k = rng.categorical([5, 0, 1, 1, 5], 1, 4);
      expect(k === 1 || k === 2).toBe(true);
    }
    expect(() => rng.categorical([0, 0])).toThrow(ConfigError);
  });
});
