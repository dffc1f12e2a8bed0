import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogRow } from '../../src/data/catalog/types.js';
import { splitCatalog } from '../../src/data/split.js';
import { decalsDr5Schema, defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError } from '../../src/errors.js';
import { loadCatalogCsv } from '../../src/node/catalogFiles.js';
import { readShardFile, readShardManifest, readShards, writeShards, type ShardExample } from '../../src/node/shardFiles.js';
import { hasSharedData, sharedDataPath } from '../helpers/sharedData.js';
import { rejection, tempDirs } from '../helpers/tempDirs.js';

const schema = defineSchema({ q: ['_a', '_b'] }, { q: null }, { name: 'tiny' });
const SHAPE = [3, 2, 1] as const;
const tmp = tempDirs('zoobot-shards-');
const rowsOf = (n: number): CatalogRow[] =>
  Array.from({ length: n }, (_, i) => ({ id_str: `g${i}`, file_loc: `${i}.png`, counts: [i % 7, (3 * i) % 11] }));
/** Pixels depend only on the galaxy's index, so they can be checked independently. */
const pixelsOf = (row: CatalogRow): Uint8Array => {
  const i = Number(row.id_str.slice(1));
  return Uint8Array.from({ length: 6 }, (_, p) => (i * 6 + p) % 256);
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('writeShards / readShards', () => {
  it('should give back the same ids, labels and pixels per split', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(30), fc.integer({ min: 1, max: 7 }), fc.integer(), async (n, shardSize, seed) => {
      const outDir = tmp();
      const [train, val, test] = splitCatalog(rowsOf(n), { fractions: [0.7, 0.2, 0.1], seed });
      const manifest = await writeShards({
        splits: { train: train!, val: val!, test: test! }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir, shardSize,
      });
      expect(manifest.splits.train!.count).toBe(train!.length);
      expect(manifest.splits.val!.shards.length).toBe(Math.ceil(val!.length / shardSize));
      const back = await collect(readShards(outDir));
      const expected: ShardExample[] = Object.entries({ train, val, test }).flatMap(([split, rows]) => rows!.map((row) => ({
        split, id: row.id_str, matrix: pixelsOf(row), labels: { q_a: row.counts[0]!, q_b: row.counts[1]! },
      })));
      expect(back.map((e) => ({ ...e, matrix: [...e.matrix] }))).toEqual(expected.map((e) => ({ ...e, matrix: [...e.matrix] })));
      expect(readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }), { numRuns: 15 });
  });

  it('writes Zoobot file names and a manifest with schema, shape and counts', async () => {
    const outDir = tmp();
    await writeShards({ splits: { train: rowsOf(5) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir, shardSize: 2 });
    expect(readdirSync(outDir).sort()).toEqual(['manifest.json', 'train_shard_0.tfrecord', 'train_shard_1.tfrecord', 'train_shard_2.tfrecord']);
    const manifest = await readShardManifest(outDir);
    expect(manifest).toMatchObject({ labelColumns: ['q_a', 'q_b'], imageShape: [3, 2, 1], dtype: 'uint8', shardSize: 2 });
    expect(manifest.splits.train!.shards.map((s) => s.count)).toEqual([2, 2, 1]);
    expect(manifest.schema).toEqual(schema.toJSON());
  });

  it('keeps completed shards and writes no manifest when an image fails; resume then loads only the rest', async () => {
    const outDir = tmp();
    const rows = rowsOf(6);
    const failing = (row: CatalogRow): Uint8Array => {
      if (row.id_str === 'g4') throw new Error('decode failed');
      return pixelsOf(row);
    };
    const error = await rejection(writeShards({ splits: { train: rows }, loadImage: failing, imageShape: SHAPE, schema, outDir, shardSize: 2 }));
    expect(error.message).toMatch(/galaxy "g4": cannot load image: decode failed/);
    expect(readdirSync(outDir).sort()).toEqual(['train_shard_0.tfrecord', 'train_shard_1.tfrecord']);
    await expect(readShardManifest(outDir)).rejects.toThrow(/cannot read shard manifest/);
    await expect(writeShards({ splits: { train: rows }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir })).rejects.toThrow(ConfigError);

    const loaded: string[] = [];
    const counting = (row: CatalogRow): Uint8Array => { loaded.push(row.id_str); return pixelsOf(row); };
    await writeShards({ splits: { train: rows }, loadImage: counting, imageShape: SHAPE, schema, outDir, shardSize: 2, mode: 'resume' });
    expect(loaded).toEqual(['g4', 'g5']);
    expect((await collect(readShards(outDir))).map((e) => e.id)).toEqual(rows.map((r) => r.id_str));
  });

  it('overwrites explicitly, removing stale shards', async () => {
    const outDir = tmp();
    await writeShards({ splits: { train: rowsOf(6) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir, shardSize: 2 });
    await writeShards({ splits: { train: rowsOf(3) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir, shardSize: 2, mode: 'overwrite' });
    expect(readdirSync(outDir).sort()).toEqual(['manifest.json', 'train_shard_0.tfrecord', 'train_shard_1.tfrecord']);
    expect((await collect(readShards(outDir))).length).toBe(3);
  });

  it('rejects an image of the wrong size naming the galaxy', async () => {
    const error = await rejection(writeShards({
      splits: { train: rowsOf(1) }, loadImage: () => new Uint8Array(5), imageShape: SHAPE, schema, outDir: tmp(),
    }));
    expect(error.message).toMatch(/galaxy "g0": image has 5 values, expected 6 \(3x2x1\)/);
  });

  it('reports a flipped byte or a truncated shard with the file and record offset, after the good records', async () => {
    const outDir = tmp();
    await writeShards({ splits: { train: rowsOf(3) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir });
    const path = join(outDir, 'train_shard_0.tfrecord');
    const good = readFileSync(path);
    const recordLength = good.length / 3;

    const flipped = Buffer.from(good);
    flipped[recordLength + 20]! ^= 0x10;
    writeFileSync(path, flipped);
    const seen: string[] = [];
    const error = await rejection((async () => { for await (const e of readShards(outDir)) seen.push(e.id); })());
    expect(seen).toEqual(['g0']);
    expect([error.file, error.offset, error.row]).toEqual([path, recordLength, 1]);
    expect(error.message).toMatch(/checksum mismatch/);

    writeFileSync(path, good.subarray(0, good.length - 3));
    const truncated = await rejection(collect(readShardFile(path)));
    expect([truncated.offset, truncated.row]).toEqual([2 * recordLength, 2]);
    expect(truncated.message).toMatch(/truncated record/);
  });

  it('cleans up temporary files left by a killed run when resuming', async () => {
    const outDir = tmp();
    writeFileSync(join(outDir, '.train_shard_0.tfrecord.123-abcd1234.tmp'), 'partial');
    await writeShards({ splits: { train: rowsOf(1) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir, mode: 'resume' });
    expect(readdirSync(outDir).sort()).toEqual(['manifest.json', 'train_shard_0.tfrecord']);
  });

  it('reads the TensorFlow-written fixture from disk', async () => {
    const fixture = new URL('../fixtures/tfrecord/tf_written.tfrecord', import.meta.url).pathname;
    expect((await collect(readShardFile(fixture))).map((e) => e.id)).toEqual(['gal-0', 'gal-1', 'gal-2']);
  });

  it('refuses bad options', async () => {
    const base = { splits: { train: rowsOf(1) }, loadImage: pixelsOf, imageShape: SHAPE, schema, outDir: tmp() };
    await expect(writeShards({ ...base, shardSize: 0 })).rejects.toThrow(ConfigError);
    await expect(writeShards({ ...base, splits: { 'a/b': [] } })).rejects.toThrow(ConfigError);
    expect(existsSync(join(base.outDir, 'manifest.json'))).toBe(false);
  });
});

const DR5 = ['gz_decals_dr5_votes', 'example_panoptes_predictions.csv'] as const;
describe.skipIf(!hasSharedData(...DR5))('real data: DECaLS DR5 catalogue -> shards -> records', () => {
  it('keeps every id and vote count', async () => {
    const { rows } = await loadCatalogCsv(sharedDataPath(...DR5), {
      schema: decalsDr5Schema, columnMap: { subject_id: 'id_str' }, requireFileLoc: false,
    });
    const [train, test] = splitCatalog(rows, { fractions: [0.8, 0.2], seed: 7 });
    const outDir = tmp();
    await writeShards({
      splits: { train: train!, test: test! }, loadImage: () => new Uint8Array(4), imageShape: [2, 2, 1],
      schema: decalsDr5Schema, outDir, shardSize: 500,
    });
    const byId = new Map(rows.map((r) => [r.id_str, r.counts]));
    const back = await collect(readShards(outDir));
    expect(back.length).toBe(rows.length);
    for (const example of back) {
      expect(decalsDr5Schema.labelColumns.map((c) => example.labels[c])).toEqual(byId.get(example.id));
    }
  });
});
