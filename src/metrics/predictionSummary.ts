import { askedProbability64, type Schema } from '../decisionTree/index.js';

/** Per-galaxy summary of MC-dropout concentrations. */
export interface PredictionSummary {
  /** Mean over passes of the Dirichlet mean fractions alpha_i / A, per answer. */
  readonly fractions: number[];
  /**
   * Standard deviation of the vote fraction under the equal-weight mixture of the passes'
   * Dirichlets (mean of the Dirichlet variances plus the variance of the pass means).
   */
  readonly std: number[];
  /** P(question asked) from the mean fractions, per question. */
  readonly asked: number[];
}

/**
 * Summarises one galaxy's `[pass, answer]` concentrations.
 *
 * @param concentrations - row-major `[passes, answers]` (a slice of {@link PredictedBatch.concentrations}).
 */
export function summarisePrediction(concentrations: ArrayLike<number>, passes: number, schema: Schema): PredictionSummary {
  const answers = schema.answerCount;
  const mean = new Array<number>(answers).fill(0);
  const secondMoment = new Array<number>(answers).fill(0);
  for (let p = 0; p < passes; p += 1) {
    for (const q of schema.questions) {
      let total = 0;
      for (let i = q.startIndex; i < q.endIndex; i += 1) total += concentrations[p * answers + i] ?? 0;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        const m = (concentrations[p * answers + i] ?? 0) / total;
        const variance = (m * (1 - m)) / (total + 1);
        mean[i] = (mean[i] ?? 0) + m / passes;
        secondMoment[i] = (secondMoment[i] ?? 0) + (variance + m * m) / passes;
      }
    }
  }
  const std = mean.map((m, i) => Math.sqrt(Math.max((secondMoment[i] ?? 0) - m * m, 0)));
  return { fractions: mean, std, asked: askedProbability64(mean, schema) };
}
