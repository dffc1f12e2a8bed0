/**
 * `represent`: a pretrained encoder's pooled features for every galaxy of a catalogue, streamed
 * into a table (`id_str`, `feat_0` ... `feat_{d-1}`) for similarity search, clustering or
 * anomaly detection.
 *
 * @module node/workflows/represent
 */
import * as tf from '@tensorflow/tfjs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, DataError } from '../../errors.js';
import { AtomicFileWriter } from '../atomicFile.js';
import { catalogBatchSource } from '../catalogSource.js';
import { loadCatalogCsv } from '../catalogFiles.js';
import { writeTableParquet } from '../parquetFiles.js';
import { loadPretrainedEncoder } from '../pretrained.js';
import { createProgress } from '../progress.js';
import { catalogSlice } from './predictCatalog.js';

/** Options of {@link represent}. */
export interface RepresentOptions {
  /** A timm encoder folder in the hub's layout (`config.json` + weights). */
  readonly encoderDir: string;
  /** Catalogue CSV with `id_str` and `file_loc` (relative paths start at its folder). */
  readonly catalogPath: string;
  /** The table to write: Parquet when it ends in `.parquet`, else CSV. */
  readonly outPath: string;
  /** @defaultValue 64 */
  readonly batchSize?: number;
  /** Split the catalogue into this many deterministic slices. @defaultValue 1 */
  readonly numShards?: number;
  /** Which slice this process encodes, 0-based. @defaultValue 0 */
  readonly shardIndex?: number;
  /** Images are resized to `size` x `size` before encoding. @defaultValue 224 (Zoobot's input) */
  readonly size?: number;
  /** Replace an existing output file. @defaultValue false */
  readonly overwrite?: boolean;
  /** Show a progress bar on stderr. @defaultValue false */
  readonly progress?: boolean;
}

/** What {@link represent} wrote. */
export interface RepresentSummary {
  /** Galaxies (rows) written. */
  readonly count: number;
  /** Features per galaxy `d`. */
  readonly features: number;
}

/** One table row: the id and its features as `feat_j` columns. */
type FeatureRow = Record<string, string | number>;

/** Column names `feat_0` ... `feat_{d-1}`. */
const featureNames = (d: number): string[] => Array.from({ length: d }, (_, j) => `feat_${j}`);

/** Quotes a CSV cell when it holds a comma, quote or line break (ids come unquoted from the catalogue). */
const csvCell = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Writes rows as CSV through an atomic file, a batch of rows per write. */
async function writeFeaturesCsv(path: string, d: number, batches: AsyncIterable<FeatureRow[]>): Promise<void> {
  const file = await AtomicFileWriter.create(path);
  const names = featureNames(d);
  try {
    await file.write(`id_str,${names.join(',')}\n`);
    for await (const rows of batches) {
      await file.write(rows.map((r) => `${csvCell(r.id_str as string)},${names.map((n) => r[n]).join(',')}\n`).join(''));
    }
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** Throws when `path` exists (re-running a job should not silently replace hours of work). */
async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(() => true, () => false);
  if (exists) throw new DataError('already exists; choose another output or pass overwrite (--overwrite)', { file: path });
}

/**
 * Encodes a catalogue's images with a pretrained encoder and writes one row of features per
 * galaxy. Images are decoded, encoded and written a batch at a time, so memory stays bounded.
 *
 * @param options - encoder, catalogue, output and slicing.
 * @returns the number of galaxies written and the feature count `d` (the table has `d + 1` columns).
 * @throws DataError naming the output when it exists and `overwrite` is not set, or naming a bad
 *   catalogue row, image or encoder file; ConfigError for bad batch or shard options.
 * @example
 * ```ts
 * await represent({ encoderDir: 'zoobot-encoder-convnext_nano', catalogPath: 'catalog.csv', outPath: 'features.parquet' });
 * ```
 */
export async function represent(options: RepresentOptions): Promise<RepresentSummary> {
  const { batchSize = 64, numShards = 1, shardIndex = 0, size = 224 } = options;
  if (options.overwrite !== true) await refuseExisting(options.outPath);
  const { rows: all } = await loadCatalogCsv(options.catalogPath, { schema: { labelColumns: [] }, checkImages: true });
  const rows = catalogSlice(all, numShards, shardIndex);
  const encoder = await loadPretrainedEncoder(options.encoderDir, { imageSize: size });
  try {
    const channels = encoder.inputs[0]?.shape[3];
    if (channels !== 1 && channels !== 3) throw new ConfigError(`represent: the encoder must take 1 or 3 channels, got ${channels}`);
    const width = encoder.outputs[0]?.shape[1];
    if (typeof width !== 'number') throw new ConfigError(`represent: the encoder's output must be [batch, features], got [${encoder.outputs[0]?.shape.join(', ')}]`);
    const d = width;
    const source = catalogBatchSource({ rows, imageRoot: dirname(options.catalogPath), size, channels, batchSize });
    const bar = createProgress({ label: 'represent', total: rows.length, silent: options.progress !== true });
    const names = featureNames(d);
    let count = 0;
    async function* featureBatches(): AsyncGenerator<FeatureRow[]> {
      for await (const batch of source.batches(0)) {
        // Each batch's tensors are freed before the next is decoded: memory does not grow with the catalogue.
        const values = tf.tidy(() => (encoder.predict(batch.images) as tf.Tensor2D).dataSync().slice());
        tf.dispose([batch.images, batch.labels]);
        const ids = batch.ids ?? [];
        yield ids.map((id, b) => {
          const row: FeatureRow = { id_str: id };
          names.forEach((name, j) => { row[name] = values[b * d + j] as number; });
          return row;
        });
        count += ids.length;
        bar.update(count);
      }
    }
    if (options.outPath.endsWith('.parquet')) {
      const columns = [{ name: 'id_str', type: 'STRING' as const }, ...names.map((name) => ({ name, type: 'FLOAT' as const }))];
      await writeTableParquet(options.outPath, columns, (async function* () { for await (const b of featureBatches()) yield* b; })());
    } else {
      await writeFeaturesCsv(options.outPath, d, featureBatches());
    }
    bar.stop();
    return { count, features: d };
  } finally {
    encoder.dispose();
  }
}
