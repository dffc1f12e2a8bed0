/**
 * The figures the `demo` and `compare` workflows and the active-learning example write next to
 * their outputs, in a `plots/` folder.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CatalogRow } from '../../data/catalog/index.js';
import type { Schema } from '../../decisionTree/index.js';
import type { ComparisonReport } from '../workflows/compare.js';
import {
  activeLearningCurveSpec, confusionMatrixSpec, fractionReliability, gallerySpec, lossCurvesSpec, questionLossCurvesSpec,
  reliabilityDiagramSpec, voteFractionScatterSpec, fractionPoints, type ActiveLearningRun, type GalleryItem, type LossRecord, type PlotSpec,
} from '../../plots/index.js';
import { readPredictionSummaries } from './predictionSummaries.js';
import { writePlot, type WritePlotOptions } from './render.js';

/** What a group of figures left on disk. */
export interface WrittenPlots {
  /** The folder. */
  readonly dir: string;
  /** Every file written (SVG, and PNG where sharp is installed). */
  readonly files: readonly string[];
  /** Things the user should know, e.g. that PNGs were skipped because sharp is missing. */
  readonly notes: readonly string[];
}

/** A file name part from a question's text. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/**
 * Renders and writes figures, one after the other (rendering is CPU-bound).
 *
 * @param dir - the output folder (created).
 * @param specs - figures by file name (without extension).
 * @returns the files written and notes.
 */
export async function writePlots(dir: string, specs: Readonly<Record<string, PlotSpec>>, options: WritePlotOptions = {}): Promise<WrittenPlots> {
  const files: string[] = [];
  const notes = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    const written = await writePlot(spec, resolve(dir, name), options);
    files.push(written.svg, ...(written.png === undefined ? [] : [written.png]));
    if (written.pngSkipped !== undefined) notes.add(`SVG only: ${written.pngSkipped}`);
  }
  return { dir: resolve(dir), files, notes: [...notes] };
}

/** Inputs of {@link comparisonPlotSpecs}. */
export interface ComparisonPlotInputs {
  readonly schema: Schema;
  /** Predicted vote fractions by `id_str` (`readPredictedFractions`). */
  readonly predictions: ReadonlyMap<string, readonly number[]>;
  /** Catalogue rows with the volunteer votes. */
  readonly rows: readonly CatalogRow[];
  /** `comparePredictions(predictions, rows, schema)`. */
  readonly report: ComparisonReport;
  /** Fewest votes for a galaxy to appear in a question's scatter. @defaultValue 20 */
  readonly minVotes?: number;
}

/**
 * The figures of a comparison: per question, the confusion matrix (`confusion-<question>`, when
 * volunteers were confident about some galaxy) and predicted against volunteer fractions
 * (`fractions-<question>`, when some galaxy has enough votes); and one reliability diagram of
 * all questions (`reliability`).
 */
export function comparisonPlotSpecs(inputs: ComparisonPlotInputs): Record<string, PlotSpec> {
  const { schema, report, minVotes = 20 } = inputs;
  const joined = inputs.rows.filter((r) => inputs.predictions.has(r.id_str));
  const predicted = joined.map((r) => inputs.predictions.get(r.id_str) as readonly number[]);
  const counts = joined.map((r) => r.counts);
  const specs: Record<string, PlotSpec> = {};
  for (const metrics of report.confidentAnswers) {
    if (metrics.galaxies > 0) specs[`confusion-${slug(metrics.question)}`] = confusionMatrixSpec(metrics);
  }
  for (const q of schema.questions) {
    if (fractionPoints(predicted, counts, schema, q.text, { minVotes }).length > 0) {
      specs[`fractions-${slug(q.text)}`] = voteFractionScatterSpec(predicted, counts, schema, q.text, { minVotes });
    }
  }
  specs.reliability = reliabilityDiagramSpec(fractionReliability(predicted, counts, schema), 'Reliability of predicted vote fractions');
  return specs;
}

