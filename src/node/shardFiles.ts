/**
 * Zoobot-compatible TFRecord shards on disk: `<split>_shard_<i>.tfrecord` files of up to
 * `shardSize` galaxies each, plus a `manifest.json` written last. Every file is written under a
 * temporary name and renamed when complete, so an interrupted run never leaves a truncated shard
 * under a shard's name, nor a manifest for shards that do not exist.
 *
 * @module node/shardFiles
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DataError, ShapeError } from '../errors.js';
import type { CatalogRow, CatalogSchema } from '../data/catalog/types.js';
import { decodeGalaxyExample, encodeGalaxyExample, type GalaxyExample } from '../data/tfrecord/example.js';
import { encodeRecord, readRecordsFromChunks } from '../data/tfrecord/framing.js';
import { AtomicFileWriter, writeFileAtomic } from './atomicFile.js';

/** Name of the manifest file in a shard folder. */
export const MANIFEST_FILE = 'manifest.json';
/** Zoobot's default number of galaxies per shard. */
export const DEFAULT_SHARD_SIZE = 4096;
const FORMAT = 'zoobot-ts-tfrecord-shards';
/** Encoded records are gathered into writes of about this many bytes. */
const WRITE_BATCH_BYTES = 4 << 20;

/** One shard file in a {@link ShardManifest}. */
export interface ShardEntry {
  /** File name, relative to the manifest's folder. */
  readonly file: string;
  /** Number of galaxies. */
  readonly count: number;
}

/** The description of a shard folder, written as `manifest.json`. */
export interface ShardManifest {
  readonly format: typeof FORMAT;
  readonly version: 1;
  /** Label features of every Example, in schema order. */
  readonly labelColumns: readonly string[];
  /** The decision-tree schema as JSON, when the writer was given a `Schema`. */
  readonly schema?: unknown;
  /** `[height, width, channels]` of every `matrix` (uint8, C order). */
  readonly imageShape: readonly [number, number, number];
  readonly dtype: 'uint8';
  readonly shardSize: number;
  /** Per split: galaxy count and shard files in order. */
  readonly splits: Readonly<Record<string, { readonly count: number; readonly shards: readonly ShardEntry[] }>>;
}

/** Options of {@link writeShards}. */
export interface WriteShardsOptions {
  /** Split name (letters, digits, `-`, `_`) -> its rows, e.g. the output of `splitCatalog`. */
  readonly splits: Readonly<Record<string, Iterable<CatalogRow> | AsyncIterable<CatalogRow>>>;
  /** Loads a row's pixels: `imageShape` uint8 values, height x width x channels in C order. */
  readonly loadImage: (row: CatalogRow) => Uint8Array | Promise<Uint8Array>;
  /** `[height, width, channels]`. */
  readonly imageShape: readonly [number, number, number];
  /** Label columns, aligned with each row's `counts` (a decision-tree `Schema` fits and is saved in the manifest). */
  readonly schema: CatalogSchema & { toJSON?: () => unknown };
  /** Folder to write; created if needed. */
  readonly outDir: string;
  /** Galaxies per shard. @defaultValue 4096 */
  readonly shardSize?: number;
  /**
   * What to do when `outDir` already holds shards: `'error'` (default) refuses; `'overwrite'`
   * replaces them (removing stale ones at the end); `'resume'` keeps each existing shard whose
   * records verify and hold exactly the ids it should, and writes the others.
   */
  readonly mode?: 'error' | 'overwrite' | 'resume';
}

const shardFileName = (split: string, index: number): string => `${split}_shard_${index}.tfrecord`;
const isShardFile = (name: string): boolean => /_shard_\d+\.tfrecord$/.test(name);
/** Temporary files left by a run that was killed before it could clean up (see AtomicFileWriter). */
const isLeftoverTemp = (name: string): boolean => /^\.(.+_shard_\d+\.tfrecord|manifest\.json)\.\d+-[0-9a-f]+\.tmp$/.test(name);

function checkOptions(options: WriteShardsOptions): number {
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new ConfigError(`writeShards: shardSize should be a positive integer, got ${shardSize}`);
  }
  if (options.imageShape.length !== 3 || options.imageShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ShapeError(`writeShards: imageShape should be [height, width, channels], got [${options.imageShape.join(', ')}]`);
  }
  for (const split of Object.keys(options.splits)) {
    if (!/^[\w-]+$/.test(split)) throw new ConfigError(`writeShards: split name "${split}" should match [A-Za-z0-9_-]+`);
  }
  return shardSize;
}

