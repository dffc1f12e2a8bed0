/**
 * The posterior predictive of one question's vote counts under MC dropout: the equal-weight
 * mixture over passes of Dirichlet-multinomials, in float64 on plain numbers.
 *
 * Per pass t with concentrations α_t (sum A_t) and N votes, the log pmf of an outcome k is
 * `c_t + Σ_i L_t,i(k_i)` with `c_t = ln Γ(N+1) + ln Γ(A_t) - ln Γ(N+A_t)` and
 * `L_t,i(k) = ln Γ(k+α_t,i) - ln Γ(α_t,i) - ln Γ(k+1)`. The tables of L (N+1 values per
 * pass and answer) are built once with a recurrence, so each outcome then costs additions
 * only: that is what makes enumerating thousands of outcomes per galaxy affordable.
 *
 * @module
 */
import type { Schema } from '../decisionTree/index.js';
import { ConfigError, ShapeError } from '../errors.js';
import { lgamma64 } from '../losses/index.js';

/** One galaxy's MC-dropout concentrations. */
export interface McConcentrations {
  /** Row-major `[pass, answer]` Dirichlet concentrations (the layout of `predictSource`). */
  readonly concentrations: ArrayLike<number>;
  /** Number of MC passes. */
  readonly passes: number;
}

/**
 * @internal Checks that `passes` is a positive integer and `concentrations` holds `passes × answers` values.
 *
 * @throws {@link ConfigError} for a bad pass count; {@link ShapeError} for a bad length.
 */
export function assertMcConcentrations(prediction: McConcentrations, answers: number, where: string): void {
  const { concentrations, passes } = prediction;
  if (!Number.isInteger(passes) || passes < 1) throw new ConfigError(`${where}: passes must be a positive integer, got ${passes}`);
  if (concentrations.length !== passes * answers) {
    throw new ShapeError(`${where}: expected ${passes} passes × ${answers} answers = ${passes * answers} concentrations, got ${concentrations.length}`);
  }
}

/**
 * One question's concentrations per pass, cut out of a galaxy's `[pass, answer]` row.
 *
 * @param prediction - the galaxy's concentrations (checked against the schema).
 * @param question - index of the question in `schema.questions`.
 * @returns `passes` arrays of the question's answer count.
 * @throws {@link ShapeError} when the row does not fit the schema.
 */
export function questionConcentrations(prediction: McConcentrations, schema: Schema, question: number): Float64Array[] {
  assertMcConcentrations(prediction, schema.answerCount, 'questionConcentrations');
  const q = schema.questions[question];
  if (q === undefined) throw new ConfigError(`questionConcentrations: schema '${schema.name}' has no question ${question}`);
  const { concentrations, passes } = prediction;
  return Array.from({ length: passes }, (_, t) => {
    const out = new Float64Array(q.endIndex - q.startIndex);
    for (let i = 0; i < out.length; i += 1) out[i] = concentrations[t * schema.answerCount + q.startIndex + i] ?? Number.NaN;
    return out;
  });
}

/**
 * Number of vote outcomes of N votes over K answers: C(N+K-1, K-1).
 *
 * @param votes - N, a non-negative integer.
 * @param answers - K, a positive integer.
 * @returns the count as a float64 (Infinity when it overflows).
 * @example
 * ```ts
 * outcomeCount(40, 3); // 861
 * ```
 */
export function outcomeCount(votes: number, answers: number): number {
  let count = 1;
  for (let j = 1; j < answers; j += 1) count = (count * (votes + j)) / j;
  return Math.round(count);
}

/** Checks one question's per-pass concentrations: same length, positive and finite. */
function assertPassAlphas(alphas: readonly ArrayLike<number>[], where: string): number {
  const answers = alphas[0]?.length ?? 0;
  if (alphas.length === 0 || answers === 0) throw new ShapeError(`${where}: need at least one pass with at least one answer`);
  alphas.forEach((alpha, t) => {
    if (alpha.length !== answers) throw new ShapeError(`${where}: pass ${t} has ${alpha.length} answers, pass 0 has ${answers}`);
    for (let i = 0; i < answers; i += 1) {
      const a = alpha[i] ?? Number.NaN;
      if (!(a > 0) || !Number.isFinite(a)) throw new ConfigError(`${where}: concentration [pass ${t}, answer ${i}] must be positive and finite, got ${a}`);
    }
  });
  return answers;
}

/** @internal Checks a vote total: a non-negative integer. */
export function assertVotes(votes: number, where: string): void {
  if (!Number.isInteger(votes) || votes < 0) throw new ConfigError(`${where}: votes must be a non-negative integer, got ${votes}`);
}

/**
 * Precomputed log pmf pieces of one question's Dirichlet-multinomials, one per MC pass
 * (see the module notes). Build with {@link PassLogPmf.create}.
 */
export class PassLogPmf {
  private constructor(
    /** MC passes. */
    readonly passes: number,
    /** Answers of the question. */
    readonly answers: number,
    /** Votes N of every outcome. */
    readonly votes: number,
    private readonly constants: Float64Array,
    private readonly terms: Float64Array,
  ) {}

