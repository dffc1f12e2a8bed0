import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { betaBinomialNLL, binomialNLL, dirichletMultinomialNLL } from '../../src/losses/index.js';
import { concentrationsArb, countsArb, logUniformArb, questionArb } from '../arbitraries/losses.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';
import { compositions, dmNllGradRef, dmNllRef, maxRelativeError, multinomialNllRef } from './reference64.js';

/** NLL of several questions with the same answer count, as plain numbers. */
function nll(counts: number[][], alphas: number[][]): number[] {
  return tf.tidy(() => Array.from(dirichletMultinomialNLL(tf.tensor2d(counts), tf.tensor2d(alphas)).dataSync()));
}

/** Rows of equal length, so they fit one [rows, answers] tensor. */
const sameWidthQuestions = (options: Parameters<typeof questionArb>[0] = {}) => fc.integer({ min: 2, max: 4 }).chain((answers) => fc.array(
  fc.record({ counts: countsArb(answers, options?.maxCount ?? 60), alphas: concentrationsArb(answers, options?.lo ?? 1, options?.hi ?? 101) }),
  { minLength: 1, maxLength: 16 },
));

describeBackends('dirichletMultinomialNLL', () => {
  it('should match exact float64 products to 2e-5 relative (counts <= 60, concentrations 1..1e4)', () => {
    fc.assert(fc.property(sameWidthQuestions({ hi: 1e4 }), (rows) => {
      const actual = nll(rows.map((r) => r.counts), rows.map((r) => r.alphas));
      const expected = rows.map((r) => dmNllRef(r.counts, r.alphas));
      // Relative, with an absolute floor of 2e-5 for NLLs below 1.
      expect(maxRelativeError(actual, expected, 1)).toBeLessThanOrEqual(2e-5);
    }), { numRuns: 60 });
  });

  it('should sum exp(-NLL) to 1 over every vote outcome (N <= 6, 2-4 answers)', () => {
    const arb = fc.record({ total: fc.integer({ min: 0, max: 6 }), alphas: fc.integer({ min: 2, max: 4 }).chain((m) => concentrationsArb(m, 0.1, 1e3)) });
    fc.assert(fc.property(arb, ({ total, alphas }) => {
      const outcomes = compositions(total, alphas.length);
      const values = nll(outcomes, outcomes.map(() => alphas));
      const sum = values.reduce((s, v) => s + Math.exp(-v), 0);
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-4);
    }));
  });

  it('should not change when answers are permuted', () => {
    const arb = questionArb({ hi: 1e4 }).chain((q) => fc.record({ q: fc.constant(q), order: fc.shuffledSubarray([...q.counts.keys()], { minLength: q.counts.length, maxLength: q.counts.length }) }));
    fc.assert(fc.property(arb, ({ q, order }) => {
      const [original, permuted] = nll(
        [q.counts, order.map((i) => q.counts[i] ?? 0)],
        [q.alphas, order.map((i) => q.alphas[i] ?? 1)],
      );
      expect(Math.abs((permuted ?? 0) - (original ?? 0))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(original ?? 0)));
    }));
  });

  it('should give exactly 0 and a zero gradient for questions with no votes', () => {
    fc.assert(fc.property(fc.array(concentrationsArb(3, 1e-3, 1e6), { minLength: 1, maxLength: 8 }), (alphas) => {
      const [value, grad] = tf.tidy(() => {
        const a = tf.tensor2d(alphas);
        const zeros = tf.zeros(a.shape);
        return [dirichletMultinomialNLL(zeros, a).dataSync(), tf.grad((t: tf.Tensor) => tf.sum(dirichletMultinomialNLL(zeros, t)))(a).dataSync()];
      });
      for (const v of value) expect(v).toBe(0);
      for (const g of grad) expect(g).toBe(0);
    }), { numRuns: 20 });
  });

  it('should tend to the multinomial as concentrations grow with fixed proportions', () => {
    const arb = fc.integer({ min: 2, max: 4 }).chain((m) => fc.record({
      counts: countsArb(m, 10),
      weights: fc.array(fc.double({ min: 0.2, max: 1, noNaN: true }), { minLength: m, maxLength: m }),
    }));
    fc.assert(fc.property(arb, ({ counts, weights }) => {
      const p = weights.map((w) => w / weights.reduce((a, b) => a + b, 0));
      const total = counts.reduce((a, b) => a + b, 0);
      const multinomial = multinomialNllRef(counts, p);
      for (const scale of [1e3, 1e5]) {
        const alphas = p.map((pi) => Math.fround(pi * scale));
        const [value] = nll([counts], [alphas]);
        // ln DM - ln Mult = O(Σ k_i²/α_i + N²/A); the float32 evaluation adds at most ~1e-5.
        const bound = counts.reduce((s, k, i) => s + (k * k) / (alphas[i] ?? 1), (total * total) / scale) + 1e-4;
        expect(Math.abs((value ?? 0) - multinomial)).toBeLessThanOrEqual(bound);
      }
    }), { numRuns: 25 });
  });

  it('should have the exact gradient Σ_{j<N} 1/(A+j) - Σ_{j<k_i} 1/(α_i+j) (and match central differences)', () => {
    fc.assert(fc.property(sameWidthQuestions({ hi: 1e4 }), (rows) => {
      const grad = tf.tidy(() => {
        const a = tf.tensor2d(rows.map((r) => r.alphas));
        return tf.grad((t: tf.Tensor) => tf.sum(dirichletMultinomialNLL(tf.tensor2d(rows.map((r) => r.counts)), t)))(a).dataSync();
      });
      const m = rows[0]?.counts.length ?? 0;
      rows.forEach((r, row) => {
        const expected = dmNllGradRef(r.counts, r.alphas);
        expected.forEach(({ grad: g, scale }, i) => {
          const h = 1e-4 * (r.alphas[i] ?? 1);
          const bumped = (d: number): number => dmNllRef(r.counts, r.alphas.map((a, j) => (j === i ? a + d : a)));
          const central = (bumped(h) - bumped(-h)) / (2 * h);
          // The two float64 references agree to well within 1e-6 of the digamma differences.
          expect(Math.abs(g - central)).toBeLessThanOrEqual(1e-5 * Math.abs(g) + 1e-6 * scale);
          // float32: 1e-5 relative, or a few rounding steps of the two digamma differences.
          expect(Math.abs((grad[row * m + i] ?? 0) - g)).toBeLessThanOrEqual(1e-5 * Math.abs(g) + 3e-7 * scale);
        });
      });
    }), { numRuns: 25 });
  });

  it('should round fractional float32 counts to whole votes, accept int32 counts, and keep leading dimensions', () => {
    const value = tf.tidy(() => {
      const counts = tf.tensor3d([[[3, 0, 1]], [[0, 2, 2]]], [2, 1, 3], 'int32');
      const alphas = tf.tensor3d([[[2, 3, 4]], [[5, 6, 7]]]);
      const noisy = tf.add(tf.cast(counts, 'float32'), tf.tensor3d([[[-1e-4, 2e-4, 0]], [[0, -3e-4, 1e-4]]]));
      const a = dirichletMultinomialNLL(counts, alphas);
      const b = dirichletMultinomialNLL(noisy, alphas);
      expect(a.shape).toEqual([2, 1]);
      return [a.dataSync(), b.dataSync()];
    });
    expect(Array.from(value[0] ?? [])).toEqual(Array.from(value[1] ?? []));
    expect(maxRelativeError(value[0] ?? [], [dmNllRef([3, 0, 1], [2, 3, 4]), dmNllRef([0, 2, 2], [5, 6, 7])], 1)).toBeLessThan(2e-5);
  });

  it('should give NaN for non-positive concentrations and throw typed errors when asked to validate', () => {
    const counts = tf.tensor2d([[1, 2], [0, 0]]);
    const alphas = tf.tensor2d([[1, -2], [0, 3]]);
    const values = dirichletMultinomialNLL(counts, alphas).dataSync();
    expect(values[0]).toBeNaN();
    expect(values[1]).toBeNaN();
    expect(() => dirichletMultinomialNLL(counts, alphas, { validate: true })).toThrow(ConfigError);
    expect(() => dirichletMultinomialNLL(counts, alphas, { validate: true })).toThrow(/concentrations must be positive and finite; got -2 at index \[0, 1\]/);
    expect(() => dirichletMultinomialNLL(tf.tensor2d([[1, -1]]), tf.tensor2d([[1, 1]]), { validate: true })).toThrow(/counts must be non-negative/);
    expect(() => dirichletMultinomialNLL(counts, tf.ones([2, 3]))).toThrow(ShapeError);
    expect(() => dirichletMultinomialNLL(tf.scalar(1), tf.scalar(1))).toThrow(ShapeError);
  });

  it('should not leak tensors, forward or backward', () => {
    const counts = tf.tensor2d([[3, 1, 0], [0, 0, 0]]);
    const alphas = tf.tensor2d([[2, 3, 4], [1, 1, 1]]);
    expect(leakedTensors(() => {
      dirichletMultinomialNLL(counts, alphas).dispose();
      tf.grad((t: tf.Tensor) => tf.sum(dirichletMultinomialNLL(counts, t)))(alphas).dispose();
    })).toBe(0);
    tf.dispose([counts, alphas]);
  });
});

