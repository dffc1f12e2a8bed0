/**
 * Stable differences of log-gamma and digamma at points n apart: the log rising factorial
 * (log Pochhammer) ln Γ(x+n) - ln Γ(x) and ψ(x+n) - ψ(x), for x > 0 and n >= 0.
 *
 * Subtracting two float32 lgamma values of size ~N ln A loses about 1e-4 of the
 * Dirichlet-multinomial NLL even for concentrations below 101, so both differences are formed
 * from small pieces instead (u = n/x):
 * - x >= 5: ln Γ(x+n) - ln Γ(x) = n ln x + G(x, n) with
 *   G = x h(u) - ½ log1p(u) + S(x+n) - S(x), where h(u) = (1+u) log1p(u) - u (a series for
 *   u < 0.1, where the two terms would cancel) and S is Stirling's 1/(12x) - 1/(360x³) + ...
 *   (truncation error < 5e-10). ψ(x+n) - ψ(x) = log1p(u) + n/(2x(x+n)) - (R(x+n) - R(x)).
 * - x < 5: the recurrence shifts x by 5 and subtracts Σ_{j<5} log1p(n/(x+j)) (for ψ it adds
 *   Σ n/((x+j)(x+n+j)), all positive terms).
 * Both are exactly 0 when n = 0. log1p is computed here too, since the wasm backend's Log1p
 * kernel is log(1 + x) and loses 0.1% at x = 1e-5.
 *
 * For the Dirichlet-multinomial the module also forms W(x, n) = ln[Γ(x+n) / (Γ(x) n!)] for whole
 * n in two ways, each accurate where its terms stay small: directly (small x) and as
 * n ln(x/(n+1)) + n + V(x, n) (large x), so the caller can cancel the large logarithms of a
 * question and its answers inside one log.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { asFloat, log1p, nanUnlessPositive, onlyWhere, polynomial } from './special.js';
import { broadcastShape } from './validation.js';
import { lgamma64 } from './special64.js';

type Tensor = tf.Tensor;

const ASYMPTOTIC_FROM = 5;
const SHIFT = 5;
const H_SERIES_BELOW = 0.1;

/** h(u)/u² = Σ_{k>=2} (-1)^k u^(k-2) / (k(k-1)), k up to 9: truncation < 3e-10 relative at u = 0.1. */
const H_SERIES = Array.from({ length: 8 }, (_, i) => ((i % 2 === 0 ? 1 : -1) / ((i + 2) * (i + 1))));

/**
 * h(u) = (1+u) log1p(u) - u for u >= 0, by its series below u = 0.1, where the direct form
 * would lose more than a factor 20 to cancellation.
 */
function hFunction(u: Tensor): Tensor {
  const direct = tf.sub(tf.mul(tf.add(u, 1), log1p(u)), u);
  const small = tf.minimum(u, H_SERIES_BELOW);
  const series = tf.mul(tf.square(small), polynomial(small, H_SERIES));
  return tf.where(tf.less(u, H_SERIES_BELOW), series, direct);
}

/** Stirling's correction S(z) = ln Γ(z) - [(z-½) ln z - z + ½ ln 2π]. */
function stirlingCorrection(z: Tensor): Tensor {
  const r = tf.reciprocal(z);
  return tf.mul(r, polynomial(tf.square(r), [1 / 12, -1 / 360, 1 / 1260, -1 / 1680]));
}

/** R(z) = ln z - 1/(2z) - ψ(z). */
function digammaCorrection(z: Tensor): Tensor {
  const w = tf.reciprocal(tf.square(z));
  return tf.mul(w, polynomial(w, [1 / 12, -1 / 120, 1 / 252, -1 / 240]));
}

/** ½ ln 2π. */
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const FACTORIAL_TABLE_SIZE = 5;
/** δ(n) - δ(0) for n = 0..4, where δ(n) = ln n! - [(n+½) ln(n+1) - (n+1) + ½ ln 2π] (float64). */
const FACTORIAL_REMAINDERS = Array.from({ length: FACTORIAL_TABLE_SIZE }, (_, n) => {
  const delta = (m: number): number => lgamma64(m + 1) - ((m + 0.5) * Math.log(m + 1) - (m + 1) + HALF_LOG_TWO_PI);
  return n === 0 ? 0 : delta(n) - delta(0);
});

/**
 * For whole numbers n >= 0: δ(n) - δ(0), with δ(n) the remainder of Stirling's
 * formula for ln n! = (n+½) ln(n+1) - (n+1) + ½ ln 2π + δ(n). A table for n < 5 (so δ'(0) is
 * exactly 0), Stirling's series S(n+1) above.
 */
