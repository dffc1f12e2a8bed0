import type { Schema } from '../../decisionTree/index.js';
import type { CatalogRow } from '../../data/catalog/index.js';
import { confidentAnswerMetrics, voteFractionErrors, type ConfidentAnswerMetrics, type QuestionFractionErrors } from '../../metrics/index.js';
import { DataError } from '../../errors.js';

/** Predictions joined with volunteer votes, measured. */
export interface ComparisonReport {
  /** Galaxies present in both. */
  readonly galaxies: number;
  /** Catalogue galaxies without a prediction. */
  readonly missingPredictions: number;
  readonly fractionErrors: QuestionFractionErrors[];
  readonly confidentAnswers: ConfidentAnswerMetrics[];
}

/** Options of {@link comparePredictions}. */
export interface CompareOptions {
  /** Minimum votes for a question to count in the fraction errors. @defaultValue 20 */
  readonly minVotes?: number;
  /** Volunteer confidence for the confusion matrices. @defaultValue 0.8 */
  readonly threshold?: number;
}

/**
 * Joins predicted vote fractions (by `id_str`) with catalogue vote counts and computes the
 * vote-fraction errors and confident-answer metrics per question.
 *
 * @throws `DataError` when no catalogue galaxy has a prediction.
 */
export function comparePredictions(
  predictions: ReadonlyMap<string, readonly number[]>, rows: readonly CatalogRow[], schema: Schema, options: CompareOptions = {},
): ComparisonReport {
  const joined = rows.filter((r) => predictions.has(r.id_str));
  if (joined.length === 0) throw new DataError('no catalogue galaxy has a prediction (do the id_str values match?)');
  const predicted = joined.map((r) => predictions.get(r.id_str) as readonly number[]);
  const counts = joined.map((r) => r.counts);
  return {
    galaxies: joined.length,
    missingPredictions: rows.length - joined.length,
    fractionErrors: voteFractionErrors(predicted, counts, schema, { minVotes: options.minVotes ?? 20 }),
    confidentAnswers: confidentAnswerMetrics(predicted, counts, schema, { threshold: options.threshold ?? 0.8 }),
  };
}
