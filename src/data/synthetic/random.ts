/**
 * A small seeded pseudo-random generator with the samplers the synthetic data set needs.
 * No dependency and no global state, so the same seed gives the same bytes in Node, the
 * browser and a worker.
 *
 * @module
 */
import { ConfigError } from '../../errors.js';

/** Mixes a 32-bit word (the finaliser of MurmurHash3), so nearby seeds give unrelated states. */
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seeded generator: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128-bit
 * state, passes PractRand to terabytes) plus samplers built on it.
 *
 * Build one with {@link createRng}; `createRng(seed, galaxy, stream)` gives independent streams
 * for one galaxy, so rendering at another size never changes the galaxy's parameters or votes.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @internal Use {@link createRng}. */
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    // Discard the first outputs, which still resemble the seed words.
    for (let i = 0; i < 12; i += 1) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal draw (Box-Muller; 1 - u keeps the logarithm finite). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape < 1 through the boost
   * Gamma(a) = Gamma(a + 1) U^(1/a)).
   */
  gamma(shape: number): number {
    if (!(shape > 0) || !Number.isFinite(shape)) throw new ConfigError(`Rng.gamma: shape must be positive and finite, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** A Beta(a, b) draw, as X / (X + Y) of two gamma draws. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  /** A Dirichlet(alpha) draw: a probability vector of alpha's length. */
  dirichlet(alpha: ArrayLike<number>): Float64Array {
    const out = new Float64Array(alpha.length);
    let total = 0;
    for (let i = 0; i < alpha.length; i += 1) {
      out[i] = this.gamma(alpha[i] ?? Number.NaN);
      total += out[i] ?? 0;
    }
    for (let i = 0; i < out.length; i += 1) out[i] = (out[i] ?? 0) / total;
    return out;
  }

  /**
   * A Poisson(lambda) draw: the number of unit-rate exponential gaps that fit in lambda.
   * Exact, O(lambda) time, so meant for the small means used here (tens).
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new ConfigError(`Rng.poisson: lambda must be finite and >= 0, got ${lambda}`);
    let k = 0;
    let t = -Math.log(1 - this.next());
    while (t < lambda) {
      k += 1;
      t -= Math.log(1 - this.next());
    }
    return k;
  }

  /**
   * An index drawn with probability proportional to `weights[start..end)`, returned relative
   * to `start`. Weights need not sum to 1.
   */
  categorical(weights: ArrayLike<number>, start = 0, end = weights.length): number {
    let total = 0;
    for (let i = start; i < end; i += 1) total += weights[i] ?? 0;
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new ConfigError(`Rng.categorical: weights must be >= 0 with a positive finite sum, got sum ${total}`);
    }
    let u = this.next() * total;
    for (let i = start; i < end; i += 1) {
      u -= weights[i] ?? 0;
      if (u < 0) return i - start;
    }
    // Rounding can leave u a hair above 0: take the last answer with weight.
    for (let i = end - 1; i >= start; i -= 1) if ((weights[i] ?? 0) > 0) return i - start;
    return end - 1 - start;
  }

  /** Counts of `n` categorical draws over `weights` (a multinomial draw). */
  multinomial(n: number, weights: ArrayLike<number>): Int32Array {
    const counts = new Int32Array(weights.length);
    for (let i = 0; i < n; i += 1) {
      const k = this.categorical(weights);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  }
}

/**
 * A generator seeded by one or more integers (a seed, then e.g. a galaxy index and a stream
 * number). Every key changes the whole state, so `createRng(s, i, 0)` and `createRng(s, i, 1)`
 * are independent streams.
 *
 * @param keys - integers (taken modulo 2^32).
 * @returns a fresh {@link Rng}.
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.normal(); // the same number on every platform
 * ```
 */
export function createRng(...keys: number[]): Rng {
  if (keys.length === 0) throw new ConfigError('createRng: give at least one seed');
  for (const key of keys) {
    if (!Number.isInteger(key)) throw new ConfigError(`createRng: seeds must be integers, got ${key}`);
  }
  const state = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x6a09e667];
  for (const key of keys) {
    for (let i = 0; i < 4; i += 1) {
      state[i] = mix32((state[i] ?? 0) ^ mix32((key >>> 0) + Math.imul(i + 1, 0x632be5ab)));
    }
  }
  return new Rng(state[0] ?? 0, state[1] ?? 0, state[2] ?? 0, state[3] ?? 0);
}
