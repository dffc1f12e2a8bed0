/**
 * Calibration of the posterior predictive of vote counts against held-out votes: interval
 * coverage, randomised PIT coverage, reliability diagrams and ECE, per question.
 *
 * For a galaxy whose question got N votes, the predictive of the count of answer i is the
 * equal mixture over MC passes of the Dirichlet-multinomial's marginal, a beta-binomial
 * BetaBinomial(N, α_i, A - α_i).
 *
 * @module
 */
import { createRng } from '../data/synthetic/random.js';
import { questionTotals64, type Schema } from '../decisionTree/index.js';
import { ConfigError, ShapeError } from '../errors.js';
import { lgamma64 } from '../losses/index.js';
import { summarisePrediction } from './predictionSummary.js';
import { assertMcConcentrations } from './predictive.js';
import { ReliabilityAccumulator, type Reliability } from './reliability.js';
import type { Rows } from './rows.js';

/** MC-dropout predictions for many galaxies. */
export interface McPredictions {
  /** Per galaxy, row-major `[pass, answer]` concentrations. */
  readonly concentrations: Rows;
  /** MC passes (the same for every galaxy). */
  readonly passes: number;
}

/**
 * @internal Checks that predictions and counts describe the same galaxies under `schema`.
 *
 * @throws {@link ShapeError} / {@link ConfigError} naming the first bad row.
 */
export function assertPredictionsAndCounts(predictions: McPredictions, counts: Rows, schema: Schema, where: string): void {
  if (predictions.concentrations.length !== counts.length) {
    throw new ShapeError(`${where}: ${predictions.concentrations.length} prediction rows but ${counts.length} count rows`);
  }
  predictions.concentrations.forEach((row, g) => assertMcConcentrations({ concentrations: row, passes: predictions.passes }, schema.answerCount, `${where}: galaxy ${g}`));
  const bad = counts.findIndex((r) => r.length !== schema.answerCount);
  if (bad >= 0) throw new ShapeError(`${where}: count row ${bad} has ${counts[bad]?.length} values, schema '${schema.name}' has ${schema.answerCount} answers`);
}

/**
 * Adds `weight × BetaBinomial(k | votes, a, b)` for k = 0..votes into `out`, from ln pmf(0) and
 * the ratio pmf(k+1)/pmf(k) = (N-k)(k+a) / ((k+1)(N-k-1+b)).
 */
function addBetaBinomial(votes: number, a: number, b: number, weight: number, out: Float64Array): void {
  let logPmf = lgamma64(votes + b) + lgamma64(a + b) - lgamma64(votes + a + b) - lgamma64(b);
  for (let k = 0; k <= votes; k += 1) {
    out[k] = (out[k] ?? 0) + weight * Math.exp(logPmf);
    if (k < votes) logPmf += Math.log(((votes - k) * (k + a)) / ((k + 1) * (votes - k - 1 + b)));
  }
}

/**
 * The posterior predictive pmf of one answer's count given N votes on its question: the mean
 * over passes of BetaBinomial(N, α_i, A - α_i).
 *
 * @param prediction - the galaxy's `[pass, answer]` concentrations and pass count.
 * @param answer - the answer's index in the schema.
 * @param votes - N, the question's vote total.
 * @returns pmf over k = 0..N (length N+1).
 * @throws {@link ShapeError} when the row does not fit the schema; {@link ConfigError} for a bad answer index.
 */
export function answerCountPmf(prediction: { readonly concentrations: ArrayLike<number>; readonly passes: number }, schema: Schema, answer: number, votes: number): Float64Array {
  assertMcConcentrations(prediction, schema.answerCount, 'answerCountPmf');
  const target = schema.answers[answer];
  if (target === undefined) throw new ConfigError(`answerCountPmf: schema '${schema.name}' has no answer ${answer}`);
  const q = target.question;
  const pmf = new Float64Array(votes + 1);
  const { concentrations, passes } = prediction;
  for (let t = 0; t < passes; t += 1) {
    const row = t * schema.answerCount;
    // The other answers' total, summed directly so that A - α_i does not cancel.
    let others = 0;
    for (let j = q.startIndex; j < q.endIndex; j += 1) if (j !== answer) others += concentrations[row + j] ?? Number.NaN;
    addBetaBinomial(votes, concentrations[row + answer] ?? Number.NaN, others, 1 / passes, pmf);
  }
  return pmf;
}

/** Options of {@link voteCalibration}. */
export interface VoteCalibrationOptions {
  /** Nominal levels of the central predictive intervals. @defaultValue [0.5, 0.8, 0.95] */
  readonly levels?: readonly number[];
  /** Reliability-diagram bins. @defaultValue 10 */
  readonly bins?: number;
  /** Only galaxies whose question got at least this many votes count. @defaultValue 1 */
  readonly minVotes?: number;
  /** Seed of the randomisation of the PIT. @defaultValue 0 */
  readonly seed?: number;
}

