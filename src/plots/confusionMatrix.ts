/**
 * Confusion matrix of one question, from {@link confidentAnswerMetrics}.
 *
 * @module
 */
import type { ConfidentAnswerMetrics } from '../metrics/confidentAnswers.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, formatNumber, type PlotSpec } from './spec.js';

/** One cell of a confusion matrix. */
export interface ConfusionCell {
  /** The volunteers' top answer. */
  readonly volunteer: string;
  /** The predicted top answer. */
  readonly predicted: string;
  readonly count: number;
  /** `count` over the volunteer answer's row total (recall along the diagonal; 0 for an empty row). */
  readonly rowFraction: number;
}

/** The k×k cells of a question's confusion matrix, row (volunteer answer) by row. */
export function confusionCells(metrics: ConfidentAnswerMetrics): ConfusionCell[] {
  return metrics.answers.flatMap((volunteer, i) => {
    const row = metrics.confusion[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    return metrics.answers.map((predicted, j) => {
      const count = row[j] ?? 0;
      return { volunteer, predicted, count, rowFraction: total > 0 ? count / total : 0 };
    });
  });
}

/**
 * Heat map of predicted top answer (columns) against the volunteers' top answer (rows) on the
 * galaxies where volunteers were confident, with the count in each cell; shaded by the row
 * fraction so rare answers are as readable as common ones.
 *
 * @param metrics - one question's entry of `confidentAnswerMetrics(...)`.
 * @returns a Vega-Lite spec.
 * @example
 * ```ts
 * const [smooth] = confidentAnswerMetrics(predicted, counts, schema);
 * const spec = confusionMatrixSpec(smooth);
 * ```
 */
export function confusionMatrixSpec(metrics: ConfidentAnswerMetrics): PlotSpec {
  const answers = [...metrics.answers];
  const side = Math.max(120, 48 * answers.length);
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: { text: metrics.question, subtitle: `accuracy ${formatNumber(metrics.accuracy)} on ${metrics.galaxies} confident galaxies` },
    data: { values: confusionCells(metrics) },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: answers, title: 'predicted', axis: { labelAngle: -40 } },
      y: { field: 'volunteer', type: 'nominal', sort: answers, title: 'volunteers' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'rowFraction', type: 'quantitative', title: 'row fraction', scale: { domain: [0, 1], scheme: 'blues' } } },
      },
      {
        mark: 'text',
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.rowFraction > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
    width: side, height: side,
  };
}
