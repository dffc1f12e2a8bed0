import { questionTotals64, voteFractions64, type Schema } from '../decisionTree/index.js';
import { assertRows, type Rows } from './rows.js';

/** Options of {@link confidentAnswerMetrics}. */
export interface ConfidentAnswerOptions {
  /** A galaxy counts for a question when some answer's volunteer fraction exceeds this. @defaultValue 0.8 */
  readonly threshold?: number;
  /** And the question got at least this many votes. @defaultValue 1 */
  readonly minVotes?: number;
}

/** Classification quality on the galaxies where volunteers were confident, for one question. */
export interface ConfidentAnswerMetrics {
  readonly question: string;
  /** Answer texts, the order of the confusion matrix. */
  readonly answers: readonly string[];
  /** Confident galaxies. */
  readonly galaxies: number;
  /** Fraction whose predicted top answer is the volunteers' top answer (NaN without galaxies). */
  readonly accuracy: number;
  /** `confusion[volunteer][predicted]` counts. */
  readonly confusion: readonly (readonly number[])[];
  /** Per answer: of the galaxies predicted as it, the fraction volunteers agree with (NaN when never predicted). */
  readonly precision: readonly number[];
  /** Per answer: of the galaxies volunteers put there, the fraction predicted so (NaN when none). */
  readonly recall: readonly number[];
}

function argmax(values: ArrayLike<number>, start: number, end: number): number {
  let best = start;
  for (let i = start + 1; i < end; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best - start;
}

/**
 * For each question, accuracy, per-answer precision/recall and the confusion matrix of the
 * predicted top answer against the volunteers' top answer, over the galaxies where volunteers
 * were confident (W+21 reports ~99% for smooth/featured at a 0.8 threshold).
 *
 * @param predictedFractions - `[galaxy][answer]` predicted vote fractions.
 * @param counts - `[galaxy][answer]` volunteer vote counts.
 */
export function confidentAnswerMetrics(
  predictedFractions: Rows, counts: Rows, schema: Schema, options: ConfidentAnswerOptions = {},
): ConfidentAnswerMetrics[] {
  const { threshold = 0.8, minVotes = 1 } = options;
  assertRows(predictedFractions, counts, schema, 'confidentAnswerMetrics');
  const confusions = schema.questions.map((q) => q.answers.map(() => new Array<number>(q.answers.length).fill(0)));
  counts.forEach((row, g) => {
    const observed = voteFractions64(row, schema);
    const totals = questionTotals64(row, schema);
    const predicted = predictedFractions[g] as ArrayLike<number>;
    for (const q of schema.questions) {
      if ((totals[q.index] ?? 0) < Math.max(minVotes, 1)) continue;
      const truth = argmax(observed, q.startIndex, q.endIndex);
      if ((observed[q.startIndex + truth] ?? 0) <= threshold) continue;
      const guess = argmax(predicted, q.startIndex, q.endIndex);
      confusions[q.index]![truth]![guess] = (confusions[q.index]![truth]![guess] ?? 0) + 1;
    }
  });
  return schema.questions.map((q, qi) => {
    const confusion = confusions[qi]!;
    const k = q.answers.length;
    const galaxies = confusion.flat().reduce((a, b) => a + b, 0);
    const correct = confusion.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
    const column = (j: number) => confusion.reduce((sum, row) => sum + (row[j] ?? 0), 0);
    const rowSum = (i: number) => (confusion[i] ?? []).reduce((a, b) => a + b, 0);
    return {
      question: q.text,
      answers: q.answers.map((a) => a.text),
      galaxies,
      accuracy: correct / galaxies,
      confusion,
      precision: Array.from({ length: k }, (_, j) => (confusion[j]?.[j] ?? 0) / column(j)),
      recall: Array.from({ length: k }, (_, i) => (confusion[i]?.[i] ?? 0) / rowSum(i)),
    };
  });
}
