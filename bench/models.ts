// Inference and training images/s of the W+20 VGG (128 px) and EfficientNetB0 (224 px), batch 16 and 32,
// on each backend available in Node (cpu, wasm). `npm run bench -- models`.
// ZOOBOT_BENCH_BACKENDS=wasm limits the backends (tfjs's cpu convolutions are far under 1 img/s at these sizes);
// ZOOBOT_BENCH_TRAIN=0 skips training. Training on wasm uses registerWasmTrainingKernels().
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decalsDr5Schema } from '../src/decisionTree/index.js';
import { dirichletMultinomialNLL } from '../src/losses/index.js';
import { zoobotModel, type ZoobotArchitecture } from '../src/architectures/index.js';
import { registerWasmTrainingKernels } from '../src/wasm/index.js';
import { timeMs, useBackend } from './util.js';

const BACKENDS = (process.env.ZOOBOT_BENCH_BACKENDS ?? 'wasm,cpu').split(',');
const TRAIN = process.env.ZOOBOT_BENCH_TRAIN !== '0';
const MODELS: ReadonlyArray<{ architecture: ZoobotArchitecture; size: number }> = [
  { architecture: 'vgg', size: 128 },
  { architecture: 'efficientnetb0', size: 224 },
];
const BATCHES = [16, 32];

/** Images/s of `model.predict` and of Adam steps on the Dirichlet-multinomial loss. */
async function measure(architecture: ZoobotArchitecture, size: number, batch: number, train: boolean): Promise<Record<string, number>> {
  const model = zoobotModel({ schema: decalsDr5Schema, architecture, inputShape: [size, size, 1], seed: 1 });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const counts = tf.floor(tf.randomUniform([batch, decalsDr5Schema.answerCount], 0, 10, 'float32', 2));
  const predictMs = await timeMs(async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  }, { warmup: 1, repeats: 3 });
  const out: Record<string, number> = { predictImagesPerSecond: (batch * 1000) / predictMs };
  if (train) {
    const optimizer = tf.train.adam(1e-3);
    const trainMs = await timeMs(async () => {
      const loss = optimizer.minimize(
        () => tf.mean(dirichletMultinomialNLL(counts, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true,
      );
      await loss?.data();
      loss?.dispose();
    }, { warmup: 1, repeats: 3 });
    out.trainImagesPerSecond = (batch * 1000) / trainMs;
    optimizer.dispose();
  }
  tf.dispose([x, counts]);
  model.dispose();
  return out;
}

export async function run(): Promise<unknown> {
  const results: Record<string, unknown> = {};
  for (const backend of BACKENDS) {
    await useBackend(backend);
    if (backend === 'wasm') registerWasmTrainingKernels();
    for (const { architecture, size } of MODELS) {
      for (const batch of BATCHES) {
        const key = `${backend}/${architecture}@${size}/batch${batch}`;
        try {
          results[key] = await measure(architecture, size, batch, TRAIN);
        } catch (error) {
          // e.g. EfficientNetB0 training at 224 px needs more than wasm's 4 GiB heap beyond batch ~6.
          results[key] = { error: String(error) };
        }
      }
    }
  }
  return { unit: 'images/s', results };
}
