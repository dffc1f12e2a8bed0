/**
 * Log-gamma, digamma and trigamma as tfjs ops built only from elementwise kernels that every
 * backend has (cpu, wasm, webgl, webgpu), since no backend ships Lgamma or Digamma.
 *
 * Method (float32), with x > 0:
 * - lgamma, x >= 5: Stirling series `(x-½)(ln x - 1) + (½ln 2π - ½) + 1/(12x) - ... - 1/(1680x⁷)`,
 *   truncation error < 5e-10. Below 5 the recurrence moves x into [1.5, 2.5) (at most two steps
 *   up, three down, each adding ∓ln of the step) and the Taylor series around 2,
 *   `ln Γ(2+t) = (1-γ)t + Σ_{k=2..14} (-1)^k (ζ(k)-1) t^k / k`, truncation error < 3e-10. Keeping
 *   t small near the zeros at 1 and 2 is what keeps the absolute error there near float32 rounding
 *   (a plain shift to x >= 8 cancels two numbers near 10 and loses about 2e-6).
 * - digamma, x >= 6: asymptotic series to 1/(132x¹⁰) (error < 1e-11); below 6 the shift
 *   ψ(x) = ψ(x+6) - Σ_{j<6} 1/(x+j). Within 0.1 of the positive root x₀ ≈ 1.4616 that shift
 *   cancels, so there ψ(x) = Σ_{k=1..7} c_k t^k with t = x - x₀ (x₀ split into two float32
 *   parts so t is exact) and c_k = (-1)^(k+1) ζ(k+1, x₀), truncation error < 1e-9 relative.
 * - trigamma: the same shift (all terms positive, no cancellation) and its asymptotic series.
 *
 * Error bound (float32, x in [1e-3, 1e6], checked in test/losses/special.test.ts against an
 * independent float64 Lanczos): lgamma relative <= 1e-6, absolute <= 1e-6 on [0.5, 3] around its
 * zeros; digamma relative <= 1e-5. Measured worst over 3e5 log-uniform points on cpu and wasm:
 * lgamma 2.8e-7 relative and 1.2e-7 absolute on [0.5, 3], digamma 3.8e-6 relative.
 * Non-positive and NaN inputs give NaN.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.Tensor;

/** Euler-Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/** ζ(k) - 1 for k = 2..14 (Hurwitz ζ(k, 2), computed in float64 by Euler-Maclaurin summation). */
const ZETA_MINUS_ONE = [
  0.6449340668482264, 0.20205690315959426, 0.08232323371113823, 0.036927755143369934,
  0.017343061984449137, 0.008349277381922824, 0.004077356197944339, 0.0020083928260822147,
  0.000994575127818086, 0.0004941886041194645, 0.0002460865533080482, 0.00012271334757848917,
  0.0000612481350587048,
] as const;

/** Taylor coefficients of ln Γ(2+t)/t, lowest order first. */
const LGAMMA_AT_TWO = [1 - EULER_GAMMA, ...ZETA_MINUS_ONE.map((z, i) => ((i % 2 === 0 ? 1 : -1) * z) / (i + 2))];

/** Positive root of digamma split into float32 high and low parts: x₀ = HI + LO. */
const DIGAMMA_ROOT_HI = 1.4616321325302124;
const DIGAMMA_ROOT_LO = 1.2438149843418955e-8;
/** c_k = ψ^(k)(x₀)/k! = (-1)^(k+1) ζ(k+1, x₀), k = 1..7 (float64 Euler-Maclaurin). */
const DIGAMMA_AT_ROOT = [
  0.9676722454476216, -0.44276316898359236, 0.25849976095565114, -0.16394270544240658,
  0.10782405069126239, -0.07219956125645476, 0.048804288164143145,
] as const;
const ROOT_WINDOW = 0.1;

const LGAMMA_ASYMPTOTIC_FROM = 5;
const DIGAMMA_SHIFT = 6;