/** Ids of an existing shard if every record verifies, else undefined. */
async function existingShardIds(path: string, labelColumns: readonly string[]): Promise<string[] | undefined> {
  try {
    const ids: string[] = [];
    for await (const example of readShardFile(path, labelColumns)) ids.push(example.id);
    return ids;
  } catch {
    return undefined;
  }
}

async function writeShard(path: string, rows: readonly CatalogRow[], options: WriteShardsOptions): Promise<void> {
  const { labelColumns } = options.schema;
  const pixels = options.imageShape[0] * options.imageShape[1] * options.imageShape[2];
  const writer = await AtomicFileWriter.create(path);
  try {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    for (const row of rows) {
      let matrix: Uint8Array;
      try {
        matrix = await options.loadImage(row);
      } catch (error) {
        throw new DataError(`galaxy "${row.id_str}": cannot load image: ${(error as Error).message}`,
          { file: row.file_loc }, { cause: error });
      }
      if (matrix.length !== pixels) {
        throw new DataError(
          `galaxy "${row.id_str}": image has ${matrix.length} values, expected ${pixels} (${options.imageShape.join('x')})`,
          { file: row.file_loc },
        );
      }
      const labels = Object.fromEntries(labelColumns.map((c, i) => [c, row.counts[i]!]));
      const record = encodeRecord(encodeGalaxyExample({ id: row.id_str, matrix, labels }, labelColumns, { file: row.file_loc }));
      pending.push(record);
      pendingBytes += record.length;
      if (pendingBytes >= WRITE_BATCH_BYTES) {
        await writer.write(Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      }
    }
    if (pending.length > 0) await writer.write(Buffer.concat(pending));
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Writes catalogue rows and their images as Zoobot-compatible TFRecord shards plus a manifest.
 * Images are loaded one at a time, so memory holds at most one shard's rows and a few MB of records.
 *
 * @param options - splits, image loader, image shape, schema, folder, shard size, mode.
 * @returns the manifest, also written to `<outDir>/manifest.json` once every shard is complete.
 * @throws ConfigError when `outDir` already has shards and `mode` is `'error'`; DataError when an
 * image cannot be loaded or has the wrong size (shards completed before it are kept, and the
 * manifest is not written).
 * @example
 * const [train, val] = splitCatalog(rows, { fractions: [0.8, 0.2], seed: 1 });
 * await writeShards({ splits: { train, val }, loadImage, imageShape: [64, 64, 1], schema: decalsDr5Schema, outDir: 'shards' });
 */
export async function writeShards(options: WriteShardsOptions): Promise<ShardManifest> {
  const shardSize = checkOptions(options);
  const mode = options.mode ?? 'error';
  const { outDir } = options;
  await mkdir(outDir, { recursive: true });
  const names = await readdir(outDir);
  const existing = names.filter((name) => name === MANIFEST_FILE || isShardFile(name));
  if (existing.length > 0 && mode === 'error') {
    throw new ConfigError(
      `writeShards: ${outDir} already holds shards (${existing.slice(0, 3).join(', ')}...); pass mode 'overwrite' or 'resume'`,
    );
  }
  // The folder must not look complete while its shards change.
  await rm(join(outDir, MANIFEST_FILE), { force: true });
  for (const name of names.filter(isLeftoverTemp)) await rm(join(outDir, name), { force: true });

  const { labelColumns } = options.schema;
  const splits: Record<string, { count: number; shards: ShardEntry[] }> = {};
  for (const [split, rows] of Object.entries(options.splits)) {
    const shards: ShardEntry[] = [];
    let batch: CatalogRow[] = [];
    const flush = async (): Promise<void> => {
      const file = shardFileName(split, shards.length);
      const path = join(outDir, file);
      const ids = mode === 'resume' ? await existingShardIds(path, labelColumns) : undefined;
      const reusable = ids !== undefined && ids.length === batch.length && ids.every((id, i) => id === batch[i]!.id_str);
      if (!reusable) await writeShard(path, batch, options);
      shards.push({ file, count: batch.length });
      batch = [];
    };
    for await (const row of rows) {
      batch.push(row);
      if (batch.length === shardSize) await flush();
    }
    if (batch.length > 0) await flush();
    splits[split] = { count: shards.reduce((n, s) => n + s.count, 0), shards };
  }

  const manifest: ShardManifest = {
    format: FORMAT,
    version: 1,
    labelColumns: [...labelColumns],
    ...(options.schema.toJSON ? { schema: options.schema.toJSON() } : {}),
    imageShape: [...options.imageShape] as [number, number, number],
    dtype: 'uint8',
    shardSize,
    splits,
  };
  const written = new Set(Object.values(splits).flatMap((s) => s.shards.map((e) => e.file)));
  for (const name of existing) {
    if (isShardFile(name) && !written.has(name)) await rm(join(outDir, name), { force: true });
  }
  await writeFileAtomic(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Reads and checks a shard folder's manifest.
 *
 * @param dir - the folder written by {@link writeShards}.
 * @returns the manifest.
 * @throws DataError when it is missing (an unfinished or foreign folder) or malformed.
 */
export async function readShardManifest(dir: string): Promise<ShardManifest> {
  const path = join(dir, MANIFEST_FILE);
  let manifest: ShardManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as ShardManifest;
  } catch (error) {
    throw new DataError(`cannot read shard manifest (unfinished or not a shard folder?): ${(error as Error).message}`,
      { file: path }, { cause: error });
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.labelColumns)
    || !Array.isArray(manifest.imageShape) || typeof manifest.splits !== 'object') {
    throw new DataError(`not a ${FORMAT} version 1 manifest`, { file: path });
  }
  return manifest;
}

/**
 * Streams the galaxies of one TFRecord file (written by zoobot-ts, Zoobot or TensorFlow),
 * verifying every record's checksums.
 *
 * @param path - the `.tfrecord` file.
 * @param labelColumns - the label features to read. @defaultValue every int64 feature
 * @returns an async generator of galaxies in file order.
 * @throws DataError naming the file, record and byte offset of a corrupt, truncated or malformed record.
 */
export async function* readShardFile(path: string, labelColumns?: readonly string[]): AsyncGenerator<GalaxyExample> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const record of readRecordsFromChunks(stream as AsyncIterable<Uint8Array>, { file: path })) {
      yield decodeGalaxyExample(record.payload, labelColumns, { file: path, row: record.index, offset: record.offset });
    }
  } finally {
    stream.destroy();
  }
}