function factorialStirlingRemainder(n: Tensor): Tensor {
  const index = tf.cast(tf.clipByValue(n, 0, FACTORIAL_TABLE_SIZE - 1), 'int32');
  const table = tf.gather(tf.tensor1d(FACTORIAL_REMAINDERS), index);
  const series = tf.sub(stirlingCorrection(tf.add(tf.maximum(n, FACTORIAL_TABLE_SIZE), 1)), 1 - HALF_LOG_TWO_PI);
  return tf.where(tf.less(n, FACTORIAL_TABLE_SIZE), table, series);
}

/** x shifted up by {@link SHIFT} where it is below the asymptotic range, and the shift mask. */
function shifted(x: Tensor): { z: Tensor; low: Tensor; isShifted: Tensor } {
  const isShifted = tf.less(x, ASYMPTOTIC_FROM);
  return { z: tf.where(isShifted, tf.add(x, SHIFT), x), low: tf.minimum(x, ASYMPTOTIC_FROM), isShifted };
}

/** G(z, n) = ln Γ(z+n) - ln Γ(z) - n ln z for z >= 5, by the Stirling difference. */
function remainderAsymptotic(z: Tensor, n: Tensor): Tensor {
  const u = tf.div(n, z);
  return tf.add(
    tf.sub(tf.mul(z, hFunction(u)), tf.mul(0.5, log1p(u))),
    tf.sub(stirlingCorrection(tf.add(z, n)), stirlingCorrection(z)),
  );
}

/**
 * ln Γ(x+n) - ln Γ(x) = n ln(base) + rest, where base is x moved into the asymptotic range
 * (x + 5 below 5) and rest = G(base, n) minus the shift's Σ_{j<5} log1p(n/(x+j)).
 */
function lgammaDiffParts(x: Tensor, n: Tensor): { base: Tensor; rest: Tensor } {
  const { z, low, isShifted } = shifted(x);
  let shiftSum = log1p(tf.div(n, low));
  for (let j = 1; j < SHIFT; j += 1) shiftSum = tf.add(shiftSum, log1p(tf.div(n, tf.add(low, j))));
  return { base: z, rest: tf.sub(remainderAsymptotic(z, n), onlyWhere(isShifted, shiftSum)) };
}

const REDUCED_FORM_RATIO = 0.25;

/**
 * @internal Where W(x, n) is better formed as n ln(x/(n+1)) + n + V(x, n) (see
 * {@link reducedLogRisingOverFactorial}) than directly ({@link logRisingOverFactorial}):
 * x >= max(5, n/4). V's largest term is about n ln(n/x) - n and W's direct terms about
 * 2x ln n, so the switch keeps the smaller ones.
 */
export function prefersReducedForm(x: Tensor, n: Tensor): Tensor {
  return tf.greaterEqual(x, tf.maximum(tf.mul(n, REDUCED_FORM_RATIO), ASYMPTOTIC_FROM));
}

/**
 * @internal For x >= 5 and whole n >= 0: V(x, n) = W(x, n) - n ln(x/(n+1)) - n, with
 * W(x, n) = ln[Γ(x+n) / (Γ(x) n!)], i.e. G(x, n) - ½ ln(n+1) - δ'(n). Separating
 * n ln(x/(n+1)) lets a caller cancel the large logarithms of several terms inside one log.
 * Evaluated at max(x, 5); no NaN guard (the caller guards x > 0).
 */
export function reducedLogRisingOverFactorial(x: Tensor, n: Tensor): Tensor {
  const z = tf.maximum(x, ASYMPTOTIC_FROM);
  return tf.sub(remainderAsymptotic(z, n), tf.add(tf.mul(0.5, log1p(n)), factorialStirlingRemainder(n)));
}

/** 5½ ln 6 + S(6) = ln Γ(6) + 6 - ½ ln 2π, the constant of {@link logRisingOverFactorial}'s tail. */
const STIRLING_AT_SIX = lgamma64(6) + 6 - HALF_LOG_TWO_PI;

/**
 * @internal For x > 0 and whole n >= 0: W(x, n) = ln Γ(x+n) - ln Γ(x) - ln n!, which is small for
 * small x (about (x-1) ln n), formed without any ln Γ: the first min(n, 5) factors directly,
 * W(x, 5) = Σ_{j<5} log1p((x-1)/(j+1)), and for n > 5 the rest, ln[(x+5)_{n-5} / (6)_{n-5}], by
 * Stirling at x+5 and 6 with the large n ln n terms cancelled analytically:
 * (x-1) ln(x+n) + (n+½) log1p((x-1)/(n+1)) - (x+4½) ln(x+5) + 5½ ln 6 + S(x+n) - S(x+5) - S(n+1) + S(6).
 * No NaN guard (the caller guards x > 0).
 */
