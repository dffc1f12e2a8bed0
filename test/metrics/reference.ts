/**
 * Independent float64 references for the metrics tests: direct products and sums, no lgamma,
 * no tables, no shared code with src/metrics.
 */

/** All vectors of `answers` non-negative integers summing to `votes` (the losses tests' enumerator). */
import { compositions as allOutcomes } from '../losses/reference64.js';

export { allOutcomes };

/** Rising factorial x (x+1) ... (x+n-1). */
function rising(x: number, n: number): number {
  let p = 1;
  for (let j = 0; j < n; j += 1) p *= x + j;
  return p;
}

function factorial(n: number): number {
  return rising(1, n);
}

/** Dirichlet-multinomial pmf from its definition N!/Πk! · Γ(A)/Γ(N+A) · Π Γ(k+α)/Γ(α). */
export function dmPmf(counts: readonly number[], alpha: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  const total = alpha.reduce((a, b) => a + b, 0);
  let p = factorial(n) / rising(total, n);
  counts.forEach((k, i) => { p *= rising(alpha[i]!, k) / factorial(k); });
  return p;
}

/** Equal mixture over passes of Dirichlet-multinomials. */
export function mixturePmf(counts: readonly number[], alphas: readonly (readonly number[])[]): number {
  return alphas.reduce((s, a) => s + dmPmf(counts, a), 0) / alphas.length;
}

/** Shannon entropy (nats) of a pmf given as a list of probabilities. */
export function entropy(ps: readonly number[]): number {
  return ps.reduce((s, p) => (p > 0 ? s - p * Math.log(p) : s), 0);
}

/** BALD by the definition: H[mixture] - mean_t H[P_t], summing over every outcome. */
export function directBald(alphas: readonly (readonly number[])[], votes: number): { mi: number; h: number } {
  const outcomes = allOutcomes(votes, alphas[0]!.length);
  const h = entropy(outcomes.map((k) => mixturePmf(k, alphas)));
  const perPass = alphas.map((a) => entropy(outcomes.map((k) => dmPmf(k, a))));
  return { mi: h - perPass.reduce((a, b) => a + b, 0) / alphas.length, h };
}
