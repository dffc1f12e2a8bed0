/**
 * Training and prediction input from a catalogue and its image files: images are decoded a
 * batch at a time (the next batch while the current one trains), so memory stays bounded
 * however large the catalogue.
 *
 * @module node/catalogSource
 */
import * as tf from '@tensorflow/tfjs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { CatalogRow } from '../data/catalog/index.js';
import { createRng } from '../data/synthetic/random.js';
import { shuffleInPlace, type BatchSource, type GalaxyBatch } from '../training/batches.js';
import { decodeImageFile } from './images.js';

/** Options of {@link catalogBatchSource}. */
export interface CatalogSourceOptions {
  readonly rows: readonly CatalogRow[];
  /** Folder that relative `file_loc` paths start from (usually the catalogue's folder). */
  readonly imageRoot: string;
  /** Images are resized to `size` x `size`. */
  readonly size: number;
  /** @defaultValue 1 (greyscale, the channel mean) */
  readonly channels?: 1 | 3;
  /** @defaultValue 32 */
  readonly batchSize?: number;
  /** Reshuffle every epoch (seeded by `seed` and the epoch). @defaultValue false */
  readonly shuffle?: boolean;
  /** @defaultValue 0 */
  readonly seed?: number;
  /** Keep decoded pixels in memory after the first epoch (small data sets). @defaultValue false */
  readonly cache?: boolean;
}

/**
 * A {@link BatchSource} that reads images named by catalogue rows. Labels are the rows' vote
 * counts; pixels are scaled to [0, 1].
 *
 * @example
 * ```ts
 * const source = catalogBatchSource({ rows, imageRoot: dirname(catalogPath), size: 64, shuffle: true });
 * ```
 */
export function catalogBatchSource(options: CatalogSourceOptions): BatchSource {
  const { rows, imageRoot, size, channels = 1, batchSize = 32, shuffle = false, seed = 0, cache = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`catalogBatchSource: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`catalogBatchSource: size must be a positive integer, got ${size}`);
  const pixels = size * size * channels;
  const answers = rows[0]?.counts.length ?? 0;
  const decoded = new Map<number, Uint8Array>();

  const pixelsOf = async (index: number): Promise<Uint8Array> => {
    const hit = decoded.get(index);
    if (hit !== undefined) return hit;
    const row = rows[index] as CatalogRow;
    const path = isAbsolute(row.file_loc) ? row.file_loc : resolve(imageRoot, row.file_loc);
    const image = await decodeImageFile(path, { size, channels });
    if (cache) decoded.set(index, image.data);
    return image.data;
  };

  const load = async (members: number[]): Promise<{ x: Float32Array; y: Float32Array; ids: string[] }> => {
    const images = await Promise.all(members.map(pixelsOf));
    const x = new Float32Array(members.length * pixels);
    const y = new Float32Array(members.length * answers);
    images.forEach((image, b) => {
      for (let p = 0; p < pixels; p += 1) x[b * pixels + p] = (image[p] ?? 0) / 255;
      y.set((rows[members[b] as number] as CatalogRow).counts, b * answers);
    });
    return { x, y, ids: members.map((m) => (rows[m] as CatalogRow).id_str) };
  };

  return {
    size: rows.length,
    async *batches(epoch: number): AsyncGenerator<GalaxyBatch> {
      const order = Array.from({ length: rows.length }, (_, i) => i);
      if (shuffle) shuffleInPlace(order, createRng(seed, epoch));
      const chunks: number[][] = [];
      for (let start = 0; start < order.length; start += batchSize) chunks.push(order.slice(start, start + batchSize));
      // One batch of lookahead: the next batch decodes while the consumer trains on this one.
      let next = chunks.length > 0 ? load(chunks[0] as number[]) : undefined;
      for (let i = 0; i < chunks.length; i += 1) {
        const current = await (next as Promise<{ x: Float32Array; y: Float32Array; ids: string[] }>);
        next = i + 1 < chunks.length ? load(chunks[i + 1] as number[]) : undefined;
        // Keep a failed lookahead from surfacing as an unhandled rejection before it is awaited.
        next?.catch(() => undefined);
        const n = current.ids.length;
        yield { images: tf.tensor4d(current.x, [n, size, size, channels]), labels: tf.tensor2d(current.y, [n, answers]), ids: current.ids };
      }
    },
  };
}
