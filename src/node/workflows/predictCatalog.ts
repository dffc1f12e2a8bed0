import type * as tf from '@tensorflow/tfjs';
import type { Schema } from '../../decisionTree/index.js';
import type { CatalogRow } from '../../data/catalog/index.js';
import { ConfigError } from '../../errors.js';
import { predictSource } from '../../training/predict.js';
import { catalogBatchSource } from '../catalogSource.js';
import { writePredictionsCsv } from '../predictionsFile.js';
import { writePredictionsParquet } from '../parquetFiles.js';
import { createProgress } from '../progress.js';

/** Options of {@link predictCatalog}. */
export interface PredictCatalogOptions {
  readonly model: tf.LayersModel;
  readonly schema: Schema;
  readonly rows: readonly CatalogRow[];
  readonly imageRoot: string;
  /** The predictions table to write: Parquet when it ends in `.parquet`, else CSV. */
  readonly outPath: string;
  readonly passes?: number;
  /** Test-time augmentation over the flips and quarter turns of the square (see `predictMC`). @defaultValue false */
  readonly dihedral?: boolean;
  readonly batchSize?: number;
  /** Split the catalogue into this many deterministic slices (SLURM arrays, indexed Jobs). @defaultValue 1 */
  readonly numShards?: number;
  /** Which slice this process predicts, 0-based. @defaultValue 0 */
  readonly shardIndex?: number;
  readonly progress?: boolean;
}

/** The rows of slice `index` of `count`: every `count`-th row, so slices are disjoint, cover everything and need no coordination. */
export function catalogSlice<T>(rows: readonly T[], count: number, index: number): T[] {
  if (!Number.isInteger(count) || count < 1) throw new ConfigError(`numShards must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new ConfigError(`shardIndex must be in [0, ${count - 1}], got ${index}`);
  return rows.filter((_, i) => i % count === index);
}

/**
 * MC-dropout predictions for catalogue rows, streamed into a predictions table (one row per galaxy).
 * The model's input size decides the image size.
 *
 * @returns the number of galaxies predicted.
 */
export async function predictCatalog(options: PredictCatalogOptions): Promise<number> {
  const { model, schema, passes = 5, dihedral = false, batchSize = 64, numShards = 1, shardIndex = 0 } = options;
  const rows = catalogSlice(options.rows, numShards, shardIndex);
  const [, height, , channels] = model.inputs[0]?.shape ?? [];
  if (typeof height !== 'number' || (channels !== 1 && channels !== 3)) {
    throw new ConfigError(`predictCatalog: the model's input must be [batch, size, size, 1 or 3], got [${model.inputs[0]?.shape.join(', ')}]`);
  }
  const source = catalogBatchSource({ rows, imageRoot: options.imageRoot, size: height, channels, batchSize });
  const bar = createProgress({ label: 'predict', total: rows.length, silent: options.progress === false });
  const write = options.outPath.endsWith('.parquet') ? writePredictionsParquet : writePredictionsCsv;
  const count = await write(options.outPath, schema, predictSource(model, source, { passes, dihedral, onProgress: (done) => bar.update(done) }));
  bar.stop();
  return count;
}
