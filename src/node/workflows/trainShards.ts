import type { AugmentImages } from '../../training/batches.js';
import { shardBatchSource } from '../shardSource.js';
import { trainOnSources, type TrainOnCatalogResult, type TrainOnSourcesOptions } from './trainCatalog.js';

/** Options of {@link trainOnShards}. */
export interface TrainOnShardsOptions extends Omit<TrainOnSourcesOptions, 'train' | 'validation' | 'inputShape'> {
  /** A folder written by `writeShards` / `zoobot-ts shards` / `zoobot-ts synthetic --shards`. */
  readonly shardDir: string;
  readonly batchSize: number;
  /** @defaultValue 'train' */
  readonly trainSplit?: string;
  /** Used for early stopping when the folder has it. @defaultValue 'val' */
  readonly validationSplit?: string;
  /** Records in the shuffle buffer. @defaultValue 1024 */
  readonly shuffleBuffer?: number;
  /** Augmentation of the training batches, e.g. `randomDihedral({ seed })`. @defaultValue none */
  readonly augment?: AugmentImages;
}

/**
 * Trains on a shard folder: the training split streamed through a seeded shuffle buffer, the
 * validation split (when present) in file order; image shape from the manifest, labels in the
 * schema's column order. Outputs and resuming as {@link trainOnSources}.
 */
export async function trainOnShards(options: TrainOnShardsOptions): Promise<TrainOnCatalogResult> {
  const { shardDir, batchSize, trainSplit = 'train', validationSplit = 'val', seed = 0 } = options;
  const common = { dir: shardDir, labelColumns: options.schema.labelColumns, batchSize };
  const train = await shardBatchSource({
    ...common, split: trainSplit, shuffle: true, seed, ...(options.shuffleBuffer !== undefined ? { shuffleBuffer: options.shuffleBuffer } : {}),
    ...(options.augment !== undefined ? { augment: options.augment } : {}),
  });
  const validation = train.manifest.splits[validationSplit] === undefined ? undefined : await shardBatchSource({ ...common, split: validationSplit });
  options.log?.(`${train.size} training and ${validation?.size ?? 0} validation galaxies from ${shardDir} (${train.imageShape.join('x')})`);
  return trainOnSources({ ...options, train, ...(validation !== undefined ? { validation } : {}), inputShape: train.imageShape });
}
