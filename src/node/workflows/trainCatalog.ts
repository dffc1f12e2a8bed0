import * as tf from '@tensorflow/tfjs';
import { dirname, join, resolve } from 'node:path';
import type { Schema } from '../../decisionTree/index.js';
import type { CatalogRow } from '../../data/catalog/index.js';
import { treeLoss } from '../../losses/index.js';
import { zoobotModel, saveZoobotModel, type ZoobotArchitecture } from '../../architectures/index.js';
import { train, type TrainResult } from '../../training/train.js';
import type { AugmentImages, BatchSource } from '../../training/batches.js';
import { adam, type LearningRateSchedule } from '../../training/adamw.js';
import type { ConcentrationWarmup } from '../../training/concentrationWarmup.js';
import { catalogBatchSource } from '../catalogSource.js';
import { fileCheckpointStore } from '../fileCheckpointStore.js';
import { jsonLinesHistory } from '../history.js';
import { fileSystemHandler } from '../modelIO.js';
import { createProgress } from '../progress.js';

/** Options of {@link trainOnCatalog}. */
export interface TrainOnCatalogOptions {
  readonly schema: Schema;
  readonly trainRows: readonly CatalogRow[];
  readonly validationRows: readonly CatalogRow[];
  /** Folder that relative `file_loc` paths start from. */
  readonly imageRoot: string;
  /** Output folder: `model/`, `checkpoint/`, `history.jsonl`. */
  readonly outDir: string;
  readonly architecture: ZoobotArchitecture;
  /** Images are resized to size x size. */
  readonly size: number;
  readonly channels?: 1 | 3;
  readonly epochs: number;
  readonly batchSize: number;
  readonly patience?: number;
  readonly learningRate?: number;
  readonly seed?: number;
  /** Training batches over which batch-norm statistics are re-estimated before each validation (see `train`). @defaultValue 16 */
  readonly batchNormBatches?: number;
  /** Keep decoded images in memory (small data sets). */
  readonly cache?: boolean;
  /** Augmentation of the training batches, e.g. `randomDihedral({ seed })`. @defaultValue none */
  readonly augment?: AugmentImages;
  /** Concentration warm-up of the Dirichlet head (see `train`). @defaultValue none */
  readonly concentrationWarmup?: ConcentrationWarmup;
  /** Learning-rate multiplier per optimiser step, e.g. `cosineDecay({ steps })`. @defaultValue constant */
  readonly learningRateSchedule?: LearningRateSchedule;
  /** Show progress (false for --json). */
  readonly progress?: boolean;
  /** Status lines. */
  readonly log?: (message: string) => void;
}

/** What {@link trainOnCatalog} returns. */
export interface TrainOnCatalogResult extends TrainResult {
  readonly modelDir: string;
  readonly historyPath: string;
  readonly model: tf.LayersModel;
}

/**
 * Trains a zoobot model on catalogue rows and their images, checkpointing every epoch into
 * `outDir/checkpoint` (a second call with the same `outDir` resumes), writing the history
 * to `outDir/history.jsonl` and the best model to `outDir/model`.
 */
export async function trainOnCatalog(options: TrainOnCatalogOptions): Promise<TrainOnCatalogResult> {
  const { size, channels = 1, batchSize, seed = 0, cache = false, augment } = options;
  const source = (rows: readonly CatalogRow[], training: boolean) => catalogBatchSource({
    rows, imageRoot: options.imageRoot, size, channels, batchSize, shuffle: training, seed, cache,
    ...(training && augment !== undefined ? { augment } : {}),
  });
  return trainOnSources({
    ...options, inputShape: [size, size, channels], train: source(options.trainRows, true),
    ...(options.validationRows.length > 0 ? { validation: source(options.validationRows, false) } : {}),
  });
}

/** Options of {@link trainOnSources}: {@link TrainOnCatalogOptions} with batch sources instead of rows. */
export interface TrainOnSourcesOptions extends Omit<TrainOnCatalogOptions, 'trainRows' | 'validationRows' | 'imageRoot' | 'size' | 'channels' | 'batchSize' | 'cache' | 'augment'> {
  /** Training batches, shuffled by the source. */
  readonly train: BatchSource;
  /** Validation batches for early stopping. */
  readonly validation?: BatchSource;
  /** `[height, width, channels]` of the sources' images. */
  readonly inputShape: readonly [number, number, number];
}

/**
 * {@link trainOnCatalog} on any batch sources (catalogue, shards, memory): same outputs, same
 * checkpointing and resuming.
 */
export async function trainOnSources(options: TrainOnSourcesOptions): Promise<TrainOnCatalogResult> {
  const { schema, seed = 0, log = () => {} } = options;
  const outDir = resolve(options.outDir);
  const total = options.train.size ?? 0;
  const model = zoobotModel({ schema, architecture: options.architecture, inputShape: [...options.inputShape], seed });
  const history = jsonLinesHistory(join(outDir, 'history.jsonl'));
  const checkpoints = fileCheckpointStore(join(outDir, 'checkpoint'));
  if ((await checkpoints.load()) === undefined) await history.start();
  let bar = createProgress({ label: 'epoch 1', total, silent: options.progress === false });
  const result = await train({
    model, schema, loss: treeLoss(schema).perQuestion, epochs: options.epochs, patience: options.patience ?? 8, batchNormBatches: options.batchNormBatches ?? 16,
    optimizer: adam(options.learningRate ?? 1e-3, options.learningRateSchedule), seed, checkpoints,
    ...(options.concentrationWarmup !== undefined ? { concentrationWarmup: options.concentrationWarmup } : {}),
    train: options.train,
    ...(options.validation !== undefined ? { validation: options.validation } : {}),
    callbacks: {
      onResume: async (checkpoint) => {
        log(`resuming after epoch ${checkpoint.completedEpochs} from ${join(outDir, 'checkpoint')}`);
        await history.onResume(checkpoint);
      },
      onBatchEnd: ({ epoch, seen, loss }) => {
        bar.update(seen, `loss ${loss.toFixed(3)}`);
        if (seen >= total) {
          bar.stop();
          bar = createProgress({ label: `epoch ${epoch + 2}`, total, silent: options.progress === false });
        }
      },
      onEpochEnd: async (record) => {
        await history.onEpochEnd(record);
        const validation = record.validationLoss === undefined ? '' : `, validation ${record.validationLoss.toFixed(3)}`;
        log(`epoch ${record.epoch + 1}: loss ${record.loss.toFixed(3)}${validation}, ${record.imagesPerSecond.toFixed(1)} img/s`);
      },
    },
  });
  const modelDir = join(outDir, 'model');
  await saveZoobotModel(model, fileSystemHandler(modelDir), schema);
  return { ...result, modelDir, historyPath: join(outDir, 'history.jsonl'), model };
}

/** The folder relative `file_loc` paths of a catalogue start from. */
export function catalogImageRoot(catalogPath: string): string {
  return dirname(resolve(catalogPath));
}
