import { join, resolve } from 'node:path';
import { decalsDr5Schema } from '../../decisionTree/index.js';
import type { ZoobotArchitecture } from '../../architectures/index.js';
import { splitCatalog } from '../../data/split.js';
import { randomDihedral } from '../../training/dihedral.js';
import type { AugmentImages } from '../../training/batches.js';
import type { ConcentrationWarmup } from '../../training/concentrationWarmup.js';
import { loadCatalogCsv } from '../catalogFiles.js';
import { writeSyntheticDataset } from '../writeSynthetic.js';
import { readPredictedFractions } from '../predictionsFile.js';
import { trainOnCatalog, catalogImageRoot } from './trainCatalog.js';
import { predictCatalog } from './predictCatalog.js';
import { comparePredictions, type ComparisonReport } from './compare.js';
import { writeDemoPlots } from '../plots/figures.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Output folder. */
  readonly outDir: string;
  /** Synthetic galaxies to generate. @defaultValue 5000 */
  readonly count?: number;
  /** Image side in pixels. @defaultValue 48 */
  readonly size?: number;
  /** @defaultValue 10 */
  readonly epochs?: number;
  /** @defaultValue 32 */
  readonly batchSize?: number;
  /** MC-dropout passes at prediction, each under one of the 8 flips and quarter turns of the image. @defaultValue 8 */
  readonly passes?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /** Adam learning rate. @defaultValue 2e-3 */
  readonly learningRate?: number;
  /** Base network. @defaultValue 'small' */
  readonly architecture?: ZoobotArchitecture;
  /** Augmentation of the training batches, or `false` for none. @defaultValue `randomDihedral({ seed })` */
  readonly augment?: AugmentImages | false;
  /**
   * Concentration warm-up (see `train`), or `false` for none.
   * @defaultValue half the epochs, at most 4 (`{ epochs: 4 }` for the default 10 epochs), so training ends on the plain loss
   */
  readonly concentrationWarmup?: ConcentrationWarmup | false;
  readonly progress?: boolean;
  readonly log?: (message: string) => void;
}

/** What the demo did and measured. */
export interface DemoReport {
  readonly outDir: string;
  readonly files: Readonly<Record<string, string>>;
  readonly galaxies: { readonly train: number; readonly validation: number; readonly test: number };
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly bestValidationLoss: number;
  readonly trainImagesPerSecond: number;
  /** Accuracy on the test galaxies where volunteers were confident (> 0.8) about smooth vs featured. */
  readonly smoothFeaturedAccuracy: number;
  readonly comparison: ComparisonReport;
  readonly seconds: number;
}

/**
 * The README's main job on the embedded synthetic data: generate galaxies with simulated
 * volunteers (DECaLS DR5 tree), split 7:2:1, train a convnet with the Dirichlet-multinomial
 * tree loss, predict the test split with MC dropout and compare with the volunteers.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = performance.now();
  const { count = 5000, size = 48, epochs = 10, batchSize = 32, passes = 8, seed = 1, architecture = 'small', log = () => {} } = options;
  const outDir = resolve(options.outDir);
  const schema = decalsDr5Schema;
  const augment = options.augment ?? randomDihedral({ seed });
  const warmupEpochs = Math.min(4, Math.floor(epochs / 2));
  const concentrationWarmup = options.concentrationWarmup ?? (warmupEpochs > 0 ? { epochs: warmupEpochs } : false);

  log(`generating ${count} synthetic galaxies (${size} px) with simulated volunteers in ${join(outDir, 'data')}`);
  const data = await writeSyntheticDataset({ outDir: join(outDir, 'data'), count, size, seed, schema });
  const { rows } = await loadCatalogCsv(data.catalogPath, { schema });
  const [trainRows = [], validationRows = [], testRows = []] = splitCatalog(rows, { fractions: [0.7, 0.2, 0.1], seed });
  log(`split ${rows.length} galaxies into ${trainRows.length} train, ${validationRows.length} validation, ${testRows.length} test`);

  const imageRoot = catalogImageRoot(data.catalogPath);
  const trained = await trainOnCatalog({
    schema, trainRows, validationRows, imageRoot, outDir: join(outDir, 'run'), architecture, size,
    epochs, batchSize, seed, cache: true, ...(augment !== false ? { augment } : {}),
    ...(concentrationWarmup !== false ? { concentrationWarmup } : {}), learningRate: options.learningRate ?? 2e-3, ...(options.progress !== undefined ? { progress: options.progress } : {}), log,
  });
  log(`best epoch ${trained.bestEpoch + 1} (validation loss ${trained.bestValidationLoss.toFixed(3)}); model in ${trained.modelDir}`);

  const predictionsPath = join(outDir, 'predictions.csv');
  await predictCatalog({ model: trained.model, schema, rows: testRows, imageRoot, outPath: predictionsPath, passes, dihedral: true, ...(options.progress !== undefined ? { progress: options.progress } : {}) });
  const predictions = await readPredictedFractions(predictionsPath, schema);
  const comparison = comparePredictions(predictions, testRows, schema);
  trained.model.dispose();
  const plots = await writeDemoPlots({ outDir, schema, history: trained.history, report: comparison, predictions, rows: testRows, imageRoot, predictionsPath });
  log(`figures in ${plots.dir}${plots.notes.length > 0 ? ` (${plots.notes.join('; ')})` : ''}`);
  const smoothFeatured = comparison.confidentAnswers[0];
  const last = trained.history.at(-1);
  return {
    outDir,
    files: { catalog: data.catalogPath, truth: data.truthPath, model: trained.modelDir, history: trained.historyPath, predictions: predictionsPath, plots: plots.dir },
    galaxies: { train: trainRows.length, validation: validationRows.length, test: testRows.length },
    epochsRun: trained.history.length,
    bestEpoch: trained.bestEpoch,
    bestValidationLoss: trained.bestValidationLoss,
    trainImagesPerSecond: last?.imagesPerSecond ?? Number.NaN,
    smoothFeaturedAccuracy: smoothFeatured?.accuracy ?? Number.NaN,
    comparison,
    seconds: (performance.now() - started) / 1000,
  };
}
