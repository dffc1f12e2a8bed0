// Steady-state images/s of the W+20 VGG (128 px) and EfficientNetB0 (224 px), train and predict at
// batch 16 and 32, and of the timm encoders convnext_nano and efficientnet_b0 (224 px, predict,
// batch 8 and 32), through the same benchmarkModel as `zoobot-ts bench`. `npm run bench -- models`.
// Each case is measured on its own: a failure (e.g. out of memory) is reported as that case's error.
// Environment: ZOOBOT_BENCH_BACKENDS (default wasm; tfjs's cpu convolutions are far under 1 img/s at these
// sizes), ZOOBOT_BENCH_TRAIN=0 skips training, ZOOBOT_BENCH_THREADS=n runs wasm with n XNNPACK threads,
// ZOOBOT_BENCH_MICRO_BATCH (default 16) is EfficientNetB0's training micro-batch (wasm's 4 GiB heap
// holds a step of 16 images at 224 px, with the tape freed during backprop), ZOOBOT_BENCH_ONLY=substring filters the cases.
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { benchmarkModel, type BenchArchitecture, type BenchmarkOptions } from '../src/node/workflows/benchmark.js';
import { initWasmWithNodeThreads } from '../src/wasm/nodeThreads.js';
import { registerWasmTrainingKernels } from '../src/wasm/index.js';
import { useBackend } from './util.js';

const BACKENDS = (process.env.ZOOBOT_BENCH_BACKENDS ?? 'wasm').split(',');
const TRAIN = process.env.ZOOBOT_BENCH_TRAIN !== '0';
const THREADS = Number(process.env.ZOOBOT_BENCH_THREADS ?? 1);
const MICRO_BATCH = Number(process.env.ZOOBOT_BENCH_MICRO_BATCH ?? 16);
const ONLY = process.env.ZOOBOT_BENCH_ONLY ?? '';

interface Case { architecture: BenchArchitecture; size: number; batches: number[]; train: boolean; microBatch?: number }
const CASES: readonly Case[] = [
  { architecture: 'vgg', size: 128, batches: [16, 32], train: true },
  { architecture: 'efficientnetb0', size: 224, batches: [16, 32], train: true, microBatch: MICRO_BATCH },
  { architecture: 'convnext_nano', size: 224, batches: [8, 32], train: false },
  { architecture: 'efficientnet_b0_timm', size: 224, batches: [8, 32], train: false },
];

/** One measurement, or its error: a failed case never loses the others. */
async function measure(options: BenchmarkOptions): Promise<Record<string, unknown>> {
  try {
    const r = await benchmarkModel(options);
    return {
      imagesPerSecond: r.imagesPerSecond, imagesPerCpuSecond: r.batchSize / r.cpuSecondsPerStep, secondsPerStep: r.secondsPerStep,
      peakRssMiB: r.peakRssMiB, microBatch: r.microBatch, threads: r.threads,
    };
  } catch (error) {
    return { error: String(error) };
  }
}

export async function run(): Promise<unknown> {
  const results: Record<string, unknown> = {};
  for (const backend of BACKENDS) {
    if (backend === 'wasm' && THREADS > 1) await initWasmWithNodeThreads(THREADS, setThreadsCount, async () => { await useBackend('wasm'); return true; });
    await useBackend(backend);
    if (backend === 'wasm') registerWasmTrainingKernels();
    for (const { architecture, size, batches, train, microBatch } of CASES) {
      for (const batchSize of batches) {
        for (const mode of train && TRAIN ? (['predict', 'train'] as const) : (['predict'] as const)) {
          const key = `${backend}/${architecture}@${size}/batch${batchSize}/${mode}`;
          if (!key.includes(ONLY)) continue;
          const steps = mode === 'train' ? { warmup: 1, steps: 2 } : { warmup: 1, steps: 3 };
          const micro = mode === 'train' && microBatch !== undefined ? { microBatch } : {};
          results[key] = await measure({ architecture, size, batchSize, mode, ...steps, ...micro });
          console.error(key, JSON.stringify(results[key]));
        }
      }
    }
  }
  return { unit: 'images/s', threads: THREADS, results };
}
