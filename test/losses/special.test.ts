import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digamma, digamma64, digammaDiff, lgamma, lgamma64, lgammaDiff, trigamma, trigamma64,
} from '../../src/losses/index.js';
import { logUniformArb } from '../arbitraries/losses.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';
import { digammaRef, lgammaRef, logRising } from './reference64.js';

const EULER_GAMMA = 0.57721566490153286;

/** ln Γ(n) = ln (n-1)! for whole n >= 1. */
function lgammaOfInteger(n: number): number {
  let s = 0;
  for (let k = 2; k < n; k += 1) s += Math.log(k);
  return s;
}

/** ln Γ(n + ½) = ln √π + Σ_{k=1..n} ln((2k-1)/2). */
function lgammaOfHalfInteger(n: number): number {
  let s = 0.5 * Math.log(Math.PI);
  for (let k = 1; k <= n; k += 1) s += Math.log((2 * k - 1) / 2);
  return s;
}

/** ψ(n) = -γ + H_{n-1}. */
function digammaOfInteger(n: number): number {
  let s = -EULER_GAMMA;
  for (let k = 1; k < n; k += 1) s += 1 / k;
  return s;
}

/** ψ(n + ½) = -γ - 2 ln 2 + Σ_{k=1..n} 2/(2k-1). */
function digammaOfHalfInteger(n: number): number {
  let s = -EULER_GAMMA - 2 * Math.LN2;
  for (let k = 1; k <= n; k += 1) s += 2 / (2 * k - 1);
  return s;
}

const close = (a: number, b: number, rel: number, abs = 0): boolean => Math.abs(a - b) <= Math.max(rel * Math.abs(b), abs);

describe('float64 special functions', () => {
  it('should match closed forms at integers and half-integers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
      expect(close(lgamma64(n), lgammaOfInteger(n), 1e-13, 1e-14)).toBe(true);
      expect(close(lgamma64(n + 0.5), lgammaOfHalfInteger(n), 1e-13, 1e-14)).toBe(true);
      expect(close(digamma64(n), digammaOfInteger(n), 1e-13, 1e-14)).toBe(true);
      expect(close(digamma64(n + 0.5), digammaOfHalfInteger(n), 1e-13, 1e-14)).toBe(true);
    }));
  });

  it('should give the published constants', () => {
    expect(digamma64(1)).toBeCloseTo(-EULER_GAMMA, 14);
    expect(lgamma64(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(trigamma64(1)).toBeCloseTo(Math.PI ** 2 / 6, 13);
    expect(trigamma64(0.5)).toBeCloseTo(Math.PI ** 2 / 2, 13);
  });

  it('should agree with an independent Lanczos implementation over [1e-3, 1e6]', () => {
    fc.assert(fc.property(logUniformArb(1e-3, 1e6), (x) => {
      expect(close(lgamma64(x), lgammaRef(x), 1e-12, 1e-13)).toBe(true);
      expect(close(digamma64(x), digammaRef(x), 1e-11, 1e-12)).toBe(true);
    }), { numRuns: 500 });
  });

  it('should make trigamma the derivative of digamma (central differences)', () => {
    fc.assert(fc.property(logUniformArb(1e-2, 1e4), (x) => {
      const h = 1e-4 * x;
      const fd = (digamma64(x + h) - digamma64(x - h)) / (2 * h);
      expect(close(trigamma64(x), fd, 1e-6)).toBe(true);
    }));
  });

  it('should give NaN for non-positive and NaN inputs', () => {
    for (const f of [lgamma64, digamma64, trigamma64]) {
      for (const x of [0, -1, -2.5, Number.NaN, -Infinity]) expect(f(x)).toBeNaN();
    }
  });
});

