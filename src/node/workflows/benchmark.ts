import * as tf from '@tensorflow/tfjs';
import { decalsDr5Schema } from '../../decisionTree/index.js';
import { ConfigError } from '../../errors.js';
import { zoobotModel, predictMC, type ZoobotArchitecture } from '../../architectures/index.js';
import { treeLoss } from '../../losses/index.js';

/** Options of {@link benchmarkModel}. */
export interface BenchmarkOptions {
  readonly architecture: ZoobotArchitecture;
  /** Image side. */
  readonly size: number;
  readonly batchSize: number;
  readonly mode: 'train' | 'predict';
  /** Timed steps after warm-up. @defaultValue 5 */
  readonly steps?: number;
  /** Untimed steps first (kernel setup, allocation). @defaultValue 2 */
  readonly warmup?: number;
}

/** Steady-state throughput of one model on the current backend. */
export interface BenchmarkResult extends Required<BenchmarkOptions> {
  readonly backend: string;
  /** Images per second over the timed steps (median step time). */
  readonly imagesPerSecond: number;
  /** Median seconds per step. */
  readonly secondsPerStep: number;
  /** Largest resident set size seen, MiB. */
  readonly peakRssMiB: number;
  readonly parameters: number;
}

/**
 * Times training steps (Adam on the DECaLS DR5 tree loss) or MC-dropout prediction passes of a
 * zoobot model on random images, on whatever backend is active. Warm-up steps are excluded.
 */
export async function benchmarkModel(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const { architecture, size, batchSize, mode, steps = 5, warmup = 2 } = options;
  if (mode !== 'train' && mode !== 'predict') throw new ConfigError(`benchmark: unsupported mode "${String(mode)}". Should be one of: train, predict`);
  const schema = decalsDr5Schema;
  const model = zoobotModel({ schema, architecture, inputShape: [size, size, 1], seed: 0 });
  const x = tf.randomUniform([batchSize, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.fill([batchSize, schema.answerCount], 3);
  const optimizer = tf.train.adam(1e-3);
  const loss = treeLoss(schema);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let peakRss = process.memoryUsage().rss;
  const step = async () => {
    const out = mode === 'train'
      ? optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables)
      : predictMC(model, x, 1);
    await out?.data();
    out?.dispose();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  try {
    for (let i = 0; i < warmup; i += 1) await step();
    const times: number[] = [];
    for (let i = 0; i < steps; i += 1) {
      const start = performance.now();
      await step();
      times.push((performance.now() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    const secondsPerStep = times[Math.floor(times.length / 2)] ?? Number.NaN;
    return {
      architecture, size, batchSize, mode, steps, warmup, backend: tf.getBackend(),
      imagesPerSecond: batchSize / secondsPerStep, secondsPerStep, peakRssMiB: peakRss / 2 ** 20, parameters: model.countParams(),
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
