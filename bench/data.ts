// Input pipeline throughput: images/s decoded and preprocessed into [batch, 64, 64, 1] float tensors from
// a PNG folder (catalogBatchSource: in this thread and on 1 and 2 decoding workers) and from TFRecord
// shards (shardBatchSource: streamed, shuffle buffer 1024), next to the training step rate of the small
// net at the same size (benchmarkModel, wasm backend). `npm run bench -- data`.
// Rates are medians of three epochs over the whole set: `epoch` includes starting the decoding workers (a
// pool is started per epoch), `afterFirstBatch` is the steady state. The machine's load shows in them.
// ZOOBOT_BENCH_DATA_COUNT sets the number of galaxies (default 1024).
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decalsDr5Schema } from '../src/decisionTree/index.js';
import { loadCatalogCsv } from '../src/node/catalogFiles.js';
import { catalogBatchSource } from '../src/node/catalogSource.js';
import { shardBatchSource } from '../src/node/shardSource.js';
import { writeSyntheticDataset } from '../src/node/writeSynthetic.js';
import { benchmarkModel } from '../src/node/workflows/benchmark.js';
import { registerWasmTrainingKernels } from '../src/wasm/index.js';
import type { BatchSource } from '../src/training/batches.js';
import { useBackend } from './util.js';

const COUNT = Number(process.env.ZOOBOT_BENCH_DATA_COUNT ?? 1024);
const SIZE = 64;
const BATCH = 32;

interface Rates { epoch: number; afterFirstBatch: number }

/**
 * Images/s of one epoch (worker start-up included) and from its first batch on (steady state).
 * Every batch's pixels are read back, as a training step would use them, and disposed.
 */
async function epochRates(source: BatchSource, epoch: number): Promise<Rates> {
  const start = performance.now();
  let first = 0;
  let firstImages = 0;
  let images = 0;
  for await (const batch of source.batches(epoch)) {
    await batch.images.data();
    images += batch.images.shape[0];
    tf.dispose([batch.images, batch.labels]);
    if (first === 0) {
      first = performance.now();
      firstImages = images;
    }
  }
  const end = performance.now();
  return { epoch: (images * 1000) / (end - start), afterFirstBatch: ((images - firstImages) * 1000) / (end - first) };
}

/** Medians over three epochs. */
async function rates(source: BatchSource): Promise<Rates> {
  const all = [await epochRates(source, 0), await epochRates(source, 1), await epochRates(source, 2)];
  const median = (key: keyof Rates) => all.map((r) => r[key]).sort((a, b) => a - b)[1] as number;
  return { epoch: median('epoch'), afterFirstBatch: median('afterFirstBatch') };
}

export async function run(): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'zoobot-bench-data-'));
  try {
    await useBackend('wasm');
    registerWasmTrainingKernels();
    const summary = await writeSyntheticDataset({ outDir: dir, count: COUNT, size: SIZE, seed: 1, shards: { fractions: [1] } });
    const { rows } = await loadCatalogCsv(summary.catalogPath, { schema: decalsDr5Schema });
    const png: Record<string, Rates> = {};
    for (const workers of [0, 1, 2]) {
      png[`workers${workers}`] = await rates(catalogBatchSource({ rows, imageRoot: dir, size: SIZE, batchSize: BATCH, shuffle: true, workers }));
      console.error('png', workers, png[`workers${workers}`]);
    }
    const shards = await rates(await shardBatchSource({ dir: summary.shardDir as string, batchSize: BATCH, shuffle: true }));
    console.error('shards', shards);
    const step = await benchmarkModel({ architecture: 'small', size: SIZE, batchSize: BATCH, mode: 'train', warmup: 1, steps: 3 });
    const train = step.imagesPerSecond;
    console.error('train', train);
    const slowest = Math.min(...[...Object.values(png), shards].map((r) => r.epoch));
    return {
      unit: 'images/s', images: COUNT, imageShape: [SIZE, SIZE, 1], batchSize: BATCH,
      pngFolder: png, shardsMainThread: shards,
      trainStep: { architecture: 'small', backend: step.backend, imagesPerSecond: train },
      slowestPipelineOverTraining: slowest / train,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
