/**
 * Training input streamed from a folder of TFRecord shards (written by `writeShards` or
 * `zoobot-ts shards`): records are read shard by shard, mixed in a seeded shuffle buffer,
 * packed into batches and prefetched one batch ahead, so memory holds the buffer and two
 * batches however large the folder.
 *
 * @module node/shardSource
 */
import { ConfigError } from '../errors.js';
import { createRng } from '../data/synthetic/random.js';
import type { GalaxyExample } from '../data/tfrecord/example.js';
import {
  batchTensors, packBatch, prefetch, shuffleInPlace, type AugmentImages, type BatchSource, type GalaxyBatch, type PackedBatch,
} from '../training/batches.js';
import { readManifestShard, readShardManifest, type ShardManifest } from './shardFiles.js';

/** Options of {@link shardBatchSource}. */
export interface ShardSourceOptions {
  /** The shard folder (holding `manifest.json`). */
  readonly dir: string;
  /** Which split to read. @defaultValue 'train' */
  readonly split?: string;
  /**
   * Label columns to put in the label matrix, in this order (pass a schema's `labelColumns`).
   * @defaultValue the manifest's
   */
  readonly labelColumns?: readonly string[];
  /** @defaultValue 32 */
  readonly batchSize?: number;
  /** Shuffle shard order and records every epoch (seeded by `seed` and the epoch). @defaultValue false */
  readonly shuffle?: boolean;
  /** @defaultValue 0 */
  readonly seed?: number;
  /** Records held for shuffling: larger mixes better and takes more memory. @defaultValue 1024 */
  readonly shuffleBuffer?: number;
  /** Applied to each batch's images (see {@link AugmentImages}). */
  readonly augment?: AugmentImages;
}

/** A {@link BatchSource} over shards, with what it read from the manifest. */
export interface ShardBatchSource extends BatchSource {
  /** Galaxies in the split. */
  readonly size: number;
  /** `[height, width, channels]` of the images. */
  readonly imageShape: readonly [number, number, number];
  /** The label matrix's columns. */
  readonly labelColumns: readonly string[];
  readonly manifest: ShardManifest;
}

/**
 * Yields records in a random order using a buffer of `capacity` records: each new record takes
 * the place of a randomly chosen buffered one, which is emitted (as `tf.data`'s shuffle does).
 */
async function* shuffleBuffer<T>(items: AsyncIterable<T>, capacity: number, rng: { next(): number }): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const item of items) {
    if (buffer.length < capacity) {
      buffer.push(item);
      continue;
    }
    const j = Math.floor(rng.next() * capacity);
    const out = buffer[j] as T;
    buffer[j] = item;
    yield out;
  }
  yield* shuffleInPlace(buffer, rng);
}

/**
 * Opens a shard folder as a {@link BatchSource}: images `[batch, height, width, channels]` scaled
 * to [0, 1] as the other sources do, labels the vote-count matrix in `labelColumns` order, ids.
 * Every record's checksums are verified as it is read.
 *
 * @param options - folder, split, label columns, batch size, shuffling, augmentation.
 * @returns the source; each call to `batches(epoch)` streams the split once.
 * @throws DataError for a missing or malformed manifest; ConfigError for an unknown split or
 * label column or a bad option. While streaming, a corrupt record gives a DataError naming its
 * file and byte offset.
 * @example
 * ```ts
 * const train = await shardBatchSource({ dir: 'shards', split: 'train', shuffle: true, seed: 1, labelColumns: schema.labelColumns });
 * for await (const batch of train.batches(0)) { ...; tf.dispose([batch.images, batch.labels]); }
 * ```
 */
export async function shardBatchSource(options: ShardSourceOptions): Promise<ShardBatchSource> {
  const { dir, split = 'train', batchSize = 32, shuffle = false, seed = 0, shuffleBuffer: capacity = 1024, augment } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`shardBatchSource: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(capacity) || capacity < 1) throw new ConfigError(`shardBatchSource: shuffleBuffer must be a positive integer, got ${capacity}`);
  const manifest = await readShardManifest(dir);
  const entry = manifest.splits[split];
  if (entry === undefined) throw new ConfigError(`shardBatchSource: no split "${split}" in ${dir}; has ${Object.keys(manifest.splits).join(', ')}`);
  const labelColumns = options.labelColumns ?? manifest.labelColumns;
  const missing = labelColumns.filter((c) => !manifest.labelColumns.includes(c));
  if (missing.length > 0) throw new ConfigError(`shardBatchSource: ${dir} has no label column ${missing.join(', ')}`);
  const imageShape = [...manifest.imageShape] as [number, number, number];
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];

  async function* examples(rng: { next(): number } | undefined): AsyncGenerator<GalaxyExample> {
    const shards = [...entry!.shards];
    if (rng !== undefined) shuffleInPlace(shards, rng);
    for (const shard of shards) {
      for await (const example of readManifestShard(dir, manifest, shard)) {
        // A buffered record must not keep the whole read chunk its bytes are a view of alive.
        yield rng === undefined ? example : { ...example, matrix: example.matrix.slice() };
      }
    }
  }

  async function* packed(epoch: number): AsyncGenerator<PackedBatch> {
    const rng = shuffle ? createRng(seed, epoch) : undefined;
    const ordered = rng === undefined ? examples(undefined) : shuffleBuffer(examples(rng), capacity, rng);
    let members: GalaxyExample[] = [];
    const pack = (): PackedBatch => packBatch(members.map((e) => ({
      pixels: e.matrix, counts: labelColumns.map((c) => e.labels[c] as number), id: e.id,
    })), pixels, labelColumns.length, 255);
    for await (const example of ordered) {
      members.push(example);
      if (members.length === batchSize) {
        yield pack();
        members = [];
      }
    }
    if (members.length > 0) yield pack();
  }

  return {
    size: entry.count,
    imageShape,
    labelColumns: [...labelColumns],
    manifest,
    async *batches(epoch: number): AsyncGenerator<GalaxyBatch> {
      let batch = 0;
      for await (const pack of prefetch(packed(epoch))) {
        yield batchTensors(pack, imageShape, augment === undefined ? undefined : { fn: augment, epoch, batch });
        batch += 1;
      }
    },
  };
}