/** @internal Horner evaluation of Σ c_i t^i, lowest order first. */
export function polynomial(t: Tensor, coefficients: readonly number[]): Tensor {
  let acc: Tensor = tf.scalar(coefficients[coefficients.length - 1] ?? 0);
  for (let i = coefficients.length - 2; i >= 0; i -= 1) acc = tf.add(tf.mul(acc, t), coefficients[i] ?? 0);
  return acc;
}

/**
 * @internal log(1 + x) accurate for small x on every backend: the wasm backend's Log1p kernel
 * computes log(1 + x) directly and is off by 0.1% at x = 1e-5. With u = fl(1 + x),
 * log1p(x) = log(u) + log(1 + (x - (u - 1))/u) ≈ log(u) - ((u - 1) - x)/u, where u - 1 is exact
 * for |x| < 1 and the dropped second-order term is below 1e-14: no branches, five kernels.
 */
export function log1p(x: Tensor): Tensor {
  const u = tf.add(x, 1);
  return tf.sub(tf.log(u), tf.div(tf.sub(tf.sub(u, 1), x), u));
}

/**
 * @internal `value` where `mask` holds, 0 elsewhere, as one multiply (tf.where would tile a
 * scalar 0 first). `value` must be finite in the masked-out lanes, or they become NaN; every
 * caller here guards those lanes with {@link nanUnlessPositive} or keeps them finite.
 */
export function onlyWhere(mask: Tensor, value: Tensor): Tensor {
  return tf.mul(value, tf.cast(mask, 'float32'));
}

/** @internal NaN wherever x is not > 0 (including NaN), `value` elsewhere. */
export function nanUnlessPositive(x: Tensor, value: Tensor): Tensor {
  return tf.where(tf.greater(x, 0), value, tf.fill(value.shape, Number.NaN));
}

function lgammaForward(x: Tensor): Tensor {
  // Asymptotic branch, evaluated on max(x, 5) so the unused lanes stay finite.
  const big = tf.maximum(x, LGAMMA_ASYMPTOTIC_FROM);
  const r = tf.reciprocal(big);
  const w = tf.square(r);
  const series = tf.mul(r, polynomial(w, [1 / 12, -1 / 360, 1 / 1260, -1 / 1680]));
  const stirling = tf.add(
    tf.mul(tf.sub(big, 0.5), tf.sub(tf.log(big), 1)),
    tf.add(series, 0.5 * Math.log(2 * Math.PI) - 0.5),
  );

  // Recurrence into [1.5, 2.5): Γ(z) = Γ(z+1)/z upward, Γ(z) = (z-1)Γ(z-1) downward.
  let z = tf.clipByValue(x, 0, LGAMMA_ASYMPTOTIC_FROM);
  let logShift: Tensor = tf.zerosLike(z);
  for (let step = 0; step < 2; step += 1) {
    const up = tf.less(z, 1.5);
    logShift = tf.sub(logShift, onlyWhere(up, tf.log(z)));
    z = tf.where(up, tf.add(z, 1), z);
  }
  for (let step = 0; step < 3; step += 1) {
    const down = tf.greaterEqual(z, 2.5);
    z = tf.where(down, tf.sub(z, 1), z);
    logShift = tf.add(logShift, onlyWhere(down, tf.log(z)));
  }
  const t = tf.sub(z, 2);
  const small = tf.add(tf.mul(t, polynomial(t, LGAMMA_AT_TWO)), logShift);

  return nanUnlessPositive(x, tf.where(tf.greaterEqual(x, LGAMMA_ASYMPTOTIC_FROM), stirling, small));
}

