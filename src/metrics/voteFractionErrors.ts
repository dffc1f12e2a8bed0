import { askedProbability64, questionTotals64, voteFractions64, type Schema } from '../decisionTree/index.js';
import { assertRows, type Rows } from './rows.js';

/** Options of {@link voteFractionErrors}. */
export interface VoteFractionErrorOptions {
  /** Only galaxies whose question got at least this many votes count. @defaultValue 20 */
  readonly minVotes?: number;
}

/** Errors of predicted vote fractions for one question. */
export interface QuestionFractionErrors {
  readonly question: string;
  /** Galaxies that passed the vote cut. */
  readonly galaxies: number;
  /** Mean absolute error over the question's answers and galaxies. */
  readonly mae: number;
  /** Root mean squared error. */
  readonly rmse: number;
  /** MAE with each galaxy weighted by the predicted P(question asked). */
  readonly weightedMae: number;
  /** RMSE with the same weights. */
  readonly weightedRmse: number;
}

/**
 * Mean absolute and RMS errors between predicted and volunteer vote fractions, per question,
 * over galaxies with enough votes for that question (Zoobot: 20 for a reliable fraction).
 * The weighted versions weight each galaxy by the predicted probability that the question is
 * asked, so questions a galaxy would rarely be asked count less.
 *
 * @param predictedFractions - `[galaxy][answer]` predicted vote fractions (e.g. mean over MC passes of alpha / sum alpha).
 * @param counts - `[galaxy][answer]` volunteer vote counts.
 * @returns one entry per question (NaN errors where no galaxy passes the cut).
 */
export function voteFractionErrors(
  predictedFractions: Rows, counts: Rows, schema: Schema, options: VoteFractionErrorOptions = {},
): QuestionFractionErrors[] {
  const minVotes = options.minVotes ?? 20;
  assertRows(predictedFractions, counts, schema, 'voteFractionErrors');
  const sums = schema.questions.map(() => ({ n: 0, abs: 0, sq: 0, w: 0, wAbs: 0, wSq: 0 }));
  counts.forEach((row, g) => {
    const predicted = predictedFractions[g] as ArrayLike<number>;
    const totals = questionTotals64(row, schema);
    const observed = voteFractions64(row, schema);
    const asked = askedProbability64(predicted, schema);
    for (const q of schema.questions) {
      if ((totals[q.index] ?? 0) < minVotes || (totals[q.index] ?? 0) === 0) continue;
      const s = sums[q.index]!;
      const weight = asked[q.index] ?? 0;
      let abs = 0;
      let sq = 0;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        const d = (predicted[i] ?? 0) - (observed[i] ?? 0);
        abs += Math.abs(d);
        sq += d * d;
      }
      const k = q.endIndex - q.startIndex;
      s.n += 1; s.abs += abs / k; s.sq += sq / k;
      s.w += weight; s.wAbs += (weight * abs) / k; s.wSq += (weight * sq) / k;
    }
  });
  return schema.questions.map((q, i) => {
    const s = sums[i]!;
    return {
      question: q.text,
      galaxies: s.n,
      mae: s.abs / s.n,
      rmse: Math.sqrt(s.sq / s.n),
      weightedMae: s.wAbs / s.w,
      weightedRmse: Math.sqrt(s.wSq / s.w),
    };
  });
}