describeBackends('float32 lgamma and digamma ops', () => {
  /** Runs `op` on float32 inputs and returns [actual, float32 inputs]. */
  function evaluate(op: (x: tf.Tensor) => tf.Tensor, xs: readonly number[]): Float32Array {
    return tf.tidy(() => op(tf.tensor1d([...xs])).dataSync() as Float32Array);
  }

  it('should meet the accuracy target of lgamma (rel 1e-6; abs 1e-6 on [0.5, 3])', () => {
    fc.assert(fc.property(fc.array(logUniformArb(1e-3, 1e6), { minLength: 1, maxLength: 200 }), (xs) => {
      const ys = evaluate(lgamma, xs);
      xs.forEach((x, i) => {
        const ref = lgammaRef(x);
        const tolerance = x > 0.5 && x < 3 ? 1e-6 : 1e-6 * Math.abs(ref);
        expect(Math.abs((ys[i] ?? Number.NaN) - ref), `lgamma(${x})`).toBeLessThanOrEqual(tolerance);
      });
    }));
  });

  it('should meet the accuracy target of digamma (rel 1e-5), also next to its root 1.4616', () => {
    const nearRoot = fc.double({ min: 1.36, max: 1.56, noNaN: true }).map(Math.fround);
    fc.assert(fc.property(fc.array(fc.oneof(logUniformArb(1e-3, 1e6), nearRoot), { minLength: 1, maxLength: 200 }), (xs) => {
      const ys = evaluate(digamma, xs);
      xs.forEach((x, i) => {
        expect(close(ys[i] ?? Number.NaN, digammaRef(x), 1e-5), `digamma(${x})`).toBe(true);
      });
    }));
  });

  it('should give trigamma to 1e-6 relative', () => {
    fc.assert(fc.property(fc.array(logUniformArb(1e-3, 1e6), { minLength: 1, maxLength: 100 }), (xs) => {
      const ys = evaluate(trigamma, xs);
      xs.forEach((x, i) => expect(close(ys[i] ?? Number.NaN, trigamma64(x), 1e-6), `trigamma(${x})`).toBe(true));
    }));
  });

  it('should match closed forms at integers and half-integers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 170 }), (n) => {
      const [lgN, lgHalf] = evaluate(lgamma, [n, n + 0.5]);
      const [psiN, psiHalf] = evaluate(digamma, [n, n + 0.5]);
      expect(close(lgN ?? Number.NaN, lgammaOfInteger(n), 1e-6, 1e-6)).toBe(true);
      expect(close(lgHalf ?? Number.NaN, lgammaOfHalfInteger(n), 1e-6, 1e-6)).toBe(true);
      expect(close(psiN ?? Number.NaN, digammaOfInteger(n), 1e-5)).toBe(true);
      expect(close(psiHalf ?? Number.NaN, digammaOfHalfInteger(n), 1e-5)).toBe(true);
    }));
    const [psi1] = evaluate(digamma, [1]);
    expect(psi1).toBeCloseTo(-EULER_GAMMA, 6);
  });

  it('should give NaN for non-positive and NaN inputs, never a number', () => {
    const bad = [0, -1, -0.5, -3, Number.NaN, -Infinity];
    for (const op of [lgamma, digamma, trigamma]) {
      for (const y of evaluate(op, bad)) expect(y).toBeNaN();
    }
  });

  it('should differentiate lgamma to digamma and digamma to trigamma (central differences of float64)', () => {
    fc.assert(fc.property(fc.array(logUniformArb(1e-2, 1e4), { minLength: 1, maxLength: 20 }), (xs) => {
      const [dLgamma, dDigamma] = tf.tidy(() => {
        const x = tf.tensor1d(xs);
        return [tf.grad((t: tf.Tensor) => tf.sum(lgamma(t)))(x).dataSync(), tf.grad((t: tf.Tensor) => tf.sum(digamma(t)))(x).dataSync()];
      });
      xs.forEach((x, i) => {
        const h = 1e-5 * x;
        const fdLgamma = (lgammaRef(x + h) - lgammaRef(x - h)) / (2 * h);
        const fdDigamma = (digammaRef(x + h) - digammaRef(x - h)) / (2 * h);
        // Finite differences are good to about 1e-8 of the function's scale here.
        expect(close(dLgamma?.[i] ?? Number.NaN, fdLgamma, 1e-5, 1e-6), `lgamma'(${x})`).toBe(true);
        expect(close(dDigamma?.[i] ?? Number.NaN, fdDigamma, 1e-5), `digamma'(${x})`).toBe(true);
      });
    }));
  });

  it('should compute lgammaDiff = ln Γ(x+n) - ln Γ(x) to 2e-6 of max(|value|, 1 + |ln x|), and 0 exactly for n = 0', () => {
    const pairs = fc.array(fc.tuple(logUniformArb(1e-3, 1e5), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 100 });
    fc.assert(fc.property(pairs, (ps) => {
      const ys = tf.tidy(() => lgammaDiff(tf.tensor1d(ps.map((p) => p[0])), tf.tensor1d(ps.map((p) => p[1]))).dataSync());
      ps.forEach(([x, n], i) => {
        const y = ys[i] ?? Number.NaN;
        if (n === 0) expect(y).toBe(0);
        // Below x = 1 the result can be a small difference of terms of size |ln x|; that is the floor.
        else expect(close(y, logRising(x, n), 2e-6, 2e-6 * (1 + Math.abs(Math.log(x)))), `lgammaDiff(${x}, ${n})`).toBe(true);
      });
    }));
  });

  it('should compute digammaDiff = ψ(x+n) - ψ(x) to 2e-6 relative and differentiate lgammaDiff to it', () => {
    const pairs = fc.array(fc.tuple(logUniformArb(1e-3, 1e5), fc.integer({ min: 0, max: 300 })), { minLength: 1, maxLength: 50 });
    fc.assert(fc.property(pairs, (ps) => {
      const [values, grads] = tf.tidy(() => {
        const x = tf.tensor1d(ps.map((p) => p[0]));
        const n = tf.tensor1d(ps.map((p) => p[1]));
        const g = tf.grad((t: tf.Tensor) => tf.sum(lgammaDiff(t, n)))(x);
        return [digammaDiff(x, n).dataSync(), g.dataSync()];
      });
      ps.forEach(([x, n], i) => {
        let ref = 0;
        for (let j = 0; j < n; j += 1) ref += 1 / (x + j);
        expect(close(values[i] ?? Number.NaN, ref, 2e-6), `digammaDiff(${x}, ${n})`).toBe(true);
        expect(close(grads[i] ?? Number.NaN, ref, 2e-6), `d lgammaDiff(${x}, ${n})`).toBe(true);
      });
    }));
  });

  it('should not leak tensors', () => {
    const x = tf.tensor1d([0.5, 2, 30]);
    const n = tf.scalar(3);
    expect(leakedTensors(() => {
      tf.dispose([lgamma(x), digamma(x), trigamma(x), lgammaDiff(x, n), digammaDiff(x, n)]);
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(lgamma(t)))(x));
    })).toBe(0);
    tf.dispose([x, n]);
  });
});