function digammaForward(x: Tensor): Tensor {
  const shifted = tf.less(x, DIGAMMA_SHIFT);
  const z = tf.where(shifted, tf.add(x, DIGAMMA_SHIFT), x);
  const w = tf.reciprocal(tf.square(z));
  const asymptotic = tf.sub(
    tf.sub(tf.log(z), tf.div(0.5, z)),
    tf.mul(w, polynomial(w, [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132])),
  );
  const low = tf.minimum(x, DIGAMMA_SHIFT);
  let shiftSum: Tensor = tf.reciprocal(low);
  for (let j = 1; j < DIGAMMA_SHIFT; j += 1) shiftSum = tf.add(shiftSum, tf.reciprocal(tf.add(low, j)));
  const viaShift = tf.sub(asymptotic, onlyWhere(shifted, shiftSum));

  const t = tf.sub(tf.sub(x, DIGAMMA_ROOT_HI), DIGAMMA_ROOT_LO);
  const nearRoot = tf.mul(t, polynomial(t, DIGAMMA_AT_ROOT));
  return nanUnlessPositive(x, tf.where(tf.less(tf.abs(t), ROOT_WINDOW), nearRoot, viaShift));
}

function trigammaForward(x: Tensor): Tensor {
  const shifted = tf.less(x, DIGAMMA_SHIFT);
  const z = tf.where(shifted, tf.add(x, DIGAMMA_SHIFT), x);
  const r = tf.reciprocal(z);
  const w = tf.square(r);
  const asymptotic = tf.add(
    tf.add(r, tf.mul(w, 0.5)),
    tf.mul(tf.mul(r, w), polynomial(w, [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66])),
  );
  const low = tf.minimum(x, DIGAMMA_SHIFT);
  let shiftSum: Tensor = tf.reciprocal(tf.square(low));
  for (let j = 1; j < DIGAMMA_SHIFT; j += 1) shiftSum = tf.add(shiftSum, tf.reciprocal(tf.square(tf.add(low, j))));
  return nanUnlessPositive(x, tf.add(asymptotic, onlyWhere(shifted, shiftSum)));
}

/** @internal The input as a float32 tensor. */
export function asFloat(x: tf.Tensor | tf.TensorLike): Tensor {
  const t = x instanceof tf.Tensor ? x : tf.tensor(x);
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

const lgammaWithGrad = tf.customGrad((...args) => {
  const [x, save] = args as [Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: lgammaForward(x),
    gradFunc: (dy, saved) => tf.mul(dy, digammaForward(saved[0] as Tensor)),
  };
});

const digammaWithGrad = tf.customGrad((...args) => {
  const [x, save] = args as [Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: digammaForward(x),
    gradFunc: (dy, saved) => tf.mul(dy, trigammaForward(saved[0] as Tensor)),
  };
});

/**
 * Elementwise ln Γ(x), differentiable: its gradient is {@link digamma}.
 *
 * @param x - tensor of any shape (cast to float32).
 * @returns ln Γ(x), same shape; NaN where x <= 0 or NaN.
 * @example
 * ```ts
 * lgamma(tf.tensor1d([0.5, 1, 10])); // [0.5724, 0, 12.8018]
 * tf.grad((x) => lgamma(x))(tf.scalar(1)); // -0.5772 (ψ(1) = -γ)
 * ```
 */
export function lgamma<T extends tf.Tensor>(x: T | tf.TensorLike): T {
  return tf.tidy(() => lgammaWithGrad(asFloat(x))) as T;
}

/**
 * Elementwise digamma ψ(x) = d/dx ln Γ(x), differentiable: its gradient is {@link trigamma}.
 *
 * @param x - tensor of any shape (cast to float32).
 * @returns ψ(x), same shape; NaN where x <= 0 or NaN.
 */
export function digamma<T extends tf.Tensor>(x: T | tf.TensorLike): T {
  return tf.tidy(() => digammaWithGrad(asFloat(x))) as T;
}

/**
 * Elementwise trigamma ψ'(x) (relative error about 1e-6 in float32, no cancellation anywhere).
 * Its own gradient is taken through the composing ops and is not tuned for accuracy.
 *
 * @param x - tensor of any shape (cast to float32).
 * @returns ψ'(x), same shape; NaN where x <= 0 or NaN.
 */
export function trigamma<T extends tf.Tensor>(x: T | tf.TensorLike): T {
  return tf.tidy(() => trigammaForward(asFloat(x))) as T;
}