/** Coverage of the central predictive intervals at one level. */
export interface LevelCoverage {
  /** Nominal level, e.g. 0.8. */
  readonly level: number;
  /** Fraction of (galaxy, answer) counts inside their central interval [F⁻¹((1-L)/2), F⁻¹((1+L)/2)]. */
  readonly coverage: number;
  /**
   * Mean predicted probability of those intervals: what `coverage` should be for a calibrated
   * predictor. Counts are discrete, so it is >= `level`.
   */
  readonly intervalMass: number;
  /**
   * Fraction of randomised PIT values u = F(k-1) + V·P(k), V ~ U(0,1), in [(1-L)/2, (1+L)/2]:
   * exactly `level` in expectation for a calibrated predictor.
   */
  readonly pitCoverage: number;
}

/** Calibration of one question's predicted vote counts. */
export interface QuestionCalibration {
  /** Galaxies with at least `minVotes` votes on the question. */
  readonly galaxies: number;
  /** (galaxy, answer) counts pooled over the question's answers. */
  readonly values: number;
  readonly levels: readonly LevelCoverage[];
  /** Predicted mean fractions (mean over passes of α_i / A) against observed vote fractions. */
  readonly reliability: Reliability;
}

function checkLevels(levels: readonly number[]): void {
  for (const level of levels) if (!(level > 0 && level < 1)) throw new ConfigError(`voteCalibration: levels must be in (0, 1), got ${level}`);
}

/**
 * Calibration of MC-dropout predictions against observed votes, per question: coverage of the
 * central posterior-predictive intervals of each answer's count, randomised PIT coverage,
 * and a reliability diagram with ECE of the predicted vote fractions.
 *
 * @param predictions - per galaxy `[pass, answer]` concentrations.
 * @param counts - `[galaxy][answer]` observed vote counts (held out).
 * @returns per question text; NaN values where no galaxy has enough votes.
 * @throws {@link ShapeError} when rows do not fit the schema; {@link ConfigError} for bad options.
 * @example
 * ```ts
 * const calibration = voteCalibration({ concentrations: rows, passes: 5 }, counts, decalsDr5Schema);
 * calibration['smooth-or-featured'].levels[1].coverage; // about 0.8 when calibrated
 * ```
 */
export function voteCalibration(
  predictions: McPredictions, counts: Rows, schema: Schema, options: VoteCalibrationOptions = {},
): Record<string, QuestionCalibration> {
  const { levels = [0.5, 0.8, 0.95], bins = 10, minVotes = 1, seed = 0 } = options;
  checkLevels(levels);
  assertPredictionsAndCounts(predictions, counts, schema, 'voteCalibration');
  const rng = createRng(seed);
  const { passes } = predictions;
  const sums = schema.questions.map(() => ({
    galaxies: 0, values: 0, covered: new Float64Array(levels.length), mass: new Float64Array(levels.length),
    pit: new Float64Array(levels.length), reliability: new ReliabilityAccumulator(bins),
  }));
  counts.forEach((row, g) => {
    const prediction = { concentrations: predictions.concentrations[g] ?? [], passes };
    const totals = questionTotals64(row, schema);
    const { fractions } = summarisePrediction(prediction.concentrations, passes, schema);
    for (const q of schema.questions) {
      const votes = Math.round(totals[q.index] ?? 0);
      if (votes < Math.max(minVotes, 1)) continue;
      const s = sums[q.index]!;
      s.galaxies += 1;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        const observed = Math.round(row[i] ?? 0);
        const pmf = answerCountPmf(prediction, schema, i, votes);
        const cdf = new Float64Array(votes + 1);
        for (let k = 0; k <= votes; k += 1) cdf[k] = (k > 0 ? cdf[k - 1] ?? 0 : 0) + (pmf[k] ?? 0);
        const below = observed > 0 ? cdf[observed - 1] ?? 0 : 0;
        const pit = below + rng.next() * (pmf[observed] ?? 0);
        levels.forEach((level, l) => {
          const lower = cdf.findIndex((c) => c >= (1 - level) / 2);
          const upper = cdf.findIndex((c) => c >= (1 + level) / 2);
          // Rounding can leave the last CDF value a hair under (1 + L) / 2.
          const top = upper < 0 ? votes : upper;
          if (observed >= lower && observed <= top) s.covered[l] = (s.covered[l] ?? 0) + 1;
          s.mass[l] = (s.mass[l] ?? 0) + (cdf[top] ?? 0) - (lower > 0 ? cdf[lower - 1] ?? 0 : 0);
          if (Math.abs(pit - 0.5) <= level / 2) s.pit[l] = (s.pit[l] ?? 0) + 1;
        });
        s.reliability.add(fractions[i] ?? Number.NaN, observed / votes);
        s.values += 1;
      }
    }
  });
  return Object.fromEntries(schema.questions.map((q, qi) => {
    const s = sums[qi]!;
    const coverages = levels.map((level, l) => ({
      level,
      coverage: (s.covered[l] ?? 0) / s.values,
      intervalMass: (s.mass[l] ?? 0) / s.values,
      pitCoverage: (s.pit[l] ?? 0) / s.values,
    }));
    return [q.text, { galaxies: s.galaxies, values: s.values, levels: coverages, reliability: s.reliability.result() }];
  }));
}
