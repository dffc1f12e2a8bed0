/**
 * Predicted vote fractions against the true answer probabilities of a synthetic data set
 * (truth.csv columns `<column>_true_p`), where the sampling noise of finite votes is absent.
 *
 * @module
 */
import type { Schema } from '../decisionTree/index.js';
import { ReliabilityAccumulator, type Reliability } from './reliability.js';
import { assertRows, type Rows } from './rows.js';

/** Options of {@link trueProbabilityErrors}. */
export interface TrueProbabilityOptions {
  /** Reliability-diagram bins. @defaultValue 10 */
  readonly bins?: number;
}

/** Errors of one question's predicted fractions against the true answer probabilities. */
export interface QuestionTrueProbabilityErrors {
  /** Galaxies with finite true probabilities for the question. */
  readonly galaxies: number;
  /** Mean absolute error over the question's answers and galaxies (NaN without galaxies). */
  readonly mae: number;
  /** Root mean squared error. */
  readonly rmse: number;
  /** Predicted fractions binned, against the mean true probability per bin; ECE. */
  readonly reliability: Reliability;
}

/**
 * MAE, RMSE and calibration of predicted vote fractions against known answer probabilities.
 * A galaxy counts for a question when all its true probabilities there are finite.
 *
 * @param predictedFractions - `[galaxy][answer]` predicted fractions (e.g. `summarisePrediction(...).fractions`).
 * @param trueProbabilities - `[galaxy][answer]` true probabilities (NaN where unknown).
 * @returns per question text.
 * @throws {@link ShapeError} when the tables do not fit the schema; {@link ConfigError} for bad bins.
 * @example
 * ```ts
 * trueProbabilityErrors(fractions, truth, decalsDr5Schema)['bar'].mae;
 * ```
 */
export function trueProbabilityErrors(
  predictedFractions: Rows, trueProbabilities: Rows, schema: Schema, options: TrueProbabilityOptions = {},
): Record<string, QuestionTrueProbabilityErrors> {
  const { bins = 10 } = options;
  assertRows(predictedFractions, trueProbabilities, schema, 'trueProbabilityErrors');
  const sums = schema.questions.map(() => ({ galaxies: 0, abs: 0, sq: 0, values: 0, reliability: new ReliabilityAccumulator(bins) }));
  trueProbabilities.forEach((truth, g) => {
    const predicted = predictedFractions[g] ?? [];
    for (const q of schema.questions) {
      let known = true;
      for (let i = q.startIndex; i < q.endIndex; i += 1) known &&= Number.isFinite(truth[i]);
      if (!known) continue;
      const s = sums[q.index]!;
      s.galaxies += 1;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        const p = predicted[i] ?? Number.NaN;
        const d = p - (truth[i] ?? Number.NaN);
        s.abs += Math.abs(d);
        s.sq += d * d;
        s.values += 1;
        s.reliability.add(p, truth[i] ?? Number.NaN);
      }
    }
  });
  return Object.fromEntries(schema.questions.map((q, i) => {
    const s = sums[i]!;
    return [q.text, { galaxies: s.galaxies, mae: s.abs / s.values, rmse: Math.sqrt(s.sq / s.values), reliability: s.reliability.result() }];
  }));
}
