/**
 * Reliability diagram: mean observed outcome against mean prediction per bin, from
 * {@link reliabilityDiagram} or the `reliability` of {@link voteCalibration}'s questions.
 *
 * @module
 */
import { questionTotals64, voteFractions64, type Schema } from '../decisionTree/index.js';
import { reliabilityDiagram, type Reliability } from '../metrics/reliability.js';
import { assertRows, type Rows } from '../metrics/rows.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, formatNumber, type PlotSpec } from './spec.js';

/**
 * Per question, the reliability diagram of predicted vote fractions against volunteer vote
 * fractions, pooled over the question's answers and the galaxies with at least `minVotes` votes
 * on it: what `voteCalibration` reports as `reliability`, for predictions that are only fractions
 * (a predictions table) rather than MC concentrations.
 *
 * @param predictedFractions - `[galaxy][answer]` predicted vote fractions.
 * @param counts - `[galaxy][answer]` volunteer vote counts.
 * @param bins - equal-width bins. @defaultValue 10
 * @param minVotes - fewest votes on the question for a galaxy to count. @defaultValue 1
 * @throws `ShapeError` when the rows do not fit the schema.
 */
export function fractionReliability(predictedFractions: Rows, counts: Rows, schema: Schema, bins = 10, minVotes = 1): Record<string, Reliability> {
  assertRows(predictedFractions, counts, schema, 'fractionReliability');
  const pairs = schema.questions.map(() => ({ predicted: [] as number[], observed: [] as number[] }));
  counts.forEach((row, g) => {
    const totals = questionTotals64(row, schema);
    const observed = voteFractions64(row, schema);
    const predicted = predictedFractions[g] as ArrayLike<number>;
    for (const q of schema.questions) {
      if ((totals[q.index] ?? 0) < Math.max(minVotes, 1)) continue;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        pairs[q.index]!.predicted.push(predicted[i] ?? Number.NaN);
        pairs[q.index]!.observed.push(observed[i] ?? Number.NaN);
      }
    }
  });
  return Object.fromEntries(schema.questions.map((q) => [q.text, reliabilityDiagram(pairs[q.index]!.predicted, pairs[q.index]!.observed, bins)]));
}

/** One non-empty bin of one series. */
export interface ReliabilityPoint {
  /** The series name with its ECE, e.g. `smooth-or-featured (ECE 0.021)`. */
  readonly series: string;
  readonly meanPredicted: number;
  readonly meanObserved: number;
  readonly count: number;
}

/** The non-empty bins of every series (empty bins have no mean to draw). */
export function reliabilityPoints(series: Readonly<Record<string, Reliability>>): ReliabilityPoint[] {
  return Object.entries(series).flatMap(([name, reliability]) => reliability.bins
    .filter((bin) => bin.count > 0)
    .map((bin) => ({ series: `${name} (ECE ${formatNumber(reliability.ece)})`, meanPredicted: bin.meanPredicted, meanObserved: bin.meanObserved, count: bin.count })));
}

/**
 * Reliability diagram of one or more series (e.g. one per question): a line through each
 * series' non-empty bins, points sized by the bin's count, and the diagonal a calibrated
 * predictor lies on. Legend entries carry each series' expected calibration error.
 *
 * @param series - reliability data by series name.
 * @param title - figure title. @defaultValue 'Reliability'
 * @returns a Vega-Lite spec.
 * @example
 * ```ts
 * const calibration = voteCalibration(predictions, counts, schema);
 * const spec = reliabilityDiagramSpec(Object.fromEntries(Object.entries(calibration).map(([q, c]) => [q, c.reliability])));
 * ```
 */
export function reliabilityDiagramSpec(series: Readonly<Record<string, Reliability>>, title = 'Reliability'): PlotSpec {
  const names = [...new Set(reliabilityPoints(series).map((p) => p.series))];
  const unit = (field: string, title: string) => ({ field, type: 'quantitative' as const, title, scale: { domain: [0, 1] } });
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title,
    layer: [
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
        encoding: { x: unit('p', 'mean predicted'), y: unit('p', 'mean observed') },
      },
      {
        data: { values: reliabilityPoints(series) },
        mark: { type: 'line', point: false },
        encoding: {
          x: unit('meanPredicted', 'mean predicted'), y: unit('meanObserved', 'mean observed'),
          color: { field: 'series', type: 'nominal', title: null, sort: names, legend: { labelLimit: 0 } },
        },
      },
      {
        data: { values: reliabilityPoints(series) },
        mark: { type: 'point', filled: true },
        encoding: {
          x: unit('meanPredicted', 'mean predicted'), y: unit('meanObserved', 'mean observed'),
          color: { field: 'series', type: 'nominal', title: null, sort: names, legend: { labelLimit: 0 } },
          size: { field: 'count', type: 'quantitative', title: 'values in bin' },
        },
      },
    ],
    width: 300, height: 300,
  };
}
