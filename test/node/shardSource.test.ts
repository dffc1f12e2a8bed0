import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticGalaxies } from '../../src/data/synthetic/generate.js';
import { splitCatalog } from '../../src/data/split.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { DataError } from '../../src/errors.js';
import { loadCatalogCsv } from '../../src/node/catalogFiles.js';
import { catalogBatchSource } from '../../src/node/catalogSource.js';
import { readShardManifest } from '../../src/node/shardFiles.js';
import { shardBatchSource } from '../../src/node/shardSource.js';
import { writeSyntheticDataset, type WriteSyntheticSummary } from '../../src/node/writeSynthetic.js';
import type { BatchSource } from '../../src/training/batches.js';

const OPTIONS = { count: 45, size: 16, seed: 11 } as const;
const SPLITS = ['train', 'val', 'test'] as const;

interface Plain { ids: string[]; labels: number[][]; pixels: number[][]; shapes: number[][] }

/** One epoch as plain arrays, disposing every batch. */
async function collect(source: BatchSource, epoch = 0): Promise<Plain> {
  const out: Plain = { ids: [], labels: [], pixels: [], shapes: [] };
  for await (const batch of source.batches(epoch)) {
    out.ids.push(...(batch.ids ?? []));
    out.labels.push(...(batch.labels.arraySync()));
    const images = batch.images.arraySync();
    out.pixels.push(...images.map((image) => image.flat(2)));
    out.shapes.push(batch.images.shape);
    tf.dispose([batch.images, batch.labels]);
  }
  return out;
}

describe('shardBatchSource', () => {
  let dir: string;
  let summary: WriteSyntheticSummary;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zoobot-shard-source-'));
    summary = await writeSyntheticDataset({ ...OPTIONS, outDir: join(dir, 'data'), shards: { shardSize: 6 } });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('synthetic -> shards -> source gives what catalogue -> source gives, and the generator\'s pixels and counts', async () => {
    expect(summary.shardDir).toBe(join(summary.outDir, 'shards'));
    const { rows } = await loadCatalogCsv(summary.catalogPath, { schema: decalsDr5Schema });
    const parts = splitCatalog(rows, { fractions: [0.7, 0.2, 0.1], seed: OPTIONS.seed });
    const truth = new Map([...generateSyntheticGalaxies(OPTIONS)].map((g) => [g.id, g]));
    const seen: string[] = [];
    for (const [i, split] of SPLITS.entries()) {
      const shards = await collect(await shardBatchSource({ dir: summary.shardDir!, split, batchSize: 4, labelColumns: decalsDr5Schema.labelColumns }));
      const catalog = await collect(catalogBatchSource({ rows: parts[i]!, imageRoot: dirname(summary.catalogPath), size: OPTIONS.size, batchSize: 4, workers: 0 }));
      expect(shards.ids).toEqual(catalog.ids);
      expect(shards.labels).toEqual(catalog.labels);
      expect(shards.pixels).toEqual(catalog.pixels);
      expect(shards.shapes).toEqual(catalog.shapes);
      shards.ids.forEach((id, k) => {
        const galaxy = truth.get(id)!;
        expect(shards.labels[k]).toEqual([...galaxy.counts]);
        // PNG values are round(255 v); the sources divide by 255 in float32.
        expect(shards.pixels[k]).toEqual([...galaxy.image].map((v) => Math.fround(Math.round(255 * Math.min(1, Math.max(0, v))) / 255)));
      });
      seen.push(...shards.ids);
    }
    expect(seen.sort()).toEqual([...truth.keys()].sort());
  });

  it('shuffles deterministically per seed and epoch, every epoch a permutation of the split', async () => {
    const manifest = await readShardManifest(summary.shardDir!);
    const all = (await collect(await shardBatchSource({ dir: summary.shardDir!, batchSize: 64 }))).ids;
    expect(all.length).toBe(manifest.splits.train!.count);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.nat(1000), fc.nat(5),
      async (batchSize, shuffleBuffer, seed, epoch) => {
        const open = () => shardBatchSource({ dir: summary.shardDir!, batchSize, shuffle: true, seed, shuffleBuffer });
        const first = await collect(await open(), epoch);
        const again = await collect(await open(), epoch);
        expect(again.ids).toEqual(first.ids);
        expect(again.pixels).toEqual(first.pixels);
        expect([...first.ids].sort()).toEqual([...all].sort());
        expect(first.shapes.every((s, i) => s[0] === (i < first.shapes.length - 1 ? batchSize : all.length - batchSize * i))).toBe(true);
      },
    ), { numRuns: 10 });
    const source = await shardBatchSource({ dir: summary.shardDir!, shuffle: true, seed: 3 });
    const epochs = await Promise.all([0, 1, 2].map(async (e) => (await collect(source, e)).ids.join()));
    expect(new Set([...epochs, all.join()]).size).toBe(4);
  });

  it('applies the augmentation hook to each batch and leaks no tensors, also when stopped early', async () => {
    const seen: Array<{ epoch: number; batch: number }> = [];
    const flip = (images: tf.Tensor4D, context: { epoch: number; batch: number }) => {
      seen.push(context);
      return tf.reverse(images, 2);
    };
    const before = tf.memory().numTensors;
    const plain = await collect(await shardBatchSource({ dir: summary.shardDir!, batchSize: 8 }), 2);
    const flipped = await collect(await shardBatchSource({ dir: summary.shardDir!, batchSize: 8, augment: flip }), 2);
    expect(seen).toEqual(plain.shapes.map((_, batch) => ({ epoch: 2, batch })));
    const side = OPTIONS.size;
    flipped.pixels.forEach((image, k) => {
      for (let r = 0; r < side; r += 1) {
        for (let c = 0; c < side; c += 1) expect(image[r * side + c]).toBe(plain.pixels[k]![r * side + (side - 1 - c)]);
      }
    });
    const source = await shardBatchSource({ dir: summary.shardDir!, batchSize: 4, shuffle: true, augment: flip });
    for await (const batch of source.batches(0)) {
      tf.dispose([batch.images, batch.labels]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a flipped byte in a shard as a DataError naming the file and byte offset, after the good batches', async () => {
    const copy = join(dir, 'corrupt');
    await writeSyntheticDataset({ ...OPTIONS, count: 12, outDir: copy, shards: { shardSize: 4, fractions: [1] } });
    const shardDir = join(copy, 'shards');
    const path = join(shardDir, 'train_shard_1.tfrecord');
    const bytes = await readFile(path);
    const recordLength = bytes.length / 4;
    bytes[2 * recordLength + 40]! ^= 0x01;
    await writeFile(path, bytes);
    const before = tf.memory().numTensors;
    const source = await shardBatchSource({ dir: shardDir, batchSize: 4 });
    const ids: string[] = [];
    let error: unknown;
    try {
      for await (const batch of source.batches(0)) {
        ids.push(...batch.ids!);
        tf.dispose([batch.images, batch.labels]);
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).file).toBe(path);
    expect((error as DataError).offset).toBe(2 * recordLength);
    expect((error as DataError).message).toContain(path);
    expect(ids.length).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown split or label column', async () => {
    await expect(shardBatchSource({ dir: summary.shardDir!, split: 'nope' })).rejects.toThrow(/no split "nope".*train, val, test/);
    await expect(shardBatchSource({ dir: summary.shardDir!, labelColumns: ['missing-column'] })).rejects.toThrow(/no label column missing-column/);
    await expect(shardBatchSource({ dir: join(dir, 'nowhere') })).rejects.toBeInstanceOf(DataError);
  });
});