describeBackends('betaBinomialNLL and binomialNLL', () => {
  const binaryArb = fc.array(fc.record({
    n: fc.integer({ min: 0, max: 60 }),
    kFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    a: logUniformArb(1, 1e4),
    b: logUniformArb(1, 1e4),
  }), { minLength: 1, maxLength: 16 }).map((rows) => rows.map((r) => ({ ...r, k: Math.round(r.kFraction * r.n) })));

  it('should equal the 2-answer Dirichlet-multinomial and the exact beta-binomial', () => {
    fc.assert(fc.property(binaryArb, (rows) => {
      const [bb, dm] = tf.tidy(() => {
        const col = (f: (r: (typeof rows)[number]) => number): tf.Tensor1D => tf.tensor1d(rows.map(f));
        return [
          betaBinomialNLL(col((r) => r.k), col((r) => r.n), col((r) => r.a), col((r) => r.b)).dataSync(),
          dirichletMultinomialNLL(tf.tensor2d(rows.map((r) => [r.k, r.n - r.k])), tf.tensor2d(rows.map((r) => [r.a, r.b]))).dataSync(),
        ];
      });
      // Beta-binomial pmf: C(n, k) B(k+a, n-k+b) / B(a, b), i.e. the same exact products with two answers.
      expect(maxRelativeError(bb, rows.map((r) => dmNllRef([r.k, r.n - r.k], [r.a, r.b])), 1)).toBeLessThanOrEqual(2e-5);
      expect(Array.from(bb)).toEqual(Array.from(dm));
    }), { numRuns: 25 });
  });

  it('should broadcast scalars and be differentiable in a and b', () => {
    const [value, da] = tf.tidy(() => {
      const a = tf.tensor1d([2, 20]);
      const f = (t: tf.Tensor): tf.Tensor => tf.sum(betaBinomialNLL(tf.tensor1d([3, 7]), tf.scalar(10), t, tf.scalar(5)));
      return [f(a).dataSync(), tf.grad(f)(a).dataSync()];
    });
    expect(value[0]).toBeCloseTo(dmNllRef([3, 7], [2, 5]) + dmNllRef([7, 3], [20, 5]), 3);
    expect(da[0]).toBeCloseTo(dmNllGradRef([3, 7], [2, 5])[0]?.grad ?? 0, 5);
    expect(() => betaBinomialNLL(tf.ones([2]), tf.ones([3]), tf.ones([2]), tf.ones([2]))).toThrow(ShapeError);
  });

  it("should compute W+20's binomial loss with its 1e-8 guards", () => {
    const arb = fc.array(fc.record({ n: fc.integer({ min: 0, max: 60 }), f: fc.double({ min: 0, max: 1, noNaN: true }), rho: fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround) }), { minLength: 1, maxLength: 16 });
    fc.assert(fc.property(arb, (rows) => {
      const ks = rows.map((r) => Math.round(r.f * r.n));
      const actual = tf.tidy(() => binomialNLL(tf.tensor1d(ks), tf.tensor1d(rows.map((r) => r.n)), tf.tensor1d(rows.map((r) => r.rho))).dataSync());
      const expected = rows.map((r, i) => -((ks[i] ?? 0) * Math.log(r.rho + 1e-8) + (r.n - (ks[i] ?? 0)) * Math.log(1 - r.rho + 1e-8)));
      // float32 rounds 1 - rho + 1e-8 to 1 - rho; both are finite thanks to the guard.
      expect(maxRelativeError(actual, expected, 1)).toBeLessThanOrEqual(1e-4);
    }));
    expect(() => binomialNLL(tf.ones([2]), tf.ones([3]), tf.ones([2]))).toThrow(ShapeError);
  });
});
