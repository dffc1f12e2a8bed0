/**
 * BALD (Houlsby et al. 2011; W+20 for Galaxy Zoo): the mutual information between a question's
 * vote outcome and the model weights, estimated from MC-dropout passes as
 * `H[(1/T) Σ_t P_t] - (1/T) Σ_t H[P_t]` over vote outcomes of N votes.
 *
 * Both the exact sum and the Monte Carlo estimate are written as an expectation under the mixture
 * of `f(k) = (1/T) Σ_t w_t ln w_t` with `w_t = P_t(k) / P_mix(k)`: f(k) is the KL divergence
 * of the passes' posterior given k from uniform, so every term is >= 0, the estimate is never
 * negative and it is exactly 0 when all passes agree.
 *
 * @module
 */
import { createRng } from '../data/synthetic/random.js';
import type { Schema } from '../decisionTree/index.js';
import { ConfigError, ShapeError } from '../errors.js';
import { summarisePrediction } from './predictionSummary.js';
import {
  assertMcConcentrations, assertVotes, outcomeCount, PassLogPmf, questionConcentrations,
  type McConcentrations,
} from './predictive.js';

/** Options of {@link questionBald}. */
export interface QuestionBaldOptions {
  /** Enumerate every outcome when there are at most this many; otherwise Monte Carlo. @defaultValue 20000 */
  readonly maxOutcomes?: number;
  /** Monte Carlo draws (spread evenly over the passes). @defaultValue 2000 */
  readonly samples?: number;
  /** Seed (or seeds, see `createRng`) of the Monte Carlo draws. @defaultValue 0 */
  readonly seed?: number | readonly number[];
}

/** Uncertainty of one question's vote outcome. */
export interface QuestionBald {
  /** BALD: the mutual information between the outcome and the weights, in nats. */
  readonly mutualInformation: number;
  /** H of the posterior predictive (the mixture over passes), in nats. */
  readonly predictiveEntropy: number;
  /** Mean over passes of the per-pass predictive entropy (`predictiveEntropy - mutualInformation`). */
  readonly expectedEntropy: number;
  /** `'exact'` (every outcome enumerated) or `'monteCarlo'`. */
  readonly method: 'exact' | 'monteCarlo';
  /** Standard error of `mutualInformation` (0 when exact). */
  readonly standardError: number;
  /** Standard error of `predictiveEntropy` (0 when exact). */
  readonly entropyStandardError: number;
  /** Votes N of the outcomes. */
  readonly votes: number;
}

const ZERO_VOTES = { mutualInformation: 0, predictiveEntropy: 0, expectedEntropy: 0, method: 'exact', standardError: 0, entropyStandardError: 0, votes: 0 } as const;

/**
 * Per-outcome pieces from the passes' ln P_t(k): `-ln P_mix(k)` and
 * `f(k) = (1/T) Σ_t w_t ln w_t`, written into `out`; `scratch` has the passes' length.
 */
function outcomeTerms(logs: Float64Array, scratch: Float64Array, out: { surprise: number; information: number }): void {
  const passes = logs.length;
  let max = -Infinity;
  for (let t = 0; t < passes; t += 1) max = Math.max(max, logs[t] ?? -Infinity);
  if (max === -Infinity) {
    out.surprise = Infinity;
    out.information = 0;
    return;
  }
  let sum = 0;
  for (let t = 0; t < passes; t += 1) {
    scratch[t] = Math.exp((logs[t] ?? -Infinity) - max);
    sum += scratch[t] ?? 0;
  }
  const logMix = max + Math.log(sum / passes);
  // w_t / T = scratch_t / sum and ln w_t = ln P_t - ln P_mix.
  let information = 0;
  for (let t = 0; t < passes; t += 1) {
    const share = (scratch[t] ?? 0) / sum;
    if (share > 0) information += share * ((logs[t] ?? -Infinity) - logMix);
  }
  out.surprise = -logMix;
  out.information = Math.max(information, 0);
}

/** Sums P_mix(k) (-ln P_mix(k)) and P_mix(k) f(k) over every enumerated outcome k. */
class ExactSum {
  private readonly scratch: Float64Array;
  private readonly terms = { surprise: 0, information: 0 };
  private entropy = 0;
  private information = 0;

  constructor(passes: number) {
    this.scratch = new Float64Array(passes);
  }

  /** Adds one outcome, given each pass's ln P_t(k). */
  add(logs: Float64Array): void {
    outcomeTerms(logs, this.scratch, this.terms);
    const p = Math.exp(-this.terms.surprise);
    if (p > 0) {
      this.entropy += p * this.terms.surprise;
      this.information += p * this.terms.information;
    }
  }

  result(votes: number): QuestionBald {
    return {
      mutualInformation: this.information, predictiveEntropy: this.entropy, expectedEntropy: this.entropy - this.information,
      method: 'exact', standardError: 0, entropyStandardError: 0, votes,
    };
  }
}