/**
 * Writes the figures of a comparison ({@link comparisonPlotSpecs}) into `dir`.
 *
 * @returns the files written and notes (e.g. PNGs skipped without sharp).
 */
export function writeComparisonPlots(dir: string, inputs: ComparisonPlotInputs, options: WritePlotOptions = {}): Promise<WrittenPlots> {
  return writePlots(dir, comparisonPlotSpecs(inputs), options);
}

/** The total and per-question loss curves (`loss`, `loss-by-question`) of a training history. */
export function trainingPlotSpecs(history: readonly LossRecord[]): Record<string, PlotSpec> {
  return { loss: lossCurvesSpec(history), 'loss-by-question': questionLossCurvesSpec(history) };
}

/** The PNG or JPEG bytes of an image as a data URI, or `undefined` for other formats. */
function dataUri(bytes: Uint8Array): string | undefined {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!png && !jpeg) return undefined;
  return `data:image/${png ? 'png' : 'jpeg'};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** Inputs of {@link galleryItems}. */
export interface GalleryInputs {
  readonly schema: Schema;
  /** Catalogue rows; the first `count` with predictions (and PNG/JPEG images) are shown. */
  readonly rows: readonly CatalogRow[];
  /** The folder relative `file_loc` paths start from. */
  readonly imageRoot: string;
  /** A predictions CSV (`writePredictionsCsv`), for the fractions and their standard deviations. */
  readonly predictionsPath: string;
  /** @defaultValue 8 */
  readonly count?: number;
}

/** Gallery entries for the first `count` rows that have predictions and PNG/JPEG images. */
export async function galleryItems(inputs: GalleryInputs): Promise<GalleryItem[]> {
  const { count = 8 } = inputs;
  const candidates = inputs.rows.filter((r) => r.file_loc !== '').slice(0, 4 * count);
  const summaries = await readPredictionSummaries(inputs.predictionsPath, inputs.schema, new Set(candidates.map((r) => r.id_str)));
  const items: GalleryItem[] = [];
  for (const row of candidates) {
    const prediction = summaries.get(row.id_str);
    if (prediction === undefined || items.length >= count) continue;
    const image = dataUri(await readFile(resolve(inputs.imageRoot, row.file_loc)));
    if (image !== undefined) items.push({ id: row.id_str, image, prediction });
  }
  return items;
}

/** Inputs of {@link writeDemoPlots}. */
export interface DemoPlotInputs extends GalleryInputs {
  /** The output folder; figures go to its `plots/` subfolder. */
  readonly outDir: string;
  readonly history: readonly LossRecord[];
  /** The comparison of the test split's predictions with its votes. */
  readonly report: ComparisonReport;
  /** Predicted fractions by `id_str` of the test split. */
  readonly predictions: ReadonlyMap<string, readonly number[]>;
}

/**
 * Writes the demo's figures into `outDir/plots`: loss curves, the comparison's figures
 * ({@link comparisonPlotSpecs}) and a gallery of test galaxies with their predicted answers to
 * the first question.
 *
 * @returns the files written and notes (e.g. PNGs skipped without sharp).
 */
export async function writeDemoPlots(inputs: DemoPlotInputs, options: WritePlotOptions = {}): Promise<WrittenPlots> {
  const items = await galleryItems(inputs);
  const first = inputs.schema.questions[0];
  return writePlots(resolve(inputs.outDir, 'plots'), {
    ...trainingPlotSpecs(inputs.history),
    ...comparisonPlotSpecs(inputs),
    ...(items.length > 0 && first !== undefined ? { gallery: gallerySpec(items, inputs.schema, first.text) } : {}),
  }, options);
}

/**
 * Writes the active-learning curve (`active-learning.svg`/`.png`) into `dir`.
 *
 * @param runs - every (strategy, seed) run's records.
 */
export function writeActiveLearningPlot(dir: string, runs: readonly ActiveLearningRun[], options: WritePlotOptions = {}): Promise<WrittenPlots> {
  return writePlots(dir, { 'active-learning': activeLearningCurveSpec(runs) }, options);
}
