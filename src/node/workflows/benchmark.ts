import * as tf from '@tensorflow/tfjs';
import { decalsDr5Schema } from '../../decisionTree/index.js';
import { ConfigError } from '../../errors.js';
import { zoobotModel, predictMC, ZOOBOT_ARCHITECTURES, type ZoobotArchitecture } from '../../architectures/index.js';
import { treeLoss } from '../../losses/index.js';
import { fuseLayers } from '../../architectures/fusedLayers.js';
import { enableEarlyTapeRelease } from '../../training/tapeRelease.js';
import { microBatchGradients } from '../../training/microBatches.js';
import { adam } from '../../training/adamw.js';
import { wasmCapabilities } from '../../wasm/index.js';
import { timmBenchModel, TIMM_BENCH_ARCHITECTURES, type TimmBenchArchitecture } from './benchmarkModels.js';

/** Every architecture {@link benchmarkModel} can time: zoobot's models and, for prediction, timm encoders. */
export const BENCH_ARCHITECTURES = [...ZOOBOT_ARCHITECTURES, ...TIMM_BENCH_ARCHITECTURES] as const;
/** A name of {@link BENCH_ARCHITECTURES}. */
export type BenchArchitecture = ZoobotArchitecture | TimmBenchArchitecture;

/** Options of {@link benchmarkModel}. */
export interface BenchmarkOptions {
  /** A zoobot model (train or predict) or a timm encoder (predict only). */
  readonly architecture: BenchArchitecture;
  /** Image side. */
  readonly size: number;
  readonly batchSize: number;
  readonly mode: 'train' | 'predict';
  /** Timed steps after warm-up. @defaultValue 5 */
  readonly steps?: number;
  /** Untimed steps first (kernel setup, allocation). @defaultValue 2 */
  readonly warmup?: number;
  /**
   * Training only: accumulate gradients over micro-batches of at most this many images
   * ({@link microBatchGradients}), one Adam update per batch; bounds memory by the micro-batch.
   * Batch-norm statistics are then per micro-batch. @defaultValue batchSize (no accumulation)
   */
  readonly microBatch?: number;
}

/** Steady-state throughput of one model on the current backend. */
export interface BenchmarkResult extends Required<BenchmarkOptions> {
  readonly backend: string;
  /** Threads of the wasm backend's thread pool; `null` on other backends. */
  readonly threads: number | null;
  /** Images per second over the timed steps (median step time). */
  readonly imagesPerSecond: number;
  /** Median seconds per step. */
  readonly secondsPerStep: number;
  /**
   * Median CPU seconds (user + system, all threads) per step. On a shared machine wall time also counts
   * waits for a core; with one thread, `batchSize / cpuSecondsPerStep` is what an idle core would give.
   */
  readonly cpuSecondsPerStep: number;
  /** Largest resident set size seen, MiB. */
  readonly peakRssMiB: number;
  readonly parameters: number;
}

function isTimm(architecture: BenchArchitecture): architecture is TimmBenchArchitecture {
  return (TIMM_BENCH_ARCHITECTURES as readonly string[]).includes(architecture);
}

/** Checks the options and fills in the defaults. */
function resolveOptions(options: BenchmarkOptions): Required<BenchmarkOptions> {
  const { architecture, size, batchSize, mode, steps = 5, warmup = 2, microBatch = batchSize } = options;
  if (!(BENCH_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new ConfigError(`benchmark: unknown architecture "${String(architecture)}". Should be one of: ${BENCH_ARCHITECTURES.join(', ')}`);
  }
  if (mode !== 'train' && mode !== 'predict') throw new ConfigError(`benchmark: unsupported mode "${String(mode)}". Should be one of: train, predict`);
  if (mode === 'train' && isTimm(architecture)) throw new ConfigError(`benchmark: ${architecture} is timed in predict mode only. Should be --mode predict`);
  if (!Number.isInteger(microBatch) || microBatch < 1) throw new ConfigError(`benchmark: microBatch must be a positive integer, got ${microBatch}`);
  return { architecture, size, batchSize, mode, steps, warmup, microBatch: Math.min(microBatch, batchSize) };
}

/**
 * Times training steps (Adam on the DECaLS DR5 tree loss) or prediction passes (one MC-dropout pass
 * of a zoobot model, a forward pass of a timm encoder) on random images, on whatever backend is
 * active. Warm-up steps are excluded.
 *
 * @param options - What to time; see {@link BenchmarkOptions}.
 * @returns Images/s, seconds per step, peak RSS and the backend (with its wasm thread count).
 * @throws ConfigError for an unknown architecture or mode, or a timm encoder in train mode.
 */
export async function benchmarkModel(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const resolved = resolveOptions(options);
  const { architecture, size, batchSize, mode, steps, warmup, microBatch } = resolved;
  const schema = decalsDr5Schema;
  const model = isTimm(architecture)
    ? timmBenchModel(architecture, size)
    : zoobotModel({ schema, architecture, inputShape: [size, size, 1], seed: 0 });
  fuseLayers(model);
  enableEarlyTapeRelease();
  const x = tf.randomUniform([batchSize, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.fill([batchSize, schema.answerCount], 3);
  const optimizer = adam(1e-3); // what train() runs: one fused update per variable where the backend has it
  const loss = treeLoss(schema);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossOf = (xs: tf.Tensor, ys: tf.Tensor): tf.Scalar => loss(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
  const trainStep = (): tf.Tensor | null => {
    if (microBatch >= batchSize) return optimizer.minimize(() => lossOf(x, y), true, variables);
    const { value, grads } = microBatchGradients(lossOf, x, y, microBatch, variables);
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(grads));
    return value;
  };
  const predictStep = (): tf.Tensor => (isTimm(architecture) ? (model.predict(x) as tf.Tensor) : predictMC(model, x, 1));
  let peakRss = process.memoryUsage().rss;
  const step = async (): Promise<void> => {
    const out = mode === 'train' ? trainStep() : predictStep();
    await out?.data();
    out?.dispose();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  try {
    for (let i = 0; i < warmup; i += 1) await step();
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < steps; i += 1) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await step();
      const cpu = process.cpuUsage(cpuStart);
      times.push((performance.now() - start) / 1000);
      cpuTimes.push((cpu.user + cpu.system) / 1e6);
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const secondsPerStep = median(times);
    const backend = tf.getBackend();
    return {
      ...resolved, backend, threads: backend === 'wasm' ? (await wasmCapabilities()).threads : null,
      imagesPerSecond: batchSize / secondsPerStep, secondsPerStep, cpuSecondsPerStep: median(cpuTimes), peakRssMiB: peakRss / 2 ** 20, parameters: model.countParams(),
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
