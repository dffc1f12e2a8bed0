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
  /** Augmentation applied to every batch (e.g. {@link randomDihedral}). @defaultValue none */
  readonly augment?: AugmentImages;
}

/** One galaxy on its way into a batch. */
export interface BatchExample {
  /** `height * width * channels` pixel values, row-major. */
  readonly pixels: ArrayLike<number>;
  /** Vote counts in the schema's column order. */
  readonly counts: ArrayLike<number>;
  readonly id?: string;
}

/**
 * A batch as flat arrays, before it becomes tensors: it can be prepared ahead (prefetched) and
 * dropped without anything to dispose.
 */
export interface PackedBatch {
  /** `[count * height * width * channels]` pixels in [0, 1]. */
  readonly x: Float32Array;
  /** `[count * answers]` vote counts. */
  readonly y: Float32Array;
  /** Galaxy ids, when every example had one. */
  readonly ids?: readonly string[];
  /** Number of galaxies. */
  readonly count: number;
}

/**
 * Changes the images of a batch (random flips, rotations, crops...). Runs inside `tf.tidy`; the
 * source disposes the input images when a new tensor is returned.
 */
export type AugmentImages = (images: tf.Tensor4D, context: { readonly epoch: number; readonly batch: number }) => tf.Tensor4D;

/**
 * Packs examples into flat arrays: pixels divided by `divisor` (255 for 8-bit pixels, 1 for
 * values already in [0, 1]) and vote counts, in the examples' order. Every source uses it, so
 * they all scale pixels identically.
 *
 * @throws ShapeError when an example has the wrong number of pixels or counts.
 */
export function packBatch(examples: readonly BatchExample[], pixels: number, answers: number, divisor: number): PackedBatch {
  const x = new Float32Array(examples.length * pixels);
  const y = new Float32Array(examples.length * answers);
  examples.forEach((example, b) => {
    if (example.pixels.length !== pixels || example.counts.length !== answers) {
      throw new ShapeError(`packBatch: galaxy ${example.id ?? b} has ${example.pixels.length} pixels and ${example.counts.length} counts, expected ${pixels} and ${answers}`);
    }
    const offset = b * pixels;
    for (let p = 0; p < pixels; p += 1) x[offset + p] = (example.pixels[p] as number) / divisor;
    for (let a = 0; a < answers; a += 1) y[b * answers + a] = example.counts[a] as number;
  });
  const ids = examples.every((e) => e.id !== undefined) ? examples.map((e) => e.id as string) : undefined;
  return { x, y, count: examples.length, ...(ids !== undefined ? { ids } : {}) };
}

/**
 * Turns a {@link PackedBatch} into tensors, applying an optional augmentation.
 *
 * @param packed - the arrays.
 * @param imageShape - `[height, width, channels]` of one image.
 * @param augment - the hook and the batch's place (epoch, index in the epoch) handed to it.
 */
export function batchTensors(
  packed: PackedBatch,
  imageShape: readonly [number, number, number],
  augment?: { readonly fn: AugmentImages; readonly epoch: number; readonly batch: number },
): GalaxyBatch {
  const answers = packed.count === 0 ? 0 : packed.y.length / packed.count;
  let images = tf.tensor4d(packed.x, [packed.count, ...imageShape]);
  if (augment !== undefined) {
    const raw = images;
    try {
      images = tf.tidy(() => augment.fn(raw, { epoch: augment.epoch, batch: augment.batch }));
    } catch (error) {
      raw.dispose();
      throw error;
    }
    if (images !== raw) raw.dispose();
  }
  return { images, labels: tf.tensor2d(packed.y, [packed.count, answers]), ...(packed.ids !== undefined ? { ids: packed.ids } : {}) };
}

/**
 * Runs one item ahead of the consumer: while it works on an item (a training step), the next
 * one is already being produced (files read, images decoded). Errors surface at the item they
 * belong to; stopping early lets the producer finish its step and clean up.
 */
export async function* prefetch<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  let next = iterator.next();
  // A failure while the consumer is busy is reported when it asks for that item, not as an unhandled rejection.
  next.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done === true) {
        finished = true;
        return;
      }
      next = iterator.next();
      next.catch(() => undefined);
      yield current.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    if (!finished) {
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}

/**
 * A {@link BatchSource} over arrays in memory (the synthetic data set, small catalogues).
 * `Uint8Array` pixels are scaled by 1/255.
 */
export function inMemoryBatchSource(options: InMemorySourceOptions): BatchSource {
  const { images, imageShape, labels, ids, batchSize = 32, shuffle = true, seed = 0, augment } = options;
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  const n = labels.length;
  if (images.length !== n * pixels) {
    throw new ShapeError(`inMemoryBatchSource: ${n} label rows need ${n * pixels} pixels of [${imageShape.join(', ')}], got ${images.length}`);
  }
  if (ids !== undefined && ids.length !== n) throw new ShapeError(`inMemoryBatchSource: ${n} label rows but ${ids.length} ids`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`inMemoryBatchSource: batchSize must be a positive integer, got ${batchSize}`);
  const answers = labels[0]?.length ?? 0;
  const divisor = images instanceof Uint8Array ? 255 : 1;

  return {
    size: n,
    async *batches(epoch: number) {
      const order = Array.from({ length: n }, (_, i) => i);
      if (shuffle) shuffleInPlace(order, createRng(seed, epoch));
      for (let start = 0, batch = 0; start < n; start += batchSize, batch += 1) {
        const members = order.slice(start, start + batchSize);
        const packed = packBatch(members.map((m) => ({
          pixels: images.subarray(m * pixels, (m + 1) * pixels),
          counts: labels[m] ?? [],
          ...(ids !== undefined ? { id: ids[m] ?? '' } : {}),
        })), pixels, answers, divisor);
        yield batchTensors(packed, imageShape, augment === undefined ? undefined : { fn: augment, epoch, batch });
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
