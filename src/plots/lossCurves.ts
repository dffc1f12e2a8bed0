/**
 * Training and validation loss against epoch, from the records of `train()` (the lines of the
 * JSON-lines history written by `jsonLinesHistory`).
 *
 * @module
 */
import type { EpochRecord } from '../training/checkpoint.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, type PlotSpec } from './spec.js';

/** The loss curves' record fields; a parsed history line has them. */
export type LossRecord = Pick<EpochRecord, 'epoch' | 'loss' | 'validationLoss' | 'questionLosses' | 'validationQuestionLosses'>;

/** One point of a loss curve, the rows of the figures' data. */
export interface LossPoint {
  /** One-based epoch. */
  readonly epoch: number;
  readonly split: 'training' | 'validation';
  /** The question, or `'total'` for the loss summed over questions. */
  readonly question: string;
  readonly loss: number;
}

/**
 * The points of the loss curves: the total (`question: 'total'`) and every question, for training
 * and, where recorded, validation. Non-finite losses are left out (a line cannot pass through them).
 *
 * @param history - the epoch records in order.
 */
export function lossPoints(history: readonly LossRecord[]): LossPoint[] {
  const points: LossPoint[] = [];
  const add = (epoch: number, split: LossPoint['split'], question: string, loss: number | undefined) => {
    if (loss !== undefined && Number.isFinite(loss)) points.push({ epoch: epoch + 1, split, question, loss });
  };
  for (const record of history) {
    add(record.epoch, 'training', 'total', record.loss);
    add(record.epoch, 'validation', 'total', record.validationLoss);
    for (const [question, loss] of Object.entries(record.questionLosses)) add(record.epoch, 'training', question, loss);
    for (const [question, loss] of Object.entries(record.validationQuestionLosses ?? {})) add(record.epoch, 'validation', question, loss);
  }
  return points;
}

const encoding = {
  x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
  y: { field: 'loss', type: 'quantitative', title: 'loss per galaxy', scale: { zero: false } },
  color: { field: 'split', type: 'nominal', title: null, sort: ['training', 'validation'] },
} as const;

/**
 * Line chart of the total loss per galaxy (summed over questions) against epoch: one line for
 * training and, when recorded, one for validation.
 *
 * @param history - the epoch records (`TrainResult.history`, or the parsed lines of `history.jsonl`).
 * @returns a Vega-Lite spec.
 * @example
 * ```ts
 * const spec = lossCurvesSpec(result.history);
 * ```
 */
export function lossCurvesSpec(history: readonly LossRecord[]): PlotSpec {
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: 'Loss per galaxy (sum over questions)',
    data: { values: lossPoints(history).filter((p) => p.question === 'total') },
    mark: { type: 'line', point: true },
    encoding,
    width: 360, height: 240,
  };
}

/**
 * One small panel per question with its training and validation loss against epoch (each panel
 * has its own y scale: questions asked of few galaxies have small losses).
 *
 * @param history - the epoch records.
 * @param columns - panels per row. @defaultValue 3
 * @returns a Vega-Lite spec.
 */
export function questionLossCurvesSpec(history: readonly LossRecord[], columns = 3): PlotSpec {
  const values = lossPoints(history).filter((p) => p.question !== 'total');
  const questions = [...new Set(values.map((p) => p.question))];
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: 'Loss per galaxy, by question',
    data: { values },
    facet: { field: 'question', type: 'nominal', title: null, sort: questions },
    columns,
    spec: { mark: { type: 'line', point: true }, encoding, width: 200, height: 120 },
    resolve: { scale: { y: 'independent' } },
  };
}
