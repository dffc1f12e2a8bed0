import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadCatalogCsv } from '../../src/node/catalogFiles.js';
import { catalogBatchSource } from '../../src/node/catalogSource.js';
import { createDecodePool } from '../../src/node/decodePool.js';
import { decodeImageFile } from '../../src/node/images.js';
import { writeSyntheticDataset, type WriteSyntheticSummary } from '../../src/node/writeSynthetic.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import type { CatalogRow } from '../../src/data/catalog/index.js';
import type { BatchSource } from '../../src/training/batches.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function epoch(source: BatchSource, e: number): Promise<{ ids: string[]; labels: number[]; pixels: number[] }> {
  const out = { ids: [] as string[], labels: [] as number[], pixels: [] as number[] };
  for await (const batch of source.batches(e)) {
    out.ids.push(...batch.ids!);
    out.labels.push(...batch.labels.dataSync());
    out.pixels.push(...batch.images.dataSync());
    tf.dispose([batch.images, batch.labels]);
  }
  return out;
}

describe('decode worker pool', () => {
  let dir: string;
  let summary: WriteSyntheticSummary;
  let rows: readonly CatalogRow[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zoobot-decode-pool-'));
    summary = await writeSyntheticDataset({ count: 20, size: 24, seed: 4, outDir: join(dir, 'data') });
    rows = (await loadCatalogCsv(summary.catalogPath, { schema: decalsDr5Schema })).rows;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes exactly what decodeImageFile decodes in this thread, and reports errors the same way', async () => {
    const pool = createDecodePool({ workers: 2 });
    try {
      const paths = rows.slice(0, 8).map((r) => join(summary.outDir, r.file_loc));
      for (const options of [{}, { channels: 1 as const }, { channels: 3 as const }, { size: 16, channels: 1 as const }]) {
        const inThread = await Promise.all(paths.map((p) => decodeImageFile(p, options)));
        const inWorkers = await Promise.all(paths.map((p) => pool.decode(p, options)));
        expect(inWorkers.map((i) => ({ ...i, data: [...i.data] }))).toEqual(inThread.map((i) => ({ ...i, data: [...i.data] })));
      }
      const notImage = join(dir, 'not-an-image.png');
      await writeFile(notImage, 'hello');
      for (const path of [join(dir, 'missing.png'), notImage]) {
        const expected = (await decodeImageFile(path).catch((e: unknown) => e)) as DataError;
        const error = (await pool.decode(path).catch((e: unknown) => e)) as DataError;
        expect(error).toBeInstanceOf(DataError);
        expect([error.file, error.message]).toEqual([path, expected.message]);
      }
    } finally {
      await pool.close();
    }
    await expect(pool.decode(join(summary.outDir, rows[0]!.file_loc))).rejects.toThrow(/closed/);
    expect(() => createDecodePool({ workers: 0 })).toThrow(/positive integer/);
  });

  it('gives catalogBatchSource the same batches at 0 (this thread), 1 and 2 workers', async () => {
    const before = tf.memory().numTensors;
    const source = (workers: number) => catalogBatchSource({
      rows, imageRoot: summary.outDir, size: 24, batchSize: 6, shuffle: true, seed: 9, workers,
    });
    const reference = await epoch(source(0), 1);
    expect([...reference.ids].sort()).toEqual(rows.map((r) => r.id_str).sort());
    for (const workers of [1, 2]) expect(await epoch(source(workers), 1)).toEqual(reference);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a missing image through the source as a DataError naming the file', async () => {
    const broken = [...rows.slice(0, 3), { ...rows[3]!, file_loc: 'images/gone.png' }];
    const source = catalogBatchSource({ rows: broken, imageRoot: summary.outDir, size: 24, batchSize: 2, workers: 2 });
    const error = (await epoch(source, 0).catch((e: unknown) => e)) as DataError;
    expect(error).toBeInstanceOf(DataError);
    expect(error.file).toBe(join(summary.outDir, 'images/gone.png'));
  });

  it('leaves no thread behind: a process that reads an epoch, stops one early or never closes a pool exits by itself', async () => {
    const script = join(dir, 'exits.mts');
    const src = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src/node', file)).href);
    await writeFile(script, `
      import { catalogBatchSource } from ${src('catalogSource.ts')};
      import { createDecodePool } from ${src('decodePool.ts')};
      import { loadCatalogCsv } from ${src('catalogFiles.ts')};
      const { rows } = await loadCatalogCsv(${JSON.stringify(summary.catalogPath)}, { schema: { labelColumns: [] } });
      const source = catalogBatchSource({ rows, imageRoot: ${JSON.stringify(summary.outDir)}, size: 24, batchSize: 4, workers: 2 });
      let n = 0;
      for await (const batch of source.batches(0)) { n += batch.images.shape[0]; batch.images.dispose(); batch.labels.dispose(); }
      for await (const batch of source.batches(1)) { batch.images.dispose(); batch.labels.dispose(); break; }
      const forgotten = createDecodePool({ workers: 2 });
      await forgotten.decode(${JSON.stringify(join(summary.outDir, rows[0]!.file_loc))});
      console.log('read', n);
    `);
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect([run.status, run.signal]).toEqual([0, null]);
    expect(run.stdout).toContain(`read ${rows.length}`);
  });
});