function exactBald(pmf: PassLogPmf): QuestionBald {
  const sum = new ExactSum(pmf.passes);
  pmf.forEachOutcome((logs) => sum.add(logs));
  return sum.result(pmf.votes);
}

/** Mean and standard error of a stratified sample: equal-weight strata (the passes). */
class StratifiedMean {
  private readonly n: Float64Array;
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;

  constructor(strata: number) {
    this.n = new Float64Array(strata);
    this.sum = new Float64Array(strata);
    this.squares = new Float64Array(strata);
  }

  add(stratum: number, x: number): void {
    this.n[stratum] = (this.n[stratum] ?? 0) + 1;
    this.sum[stratum] = (this.sum[stratum] ?? 0) + x;
    this.squares[stratum] = (this.squares[stratum] ?? 0) + x * x;
  }

  /** The mean of the stratum means and its standard error, Σ_t var_t / (T² n_t). */
  result(): { mean: number; standardError: number } {
    const strata = this.n.length;
    let mean = 0;
    let variance = 0;
    for (let t = 0; t < strata; t += 1) {
      const n = this.n[t] ?? 0;
      const m = (this.sum[t] ?? 0) / n;
      mean += m / strata;
      const sampleVariance = n > 1 ? Math.max((this.squares[t] ?? 0) - n * m * m, 0) / (n - 1) : 0;
      variance += sampleVariance / (n * strata * strata);
    }
    return { mean, standardError: Math.sqrt(variance) };
  }
}

function monteCarloBald(alphas: readonly ArrayLike<number>[], pmf: PassLogPmf, samples: number, seed: number | readonly number[]): QuestionBald {
  const rng = createRng(...(typeof seed === 'number' ? [seed] : seed));
  const logs = new Float64Array(pmf.passes);
  const scratch = new Float64Array(pmf.passes);
  const terms = { surprise: 0, information: 0 };
  const entropy = new StratifiedMean(pmf.passes);
  const information = new StratifiedMean(pmf.passes);
  for (let s = 0; s < samples; s += 1) {
    // Drawing every pass equally often is stratified sampling of the equal-weight mixture.
    const t = s % pmf.passes;
    pmf.logPmfs(rng.multinomial(pmf.votes, rng.dirichlet(alphas[t] ?? [])), logs);
    outcomeTerms(logs, scratch, terms);
    entropy.add(t, terms.surprise);
    information.add(t, terms.information);
  }
  const h = entropy.result();
  const mi = information.result();
  return {
    mutualInformation: mi.mean, predictiveEntropy: h.mean, expectedEntropy: h.mean - mi.mean,
    method: 'monteCarlo', standardError: mi.standardError, entropyStandardError: h.standardError, votes: pmf.votes,
  };
}

/**
 * BALD and predictive entropy of one question's vote outcome of `votes` votes, from the
 * concentrations of its MC-dropout passes. Exact when the number of outcomes C(N+K-1, K-1) is at
 * most `maxOutcomes`; otherwise a stratified Monte Carlo estimate (draw a pass, p ~ Dirichlet(α_t),
 * k ~ Multinomial(N, p)) with its standard error.
 *
 * @param alphas - per pass, the question's concentrations (positive), e.g. from {@link questionConcentrations}.
 * @param votes - N, the number of votes (a non-negative integer; 0 gives all zeros).
 * @throws {@link ShapeError} for ragged passes; {@link ConfigError} for bad values or options.
 * @example
 * ```ts
 * const { mutualInformation } = questionBald([[10, 2, 1], [2, 10, 1], [5, 5, 5]], 40);
 * ```
 */
export function questionBald(alphas: readonly ArrayLike<number>[], votes: number, options: QuestionBaldOptions = {}): QuestionBald {
  const { maxOutcomes = 20000, samples = 2000, seed = 0 } = options;
  if (!(maxOutcomes >= 0)) throw new ConfigError(`questionBald: maxOutcomes must be >= 0, got ${maxOutcomes}`);
  if (!Number.isInteger(samples) || samples < 2 * Math.max(alphas.length, 1)) {
    throw new ConfigError(`questionBald: samples must be an integer of at least 2 per pass (${2 * alphas.length}), got ${samples}`);
  }
  const pmf = PassLogPmf.create(alphas, votes, 'questionBald');
  if (votes === 0) return ZERO_VOTES;
  return outcomeCount(votes, pmf.answers) <= maxOutcomes ? exactBald(pmf) : monteCarloBald(alphas, pmf, samples, seed);
}

/**
 * W+20's BALD for one yes/no question: the predictive over k = 0..N "yes" votes is the equal
 * mixture of Binomial(N, ρ_t) over MC passes; always exact.
 *
 * @param fractions - per pass, the predicted "yes" probability ρ_t in [0, 1].
 * @param votes - N, a non-negative integer.
 * @throws {@link ConfigError} for fractions outside [0, 1] or a bad N; {@link ShapeError} for no passes.
 * @example
 * ```ts
 * binomialBald([0.1, 0.9], 40).mutualInformation; // close to ln 2
 * ```
 */
