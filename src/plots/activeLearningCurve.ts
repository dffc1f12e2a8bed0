/**
 * The active-learning curve of W+20: evaluation loss against labelled galaxies, one line per
 * acquisition strategy (mean over seeds) with a band of ± one standard deviation.
 *
 * @module
 */
import type { ActiveLearningRecord } from '../training/activeLearning.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, type PlotSpec } from './spec.js';

/** One run of the loop: its strategy (e.g. `'bald'`, `'random'`), seed and records. */
export interface ActiveLearningRun {
  readonly strategy: string;
  readonly seed?: number;
  readonly records: readonly Pick<ActiveLearningRecord, 'labelled' | 'evaluation'>[];
}

/** A strategy's evaluation loss at one labelled count, over the runs that reached it. */
export interface CurvePoint {
  readonly strategy: string;
  readonly labelled: number;
  /** Mean evaluation loss over runs. */
  readonly mean: number;
  /** Sample standard deviation over runs (0 for a single run). */
  readonly std: number;
  readonly lower: number;
  readonly upper: number;
  readonly runs: number;
}

/**
 * Mean and standard deviation of the evaluation loss over runs, per strategy and labelled count,
 * in order of strategy (first appearance) and labelled count. Records without an evaluation
 * (or with a non-finite loss) are left out.
 */
export function activeLearningCurvePoints(runs: readonly ActiveLearningRun[]): CurvePoint[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const run of runs) {
    const byLabelled = groups.get(run.strategy) ?? new Map<number, number[]>();
    groups.set(run.strategy, byLabelled);
    for (const record of run.records) {
      const loss = record.evaluation?.loss;
      if (loss === undefined || !Number.isFinite(loss)) continue;
      byLabelled.set(record.labelled, [...(byLabelled.get(record.labelled) ?? []), loss]);
    }
  }
  return [...groups].flatMap(([strategy, byLabelled]) => [...byLabelled]
    .sort(([a], [b]) => a - b)
    .map(([labelled, losses]) => {
      const n = losses.length;
      const mean = losses.reduce((a, b) => a + b, 0) / n;
      const std = n > 1 ? Math.sqrt(losses.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
      return { strategy, labelled, mean, std, lower: mean - std, upper: mean + std, runs: n };
    }));
}

/**
 * Evaluation loss against labelled galaxies for each acquisition strategy: the mean over seeds
 * as a line with points, and a shaded band of ± one standard deviation over seeds.
 *
 * @param runs - the records of every (strategy, seed) run of `activeLearning`.
 * @returns a Vega-Lite spec.
 * @example
 * ```ts
 * const spec = activeLearningCurveSpec([
 *   { strategy: 'bald', seed: 0, records: bald.records },
 *   { strategy: 'random', seed: 0, records: random.records },
 * ]);
 * ```
 */
export function activeLearningCurveSpec(runs: readonly ActiveLearningRun[]): PlotSpec {
  const values = activeLearningCurvePoints(runs);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const x = { field: 'labelled', type: 'quantitative' as const, title: 'labelled galaxies' };
  const color = { field: 'strategy', type: 'nominal' as const, title: 'acquisition' };
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: { text: 'Active learning', subtitle: `mean ± 1 s.d. over ${seeds} seed${seeds === 1 ? '' : 's'}` },
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: { x, y: { field: 'lower', type: 'quantitative', title: 'evaluation loss per galaxy', scale: { zero: false } }, y2: { field: 'upper' }, color: { ...color, legend: null } },
      },
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, color },
      },
    ],
    // The band's legend would show its faded colours: only the lines' legend is kept.
    resolve: { legend: { color: 'independent' } },
    width: 360, height: 240,
  };
}
