/**
 * Predictive log-likelihood of held-out votes per question: the posterior predictive (mixture
 * over MC passes) and the mean per-pass Dirichlet-multinomial log-likelihood (minus the training
 * loss, W+21).
 *
 * @module
 */
import { questionTotals64, type Schema } from '../decisionTree/index.js';
import { assertPredictionsAndCounts, type McPredictions } from './calibration.js';
import { logMeanExp, PassLogPmf, questionConcentrations } from './predictive.js';
import type { Rows } from './rows.js';

/** Held-out log-likelihood of one question's votes. */
export interface QuestionLogLikelihood {
  /** Galaxies with at least one vote on the question (the others contribute exactly 0). */
  readonly galaxies: number;
  /** Σ over galaxies of ln P_mix(counts), the posterior predictive, in nats. */
  readonly total: number;
  /** `total / galaxies` (NaN without galaxies). */
  readonly mean: number;
  /** Mean over those galaxies and the passes of ln DM(counts | α_t): minus the mean training loss. */
  readonly meanPerPass: number;
}

/**
 * Log-likelihood of observed votes under MC-dropout predictions, per question.
 *
 * @param predictions - per galaxy `[pass, answer]` concentrations.
 * @param counts - `[galaxy][answer]` held-out vote counts.
 * @returns per question text.
 * @throws {@link ShapeError} when rows do not fit the schema.
 * @example
 * ```ts
 * predictiveLogLikelihood({ concentrations: rows, passes: 5 }, counts, schema)['smooth-or-featured'].mean;
 * ```
 */
export function predictiveLogLikelihood(predictions: McPredictions, counts: Rows, schema: Schema): Record<string, QuestionLogLikelihood> {
  assertPredictionsAndCounts(predictions, counts, schema, 'predictiveLogLikelihood');
  const sums = schema.questions.map(() => ({ galaxies: 0, total: 0, perPass: 0 }));
  counts.forEach((row, g) => {
    const prediction = { concentrations: predictions.concentrations[g] ?? [], passes: predictions.passes };
    const totals = questionTotals64(row, schema);
    for (const q of schema.questions) {
      const votes = Math.round(totals[q.index] ?? 0);
      if (votes === 0) continue;
      const observed = Array.from({ length: q.endIndex - q.startIndex }, (_, i) => Math.round(row[q.startIndex + i] ?? 0));
      const logs = PassLogPmf.create(questionConcentrations(prediction, schema, q.index), votes, 'predictiveLogLikelihood')
        .logPmfs(observed, new Float64Array(predictions.passes));
      const s = sums[q.index]!;
      s.galaxies += 1;
      s.total += logMeanExp(logs);
      for (const l of logs) s.perPass += l / predictions.passes;
    }
  });
  return Object.fromEntries(schema.questions.map((q, i) => {
    const s = sums[i]!;
    return [q.text, { galaxies: s.galaxies, total: s.total, mean: s.total / s.galaxies, meanPerPass: s.perPass / s.galaxies }];
  }));
}