/** A galaxy read back from a shard folder. */
export interface ShardExample extends GalaxyExample {
  /** The split it was written to. */
  readonly split: string;
}

/**
 * Streams every galaxy of a shard folder, split by split and shard by shard, checking checksums,
 * image sizes and per-shard counts against the manifest.
 *
 * @param dir - the folder written by {@link writeShards}.
 * @param splits - which splits to read. @defaultValue all, in manifest order
 * @returns an async generator of galaxies with their split.
 * @throws DataError for a missing manifest, a corrupt or truncated shard, or a shard whose
 * contents disagree with the manifest.
 */
export async function* readShards(dir: string, splits?: readonly string[]): AsyncGenerator<ShardExample> {
  const manifest = await readShardManifest(dir);
  for (const split of splits ?? Object.keys(manifest.splits)) {
    const entry = manifest.splits[split];
    if (entry === undefined) {
      throw new ConfigError(`readShards: no split "${split}" in ${dir}; has ${Object.keys(manifest.splits).join(', ')}`);
    }
    for (const shard of entry.shards) {
      for await (const example of readManifestShard(dir, manifest, shard)) yield { ...example, split };
    }
  }
}

/**
 * Streams the galaxies of one shard of a folder, checking checksums, image sizes and the count
 * against the manifest (what {@link readShards} does for each shard; streaming sources use it to
 * visit shards in their own order).
 *
 * @param dir - the folder written by {@link writeShards}.
 * @param manifest - its manifest (from {@link readShardManifest}).
 * @param shard - one of the manifest's shard entries.
 * @returns an async generator of the shard's galaxies in file order.
 * @throws DataError for a corrupt or truncated record (naming file, record and byte offset) or a
 * shard whose contents disagree with the manifest.
 */
export async function* readManifestShard(dir: string, manifest: ShardManifest, shard: ShardEntry): AsyncGenerator<GalaxyExample> {
  const pixels = manifest.imageShape.reduce((a, b) => a * b, 1);
  const path = join(dir, shard.file);
  let count = 0;
  for await (const example of readShardFile(path, manifest.labelColumns)) {
    if (example.matrix.length !== pixels) {
      throw new DataError(`galaxy "${example.id}": matrix has ${example.matrix.length} bytes, manifest says ${pixels}`,
        { file: path, row: count, column: 'matrix' });
    }
    count += 1;
    yield example;
  }
  if (count !== shard.count) throw new DataError(`shard has ${count} records, manifest says ${shard.count}`, { file: path });
}
