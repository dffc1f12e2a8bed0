import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.js';
import { createRng } from '../data/synthetic/random.js';

/** One training batch: images and the schema's vote counts. */
export interface GalaxyBatch {
  /** `[batch, height, width, channels]`, floats in [0, 1]. */
  readonly images: tf.Tensor4D;
  /** `[batch, answers]` vote counts in the schema's column order. */
  readonly labels: tf.Tensor2D;
  /** Galaxy ids, when the source knows them. */
  readonly ids?: readonly string[];
}

/**
 * Anything that can hand out an epoch's batches. `epoch` lets a source reshuffle
 * deterministically, so a resumed run sees the same batches as an uninterrupted one.
 * The consumer disposes each batch's tensors.
 */
export interface BatchSource {
  /** Batches of one epoch. */
  batches(epoch: number): AsyncIterable<GalaxyBatch>;
  /** Number of galaxies per epoch, when known (for progress and images/s). */
  readonly size?: number;
}

/** Options of {@link inMemoryBatchSource}. */
export interface InMemorySourceOptions {
  /** Pixels of all galaxies, row-major `[n, height, width, channels]`, in [0, 1]. */
  readonly images: Float32Array | Uint8Array;
  /** `[height, width, channels]` of one image. */
  readonly imageShape: readonly [number, number, number];
  /** Vote counts, `[n][answers]`. */
  readonly labels: ReadonlyArray<ArrayLike<number>>;
  /** Galaxy ids, `[n]`. */
  readonly ids?: readonly string[];
  /** @defaultValue 32 */
  readonly batchSize?: number;
  /** Reshuffle every epoch. @defaultValue true */
  readonly shuffle?: boolean;
  /** Seed of the shuffle (combined with the epoch). @defaultValue 0 */
  readonly seed?: number;
}

/**
 * A {@link BatchSource} over arrays in memory (the synthetic data set, small catalogues).
 * `Uint8Array` pixels are scaled by 1/255.
 */
export function inMemoryBatchSource(options: InMemorySourceOptions): BatchSource {
  const { images, imageShape, labels, ids, batchSize = 32, shuffle = true, seed = 0 } = options;
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  const n = labels.length;
  if (images.length !== n * pixels) {
    throw new ShapeError(`inMemoryBatchSource: ${n} label rows need ${n * pixels} pixels of [${imageShape.join(', ')}], got ${images.length}`);
  }
  if (ids !== undefined && ids.length !== n) throw new ShapeError(`inMemoryBatchSource: ${n} label rows but ${ids.length} ids`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`inMemoryBatchSource: batchSize must be a positive integer, got ${batchSize}`);
  const answers = labels[0]?.length ?? 0;
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;

  return {
    size: n,
    async *batches(epoch: number) {
      const order = Array.from({ length: n }, (_, i) => i);
      if (shuffle) shuffleInPlace(order, createRng(seed, epoch));
      for (let start = 0; start < n; start += batchSize) {
        const members = order.slice(start, start + batchSize);
        const x = new Float32Array(members.length * pixels);
        const y = new Float32Array(members.length * answers);
        members.forEach((m, b) => {
          for (let p = 0; p < pixels; p += 1) x[b * pixels + p] = (images[m * pixels + p] ?? 0) * scale;
          y.set(Array.from(labels[m] ?? []), b * answers);
        });
        yield {
          images: tf.tensor4d(x, [members.length, ...imageShape]),
          labels: tf.tensor2d(y, [members.length, answers]),
          ...(ids !== undefined ? { ids: members.map((m) => ids[m] ?? '') } : {}),
        };
      }
    },
  };
}

/** Fisher-Yates shuffle driven by a seeded generator. */
export function shuffleInPlace<T>(items: T[], rng: { next(): number }): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
