/**
 * Predicted against volunteer vote fractions for the answers of one question.
 *
 * @module
 */
import { questionTotals64, voteFractions64, type Schema } from '../decisionTree/index.js';
import { assertRows, type Rows } from '../metrics/rows.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, type PlotSpec } from './spec.js';

/** Options of {@link voteFractionScatterSpec}. */
export interface VoteFractionScatterOptions {
  /** Only galaxies whose question got at least this many votes (as in `voteFractionErrors`). @defaultValue 20 */
  readonly minVotes?: number;
}

/** One galaxy's fraction for one answer. */
export interface FractionPoint {
  readonly answer: string;
  readonly volunteer: number;
  readonly predicted: number;
  /** The question's vote total for the galaxy. */
  readonly votes: number;
}

/**
 * The points of the scatter: for every galaxy with at least `minVotes` votes on the question,
 * one point per answer.
 *
 * @throws `ShapeError` when the rows do not fit the schema; `SchemaError` for an unknown question.
 */
export function fractionPoints(predictedFractions: Rows, counts: Rows, schema: Schema, question: string, options: VoteFractionScatterOptions = {}): FractionPoint[] {
  const { minVotes = 20 } = options;
  assertRows(predictedFractions, counts, schema, 'voteFractionScatterSpec');
  const q = schema.getQuestion(question);
  return counts.flatMap((row, g) => {
    const votes = questionTotals64(row, schema)[q.index] ?? 0;
    if (votes === 0 || votes < minVotes) return [];
    const observed = voteFractions64(row, schema);
    const predicted = predictedFractions[g] as ArrayLike<number>;
    return q.answers.map((a) => ({ answer: a.text, volunteer: observed[a.index] ?? Number.NaN, predicted: predicted[a.index] ?? Number.NaN, votes }));
  });
}

/**
 * Scatter of predicted against volunteer vote fractions, one colour per answer of `question`,
 * with the diagonal perfect predictions lie on.
 *
 * @param predictedFractions - `[galaxy][answer]` predicted vote fractions.
 * @param counts - `[galaxy][answer]` volunteer vote counts.
 * @param question - the question's text in `schema`.
 * @returns a Vega-Lite spec.
 * @throws `ShapeError` when the rows do not fit the schema; `SchemaError` for an unknown question.
 * @example
 * ```ts
 * const spec = voteFractionScatterSpec(predicted, counts, decalsDr5Schema, 'smooth-or-featured');
 * ```
 */
export function voteFractionScatterSpec(predictedFractions: Rows, counts: Rows, schema: Schema, question: string, options: VoteFractionScatterOptions = {}): PlotSpec {
  const values = fractionPoints(predictedFractions, counts, schema, question, options);
  const answers = schema.getQuestion(question).answers.map((a) => a.text);
  const unit = (field: string, title: string) => ({ field, type: 'quantitative' as const, title, scale: { domain: [0, 1] } });
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: { text: question, subtitle: `${values.length / answers.length} galaxies with >= ${options.minVotes ?? 20} votes` },
    layer: [
      {
        data: { values: [{ f: 0 }, { f: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
        encoding: { x: unit('f', 'volunteer fraction'), y: unit('f', 'predicted fraction') },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.6, size: 20 },
        encoding: {
          x: unit('volunteer', 'volunteer fraction'), y: unit('predicted', 'predicted fraction'),
          color: { field: 'answer', type: 'nominal', title: null, sort: answers },
        },
      },
    ],
    width: 300, height: 300,
  };
}
