/**
 * Training and prediction input from a catalogue and its image files: images are decoded a
 * batch at a time on worker threads (the next batch while the current one trains), so memory
 * stays bounded however large the catalogue and decoding keeps up with training.
 *
 * @module node/catalogSource
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { CatalogRow } from '../data/catalog/index.js';
import { createRng } from '../data/synthetic/random.js';
import {
  batchTensors, packBatch, prefetch, shuffleInPlace, type AugmentImages, type BatchSource, type GalaxyBatch, type PackedBatch,
} from '../training/batches.js';
import { createDecodePool } from './decodePool.js';
import { decodeImageFile, type DecodeImageOptions, type DecodedImage } from './images.js';

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
  /**
   * Worker threads that decode images, started for each pass over the rows and terminated at its
   * end; 0 decodes on the calling thread. Workers pay off where decoding is JavaScript (pngjs,
   * when sharp is absent) on machines with cores to spare; sharp already decodes off the main
   * thread, and on 2 cores the pool was measured slower (docs/performance.md). @defaultValue 0
   */
  readonly workers?: number;
  /** Applied to each batch's images (see {@link AugmentImages}). */
  readonly augment?: AugmentImages;
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
  const { rows, imageRoot, size, channels = 1, batchSize = 32, shuffle = false, seed = 0, cache = false, augment } = options;
  const workers = options.workers ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`catalogBatchSource: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`catalogBatchSource: size must be a positive integer, got ${size}`);
  if (!Number.isInteger(workers) || workers < 0) throw new ConfigError(`catalogBatchSource: workers must be a non-negative integer, got ${workers}`);
  const pixels = size * size * channels;
  const answers = rows[0]?.counts.length ?? 0;
  const decodeOptions: DecodeImageOptions = { size, channels };
  const decoded = new Map<number, Uint8Array>();

  async function* packed(epoch: number, decode: (path: string) => Promise<DecodedImage>): AsyncGenerator<PackedBatch> {
    const pixelsOf = async (index: number): Promise<Uint8Array> => {
      const hit = decoded.get(index);
      if (hit !== undefined) return hit;
      const row = rows[index] as CatalogRow;
      const image = await decode(isAbsolute(row.file_loc) ? row.file_loc : resolve(imageRoot, row.file_loc));
      if (cache) decoded.set(index, image.data);
      return image.data;
    };
    const order = Array.from({ length: rows.length }, (_, i) => i);
    if (shuffle) shuffleInPlace(order, createRng(seed, epoch));
    for (let start = 0; start < order.length; start += batchSize) {
      const members = order.slice(start, start + batchSize);
      const images = await Promise.all(members.map(pixelsOf));
      yield packBatch(members.map((m, b) => {
        const row = rows[m] as CatalogRow;
        return { pixels: images[b] as Uint8Array, counts: row.counts, id: row.id_str };
      }), pixels, answers, 255);
    }
  }

  return {
    size: rows.length,
    async *batches(epoch: number): AsyncGenerator<GalaxyBatch> {
      // Every image cached: no decoding, so no workers to start.
      const pool = workers > 0 && decoded.size < rows.length ? createDecodePool({ workers }) : undefined;
      const decode = pool === undefined ? (path: string) => decodeImageFile(path, decodeOptions) : (path: string) => pool.decode(path, decodeOptions);
      try {
        let batch = 0;
        for await (const pack of prefetch(packed(epoch, decode))) {
          yield batchTensors(pack, [size, size, channels], augment === undefined ? undefined : { fn: augment, epoch, batch });
          batch += 1;
        }
      } finally {
        await pool?.close();
      }
    },
  };
}