  /**
   * Builds the tables of one question: O(passes × answers × votes) logarithms.
   *
   * @param alphas - per pass, the question's concentrations (positive).
   * @param votes - N, the number of votes of the outcomes.
   * @param where - the caller's name, for error messages.
   * @throws {@link ShapeError} / {@link ConfigError} for ragged or non-positive concentrations or bad N.
   */
  static create(alphas: readonly ArrayLike<number>[], votes: number, where = 'PassLogPmf'): PassLogPmf {
    const answers = assertPassAlphas(alphas, where);
    assertVotes(votes, where);
    const passes = alphas.length;
    const constants = new Float64Array(passes);
    const terms = new Float64Array(passes * answers * (votes + 1));
    alphas.forEach((alpha, t) => {
      let total = 0;
      for (let i = 0; i < answers; i += 1) {
        const a = alpha[i] ?? Number.NaN;
        total += a;
        // L(0) = 0 and L(k+1) = L(k) + ln((k + α) / (k + 1)).
        const base = (t * answers + i) * (votes + 1);
        for (let k = 0; k < votes; k += 1) terms[base + k + 1] = (terms[base + k] ?? 0) + Math.log((k + a) / (k + 1));
      }
      constants[t] = lgamma64(votes + 1) + lgamma64(total) - lgamma64(votes + total);
    });
    return new PassLogPmf(passes, answers, votes, constants, terms);
  }

  /**
   * Writes ln P_t(counts) of every pass t into `out` (length `passes`).
   *
   * @param counts - an outcome summing to `votes` (not checked: this is the inner loop).
   */
  logPmfs(counts: ArrayLike<number>, out: Float64Array): Float64Array {
    const stride = this.votes + 1;
    for (let t = 0; t < this.passes; t += 1) {
      let sum = this.constants[t] ?? 0;
      for (let i = 0; i < this.answers; i += 1) sum += this.terms[(t * this.answers + i) * stride + (counts[i] ?? 0)] ?? 0;
      out[t] = sum;
    }
    return out;
  }

  /**
   * Calls `visit` with every outcome of `votes` votes and ln P_t of it for every pass. Partial
   * sums are kept per answer, so an outcome costs `passes` additions. Both arrays are reused
   * between calls: copy them to keep them.
   */
  forEachOutcome(visit: (logs: Float64Array, counts: Int32Array) => void): void {
    const { passes, answers, votes } = this;
    const stride = votes + 1;
    const counts = new Int32Array(answers);
    const logs = new Float64Array(passes);
    // partial[i * passes + t]: c_t plus the terms of answers 0..i-1.
    const partial = new Float64Array(answers * passes);
    partial.set(this.constants);
    const fill = (i: number, remaining: number): void => {
      const last = i === answers - 1;
      for (let v = last ? remaining : 0; v <= remaining; v += 1) {
        counts[i] = v;
        const target = last ? logs : partial;
        const offset = last ? 0 : (i + 1) * passes;
        for (let t = 0; t < passes; t += 1) {
          target[offset + t] = (partial[i * passes + t] ?? 0) + (this.terms[(t * answers + i) * stride + v] ?? 0);
        }
        if (last) visit(logs, counts);
        else fill(i + 1, remaining - v);
      }
    };
    fill(0, votes);
  }
}

/** @internal ln((1/T) Σ_t exp(logs[t])), stable for very negative logs; -Infinity when all are. */
export function logMeanExp(logs: ArrayLike<number>): number {
  let max = -Infinity;
  for (let t = 0; t < logs.length; t += 1) max = Math.max(max, logs[t] ?? -Infinity);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let t = 0; t < logs.length; t += 1) sum += Math.exp((logs[t] ?? -Infinity) - max);
  return max + Math.log(sum / logs.length);
}

/**
 * ln of the posterior predictive probability of one question's vote outcome: the equal-weight
 * mixture over MC passes of Dirichlet-multinomials, `ln((1/T) Σ_t DM(counts | α_t))`.
 *
 * @param counts - votes per answer (non-negative integers).
 * @param alphas - per pass, the question's concentrations.
 * @returns the log probability (0 when there are no votes).
 * @throws {@link ShapeError} when lengths disagree; {@link ConfigError} for bad values.
 * @example
 * ```ts
 * Math.exp(predictiveLogPmf64([1, 0], [[1, 1], [1, 3]])); // (0.5 + 0.25) / 2
 * ```
 */
export function predictiveLogPmf64(counts: ArrayLike<number>, alphas: readonly ArrayLike<number>[]): number {
  let votes = 0;
  for (let i = 0; i < counts.length; i += 1) votes += counts[i] ?? Number.NaN;
  if (counts.length !== (alphas[0]?.length ?? 0)) throw new ShapeError(`predictiveLogPmf64: ${counts.length} counts but ${alphas[0]?.length ?? 0} concentrations per pass`);
  for (let i = 0; i < counts.length; i += 1) assertVotes(counts[i] ?? Number.NaN, 'predictiveLogPmf64');
  const pmf = PassLogPmf.create(alphas, votes, 'predictiveLogPmf64');
  return logMeanExp(pmf.logPmfs(counts, new Float64Array(alphas.length)));
}
