/**
 * A gallery of galaxies: each image with bars of its predicted answer distribution for one
 * question and the uncertainty of each fraction.
 *
 * @module
 */
import type { Schema } from '../decisionTree/index.js';
import { ShapeError } from '../errors.js';
import type { PredictionSummary } from '../metrics/predictionSummary.js';
import { PLOT_CONFIG, VEGA_LITE_SCHEMA, type PlotSpec } from './spec.js';

/** One galaxy of the gallery. */
export interface GalleryItem {
  readonly id: string;
  /** The image's URL; a `data:image/png;base64,...` URI keeps the figure self-contained. */
  readonly image: string;
  /** Its MC-dropout summary (`summarisePrediction`), per schema answer. */
  readonly prediction: Pick<PredictionSummary, 'fractions' | 'std'>;
}

/** Options of {@link gallerySpec}. */
export interface GalleryOptions {
  /** Galaxies per row. @defaultValue 4 */
  readonly columns?: number;
  /** Thumbnail side in pixels. @defaultValue 96 */
  readonly thumbnail?: number;
}

/** One bar of a galaxy's predicted distribution: the fraction and the band fraction ± std clipped to [0, 1]. */
export interface GalleryBar {
  readonly id: string;
  readonly answer: string;
  readonly fraction: number;
  readonly std: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The bars of one galaxy for `question`.
 *
 * @throws `ShapeError` when the prediction does not have one value per schema answer; `SchemaError` for an unknown question.
 */
export function galleryBars(item: GalleryItem, schema: Schema, question: string): GalleryBar[] {
  const { fractions, std } = item.prediction;
  if (fractions.length !== schema.answerCount || std.length !== schema.answerCount) {
    throw new ShapeError(`gallerySpec: galaxy "${item.id}" has ${fractions.length} fractions and ${std.length} std values, schema '${schema.name}' has ${schema.answerCount} answers`);
  }
  return schema.getQuestion(question).answers.map((a) => {
    const fraction = fractions[a.index] ?? Number.NaN;
    const s = std[a.index] ?? Number.NaN;
    return { id: item.id, answer: a.text, fraction, std: s, lower: Math.max(0, fraction - s), upper: Math.min(1, fraction + s) };
  });
}

/**
 * A grid of galaxies, each shown as its image above horizontal bars of the predicted vote
 * fractions of `question`'s answers, with a rule spanning ± one standard deviation (the
 * MC-dropout mixture's uncertainty).
 *
 * @param items - the galaxies, in display order.
 * @param question - the question whose answers are shown.
 * @returns a Vega-Lite spec.
 * @throws `ShapeError` / `SchemaError` as {@link galleryBars}.
 * @example
 * ```ts
 * const spec = gallerySpec([{ id, image: `data:image/png;base64,${png.toString('base64')}`, prediction: summarisePrediction(row, 5, schema) }], schema, 'smooth-or-featured');
 * ```
 */
export function gallerySpec(items: readonly GalleryItem[], schema: Schema, question: string, options: GalleryOptions = {}): PlotSpec {
  const { columns = 4, thumbnail = 96 } = options;
  const answers = schema.getQuestion(question).answers.map((a) => a.text);
  const y = { field: 'answer', type: 'nominal' as const, sort: answers, title: null };
  const x = { field: 'fraction', type: 'quantitative' as const, title: 'predicted fraction', scale: { domain: [0, 1] } };
  return {
    $schema: VEGA_LITE_SCHEMA, ...PLOT_CONFIG,
    title: { text: 'Galaxies', subtitle: `predicted ${question} (bars: mean over MC passes, lines: ± 1 s.d.)` },
    columns,
    concat: items.map((item) => ({
      vconcat: [
        {
          title: item.id,
          data: { values: [{ url: item.image }] },
          mark: { type: 'image', width: thumbnail, height: thumbnail },
          encoding: { url: { field: 'url', type: 'nominal' }, x: { value: thumbnail / 2 }, y: { value: thumbnail / 2 } },
          width: thumbnail, height: thumbnail,
        },
        {
          data: { values: galleryBars(item, schema, question) },
          layer: [
            { mark: 'bar', encoding: { y, x } },
            { mark: { type: 'rule', color: 'black' }, encoding: { y, x: { field: 'lower', type: 'quantitative' }, x2: { field: 'upper' } } },
          ],
          width: thumbnail, height: 14 * answers.length,
        },
      ],
    })),
  };
}