export function binomialBald(fractions: ArrayLike<number>, votes: number): QuestionBald {
  if (fractions.length === 0) throw new ShapeError('binomialBald: need at least one pass');
  for (let t = 0; t < fractions.length; t += 1) {
    const rho = fractions[t] ?? Number.NaN;
    if (!(rho >= 0 && rho <= 1)) throw new ConfigError(`binomialBald: fraction of pass ${t} must be in [0, 1], got ${rho}`);
  }
  assertVotes(votes, 'binomialBald');
  const logs = new Float64Array(fractions.length);
  const sum = new ExactSum(fractions.length);
  let logChoose = 0;
  for (let k = 0; k <= votes; k += 1) {
    if (k > 0) logChoose += Math.log((votes - k + 1) / k);
    for (let t = 0; t < fractions.length; t += 1) {
      const rho = fractions[t] ?? Number.NaN;
      // 0 · ln 0 = 0: a certain pass puts all its mass on k = 0 or k = N.
      const yes = k === 0 ? 0 : k * Math.log(rho);
      const no = k === votes ? 0 : (votes - k) * Math.log(1 - rho);
      logs[t] = logChoose + yes + no;
    }
    sum.add(logs);
  }
  return sum.result(votes);
}

/** Options of {@link galaxyBald}. */
export interface GalaxyBaldOptions extends QuestionBaldOptions {
  /** Volunteers per galaxy: question q gets N_q = round(P(asked)_q × totalVotes) votes. @defaultValue 40 */
  readonly totalVotes?: number;
  /** Per question, N_q directly (overrides `totalVotes`). */
  readonly expectedVotes?: readonly number[];
}

/** BALD of one galaxy over a whole decision tree. */
export interface GalaxyBald {
  /** Σ_q P(asked)_q × BALD_q, in nats. */
  readonly mutualInformation: number;
  /** Standard error of `mutualInformation` (from the Monte Carlo questions). */
  readonly standardError: number;
  /** Σ_q P(asked)_q × H[predictive]_q, in nats. */
  readonly predictiveEntropy: number;
  /** Per question text: P(asked) (from the mean predicted fractions) and the question's BALD. */
  readonly questions: Readonly<Record<string, QuestionBald & { readonly asked: number }>>;
}

/**
 * BALD of one galaxy: per question from its MC passes, summed with weights P(question asked)
 * (computed from the mean predicted vote fractions, W+20/W+21).
 *
 * @param prediction - the galaxy's `[pass, answer]` concentrations.
 * @param options - votes per question and the enumeration / Monte Carlo settings; the Monte Carlo
 *   stream of question q is `createRng(seed..., q)`.
 * @throws {@link ShapeError} when the concentrations or `expectedVotes` do not fit the schema.
 * @example
 * ```ts
 * const { mutualInformation } = galaxyBald({ concentrations, passes: 5 }, decalsDr5Schema);
 * ```
 */
export function galaxyBald(prediction: McConcentrations, schema: Schema, options: GalaxyBaldOptions = {}): GalaxyBald {
  const { totalVotes = 40, expectedVotes, seed = 0 } = options;
  assertMcConcentrations(prediction, schema.answerCount, 'galaxyBald');
  if (expectedVotes !== undefined && expectedVotes.length !== schema.questionCount) {
    throw new ShapeError(`galaxyBald: expectedVotes has ${expectedVotes.length} values, schema '${schema.name}' has ${schema.questionCount} questions`);
  }
  if (!(totalVotes >= 0) || !Number.isFinite(totalVotes)) throw new ConfigError(`galaxyBald: totalVotes must be finite and >= 0, got ${totalVotes}`);
  const { asked } = summarisePrediction(prediction.concentrations, prediction.passes, schema);
  const seeds = typeof seed === 'number' ? [seed] : seed;
  const questions: Record<string, QuestionBald & { asked: number }> = {};
  let mutualInformation = 0;
  let variance = 0;
  let predictiveEntropy = 0;
  for (const q of schema.questions) {
    const weight = asked[q.index] ?? 0;
    const votes = expectedVotes?.[q.index] ?? Math.round(weight * totalVotes);
    const result = questionBald(questionConcentrations(prediction, schema, q.index), votes, { ...options, seed: [...seeds, q.index] });
    questions[q.text] = { ...result, asked: weight };
    mutualInformation += weight * result.mutualInformation;
    variance += (weight * result.standardError) ** 2;
    predictiveEntropy += weight * result.predictiveEntropy;
  }
  return { mutualInformation, standardError: Math.sqrt(variance), predictiveEntropy, questions };
}
