// `npm run bench -- losses`: forward and forward+backward time of the DECaLS tree loss
// (batch 128 x 34 answers) and lgamma on 1e6 elements, on the cpu and wasm backends, with the
// loss's share of a VGG training step at batch 128.
import * as tf from '@tensorflow/tfjs';
import { decalsDr5Schema } from '../src/decisionTree/index.js';
import { lgamma, treeLoss } from '../src/losses/index.js';
import { timeMs, useBackend } from './util.js';

const BATCH = 128;
/** W+20 VGG training throughput with Keras 3.15 / TF 2.21 on this machine's CPU (shared/docs/environment.md). */
const KERAS_VGG_TRAIN_IMAGES_PER_S = 45;
const LOSS_BUDGET_FRACTION = 0.05;

/** Times `make()`'s result until its data is read back, disposing it afterwards. */
function timeOp(make: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  return timeMs(async () => {
    const out = make();
    const tensors = Array.isArray(out) ? out : [out];
    await Promise.all(tensors.map((t) => t.data()));
    tf.dispose(tensors);
  }, { warmup: 2, repeats: 7 });
}

async function measure(backend: string): Promise<Record<string, number>> {
  await useBackend(backend);
  const loss = treeLoss(decalsDr5Schema);
  const labels = tf.round(tf.randomUniform([BATCH, decalsDr5Schema.answerCount], 0, 40, 'float32', 1));
  const predictions = tf.randomUniform([BATCH, decalsDr5Schema.answerCount], 1, 101, 'float32', 2);
  const x = tf.randomUniform([1_000_000], 1e-3, 1e3, 'float32', 3);
  const lossForwardMs = await timeOp(() => loss(labels, predictions));
  const lossForwardBackwardMs = await timeOp(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => loss(labels, p) as tf.Scalar)(predictions);
    return [value, grad];
  });
  const lgamma1e6Ms = await timeOp(() => lgamma(x));
  tf.dispose([labels, predictions, x]);
  const vggStepMs = (1000 * BATCH) / KERAS_VGG_TRAIN_IMAGES_PER_S;
  return {
    lossForwardMs,
    lossForwardBackwardMs,
    lgamma1e6Ms,
    lossShareOfKerasVggStep: lossForwardBackwardMs / vggStepMs,
  };
}

/** Runs the suite; returns a JSON-able summary. */
export async function run(): Promise<unknown> {
  const results: Record<string, Record<string, number>> = {};
  for (const backend of ['cpu', 'wasm']) results[backend] = await measure(backend);
  const vggStepMs = (1000 * BATCH) / KERAS_VGG_TRAIN_IMAGES_PER_S;
  return {
    setup: { schema: decalsDr5Schema.name, batch: BATCH, answers: decalsDr5Schema.answerCount, lgammaElements: 1_000_000, unit: 'ms (median of 7)' },
    reference: {
      vggTrainStepMs: vggStepMs,
      source: `Keras 3.15 / TF 2.21 CPU, W+20 VGG, ${KERAS_VGG_TRAIN_IMAGES_PER_S} img/s (shared/docs/environment.md), batch ${BATCH}`,
      budget: `loss forward+backward under ${LOSS_BUDGET_FRACTION * 100}% of a step`,
      todo: 'Replace the Keras figure with the zoobot-ts VGG train step at batch 128 on the same backend once src/architectures has it.',
    },
    backends: results,
    withinBudget: Object.fromEntries(Object.entries(results).map(([b, r]) => [b, (r.lossShareOfKerasVggStep ?? Infinity) < LOSS_BUDGET_FRACTION])),
  };
}