export function logRisingOverFactorial(x: Tensor, n: Tensor): Tensor {
  const xm1 = tf.sub(x, 1);
  let head: Tensor = tf.zerosLike(tf.add(x, n));
  for (let j = 0; j < FACTORIAL_TABLE_SIZE; j += 1) {
    head = tf.add(head, onlyWhere(tf.greater(n, j), log1p(tf.div(xm1, j + 1))));
  }
  const m = tf.maximum(n, FACTORIAL_TABLE_SIZE);
  const x5 = tf.add(x, FACTORIAL_TABLE_SIZE);
  const xm = tf.add(x, m);
  const logs = tf.add(
    tf.add(tf.mul(xm1, tf.log(xm)), tf.mul(tf.add(m, 0.5), log1p(tf.div(xm1, tf.add(m, 1))))),
    tf.sub(STIRLING_AT_SIX, tf.mul(tf.add(x, FACTORIAL_TABLE_SIZE - 0.5), tf.log(x5))),
  );
  const corrections = tf.sub(tf.sub(stirlingCorrection(xm), stirlingCorrection(x5)), stirlingCorrection(tf.add(m, 1)));
  return tf.add(head, onlyWhere(tf.greater(n, FACTORIAL_TABLE_SIZE), tf.add(logs, corrections)));
}

/** @internal ψ(x+n) - ψ(x) on float32 inputs that broadcast together; NaN where x <= 0. */
export function digammaDiffForward(x: Tensor, n: Tensor): Tensor {
  const { z, low, isShifted } = shifted(x);
  const zn = tf.add(z, n);
  const asymptotic = tf.sub(
    tf.add(log1p(tf.div(n, z)), tf.div(tf.mul(n, 0.5), tf.mul(z, zn))),
    tf.sub(digammaCorrection(zn), digammaCorrection(z)),
  );
  let correction: Tensor = tf.zerosLike(asymptotic);
  for (let j = 0; j < SHIFT; j += 1) {
    const a = tf.add(low, j);
    correction = tf.add(correction, tf.div(n, tf.mul(a, tf.add(a, n))));
  }
  return nanUnlessPositive(x, tf.add(asymptotic, onlyWhere(isShifted, correction)));
}

const lgammaDiffWithGrad = tf.customGrad((...args) => {
  const [x, n, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
  save([x, n]);
  const { base, rest } = lgammaDiffParts(x, n);
  return {
    value: nanUnlessPositive(x, tf.add(tf.mul(n, tf.log(base)), rest)),
    gradFunc: (dy, saved) => {
      const [sx, sn] = saved as [Tensor, Tensor];
      // Inputs were broadcast to one shape before this op, so no reduction is needed here.
      return [tf.mul(dy, digammaDiffForward(sx, sn)), tf.zerosLike(sn)];
    },
  };
});

/**
 * ln Γ(x+n) - ln Γ(x) (the log rising factorial, ln of x(x+1)...(x+n-1) for integer n),
 * computed without subtracting two large lgamma values. Differentiable in `x` (gradient
 * ψ(x+n) - ψ(x), itself formed stably); `n` gets a zero gradient since it holds counts.
 *
 * @param x - positive values, any shape (cast to float32).
 * @param n - non-negative values broadcastable with `x`, typically vote counts.
 * @returns the difference, with the broadcast shape; exactly 0 where n = 0; NaN where x <= 0.
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * lgammaDiff(tf.scalar(3), tf.scalar(2)); // ln(3·4) = 2.4849
 * ```
 */
export function lgammaDiff<T extends tf.Tensor>(x: T | tf.TensorLike, n: tf.Tensor | tf.TensorLike): T {
  return tf.tidy(() => {
    const xf = asFloat(x);
    const nf = asFloat(n);
    const shape = broadcastShape([xf, nf], 'lgammaDiff');
    return lgammaDiffWithGrad(tf.broadcastTo(xf, shape), tf.broadcastTo(nf, shape));
  }) as T;
}

/**
 * ψ(x+n) - ψ(x), computed stably (see the module notes). Not differentiable.
 *
 * @param x - positive values, any shape.
 * @param n - non-negative values broadcastable with `x`.
 * @returns the difference, with the broadcast shape; exactly 0 where n = 0; NaN where x <= 0.
 */
export function digammaDiff<T extends tf.Tensor>(x: T | tf.TensorLike, n: tf.Tensor | tf.TensorLike): T {
  return tf.tidy(() => digammaDiffForward(asFloat(x), asFloat(n))) as T;
}
