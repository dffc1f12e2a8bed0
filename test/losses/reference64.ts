// Independent float64 references for the loss tests. None of them shares code or method with
// src/losses: lgamma by Lanczos (g = 7, the widely published 9-term coefficients), digamma by
// differentiating that Lanczos form analytically, and the Dirichlet-multinomial by exact
// products over whole-number counts (no gamma function at all).

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 by the Lanczos approximation (about 1e-15 relative). */
export function lgammaRef(x: number): number {
  if (x < 0.5) return lgammaRef(x + 1) - Math.log(x);
  const z = x - 1;
  let a = LANCZOS[0] ?? 0;
  for (let k = 1; k < LANCZOS.length; k += 1) a += (LANCZOS[k] ?? 0) / (z + k);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) for x > 0: the derivative of the Lanczos form of ln Γ(z+1), with ψ(x) = ψ(x+1) - 1/x below 1. */
export function digammaRef(x: number): number {
  if (x < 1) return digammaRef(x + 1) - 1 / x;
  const z = x - 1;
  let a = LANCZOS[0] ?? 0;
  let da = 0;
  for (let k = 1; k < LANCZOS.length; k += 1) {
    a += (LANCZOS[k] ?? 0) / (z + k);
    da -= (LANCZOS[k] ?? 0) / ((z + k) * (z + k));
  }
  const t = z + LANCZOS_G + 0.5;
  return Math.log(t) + (z + 0.5) / t - 1 + da / a;
}

/** ln n! as a sum of logs. */
function logFactorial(n: number): number {
  let s = 0;
  for (let j = 2; j <= n; j += 1) s += Math.log(j);
  return s;
}

/** ln of the rising factorial x (x+1) ... (x+n-1), as a sum of logs (n a whole number). */
export function logRising(x: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j += 1) s += Math.log(x + j);
  return s;
}

/** Dirichlet-multinomial NLL from exact products: ln N! - Σ ln k_i! + Σ ln (α_i)_{k_i} - ln (A)_N, negated. */
export function dmNllRef(counts: readonly number[], alphas: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const concentration = alphas.reduce((a, b) => a + b, 0);
  let logPmf = logFactorial(total) - logRising(concentration, total);
  counts.forEach((k, i) => {
    logPmf += logRising(alphas[i] ?? Number.NaN, k) - logFactorial(k);
  });
  return -logPmf;
}

/** ψ(x+n) - ψ(x) for whole n, exactly: Σ_{j<n} 1/(x+j). */
export function digammaDiffRef(x: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j += 1) s += 1 / (x + j);
  return s;
}

/**
 * ∂NLL/∂α_i of {@link dmNllRef}, exactly: Σ_{j<N} 1/(A+j) - Σ_{j<k_i} 1/(α_i+j), with the size of
 * the two sums (what float32 rounding scales with) as `scale`.
 */
export function dmNllGradRef(counts: readonly number[], alphas: readonly number[]): { grad: number; scale: number }[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const shared = digammaDiffRef(alphas.reduce((a, b) => a + b, 0), total);
  return counts.map((k, i) => {
    const own = digammaDiffRef(alphas[i] ?? Number.NaN, k);
    return { grad: shared - own, scale: shared + own };
  });
}

/** Multinomial NLL: -(ln N! - Σ ln k_i! + Σ k_i ln p_i). */
export function multinomialNllRef(counts: readonly number[], probabilities: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let logPmf = logFactorial(total);
  counts.forEach((k, i) => {
    logPmf += k * Math.log(probabilities[i] ?? Number.NaN) - logFactorial(k);
  });
  return -logPmf;
}

/** Every vector of `answers` whole numbers summing to `total`. */
export function compositions(total: number, answers: number): number[][] {
  if (answers === 1) return [[total]];
  const out: number[][] = [];
  for (let first = 0; first <= total; first += 1) {
    for (const rest of compositions(total - first, answers - 1)) out.push([first, ...rest]);
  }
  return out;
}

/** Largest |a-b| / max(|b|, floor) over two equal-length lists. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const e = expected[i] ?? Number.NaN;
    const err = Math.abs((actual[i] ?? Number.NaN) - e) / Math.max(Math.abs(e), floor);
    worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  return worst;
}
