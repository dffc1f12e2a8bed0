/**
 * The seed workflow's shard step in one call: split a catalogue (default 7:2:1 into train, val,
 * test) and write each split's images and vote counts as TFRecord shards with a manifest.
 *
 * @module node/catalogShards
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, DataError } from '../errors.js';
import type { CatalogRow, CatalogSchema } from '../data/catalog/types.js';
import { splitCatalog } from '../data/split.js';
import { decodeImageFile } from './images.js';
import { writeShards, type ShardManifest, type WriteShardsOptions } from './shardFiles.js';

/** Names of the splits, in the order of `fractions`. */
export const SHARD_SPLIT_NAMES = ['train', 'val', 'test'] as const;

/** Options of {@link writeCatalogShards}. */
export interface CatalogShardsOptions {
  readonly rows: readonly CatalogRow[];
  /** Folder that relative `file_loc` paths start from. */
  readonly imageRoot: string;
  readonly schema: WriteShardsOptions['schema'];
  /** Folder for the shards and `manifest.json`. */
  readonly outDir: string;
  /** Image side in the shards. */
  readonly size: number;
  /** @defaultValue 1 (greyscale, channel mean) */
  readonly channels?: 1 | 3;
  /**
   * Resize images to `size` (needs sharp). With false, every image must already be
   * `size` x `size` (no sharp needed for PNG). @defaultValue true
   */
  readonly resize?: boolean;
  /** train, val, test fractions (at most three). @defaultValue [0.7, 0.2, 0.1] */
  readonly fractions?: readonly number[];
  /** Split seed. @defaultValue 0 */
  readonly seed?: number;
  /** @defaultValue 4096 */
  readonly shardSize?: number;
  /** See {@link WriteShardsOptions.mode}. @defaultValue 'error' */
  readonly mode?: WriteShardsOptions['mode'];
}

/**
 * Splits catalogue rows with `splitCatalog` and writes them as shards.
 *
 * @returns the manifest (its `splits` give the count of each split).
 * @throws ConfigError for more than three fractions; DataError for an unreadable image or one of
 * the wrong size; everything `writeShards` throws.
 * @example
 * ```ts
 * const { rows } = await loadCatalogCsv('catalog.csv', { schema });
 * await writeCatalogShards({ rows, imageRoot: '.', schema, outDir: 'shards', size: 300 });
 * ```
 */
export async function writeCatalogShards(options: CatalogShardsOptions): Promise<ShardManifest> {
  const { rows, imageRoot, size, channels = 1, resize = true, fractions = [0.7, 0.2, 0.1], seed = 0 } = options;
  if (fractions.length > SHARD_SPLIT_NAMES.length) {
    throw new ConfigError(`writeCatalogShards: at most ${SHARD_SPLIT_NAMES.length} fractions (train, val, test), got ${fractions.length}`);
  }
  const splits = splitCatalog(rows, { fractions: [...fractions], seed });
  const loadImage = async (row: CatalogRow): Promise<Uint8Array> => {
    const path = isAbsolute(row.file_loc) ? row.file_loc : resolve(imageRoot, row.file_loc);
    const image = await decodeImageFile(path, resize ? { size, channels } : { channels });
    if (image.width !== size || image.height !== size) {
      throw new DataError(`image is ${image.width}x${image.height}, expected ${size}x${size}`, { file: path });
    }
    return image.data;
  };
  return writeShards({
    splits: Object.fromEntries(splits.map((split, i) => [SHARD_SPLIT_NAMES[i] as string, split])),
    loadImage, imageShape: [size, size, channels], schema: options.schema, outDir: options.outDir,
    ...(options.shardSize !== undefined ? { shardSize: options.shardSize } : {}),
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
  });
}
