// A whole training step of the W+20 VGG and of EfficientNetB0 (small inputs, dropout off so both
// backends see the same network) gives the same loss and gradients on zoobot-native as on cpu, from
// the same weights; steps leak no tensors, and a few hundred native kernel calls and a thousand
// training steps leave RSS flat.
// EfficientNet runs with its batch norms in inference mode: at 32 px its last blocks are 1x1, and
// batch statistics over two such values turn float32 rounding differences into sign flips (measured in
// training mode: block 6's outputs differ by up to 0.6% and the loss by 12%, the first layers by < 1e-4).
// Skipped, saying why, when the addon is not built.
import * as tf from '@tensorflow/tfjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { efficientNetB0, fuseReluConvolutions, fuseSwishActivations, vggW20, zoobotModel } from '../../src/architectures/index.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { treeLoss } from '../../src/losses/index.js';
import { adam, enableEarlyTapeRelease } from '../../src/training/index.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/native/index.js';
import { outputPoolStats } from '../../src/native/outputPool.js';
import { useBackend } from '../helpers/backends.js';
import { relativeError, seededValues } from '../wasm/helpers.js';

const SIZE = 32;
const OUTPUTS = 4;
// Whole-network float32 sums in different orders (oneDNN's blocked kernels, double-accumulated bias
// sums): each gradient within 1e-3 of its largest |entry|, floored at 1% of the net's largest entry
// (some gradients are rounding noise around zero, e.g. a batch-norm shift followed by another batch norm).
const TOLERANCE = 1e-3;
const SCALE_FLOOR = 1e-2;
// One oneDNN thread: test files run in parallel workers that share the cores.
const native = registerNativeBackend({ threads: 1 });
const reason = native.ok ? '' : ` (skipped: ${native.reason})`;

interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i += 1) m = Math.max(m, Math.abs(values[i] ?? Number.NaN));
  return m;
}

/** Loss and gradients of every trainable weight (batch statistics on when `training`). */
async function trainingStep(model: tf.LayersModel, training: boolean, batch: number): Promise<StepResult> {
  const x = tf.tensor4d(seededValues(11, batch * SIZE * SIZE), [batch, SIZE, SIZE, 1]);
  const y = tf.tensor2d(seededValues(12, batch * OUTPUTS), [batch, OUTPUTS]);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(y, model.apply(x, { training }) as tf.Tensor) as tf.Scalar,
  );
  const result: StepResult = { loss: (await value.data())[0] ?? Number.NaN, grads: new Map() };
  for (const [name, g] of Object.entries(grads)) result.grads.set(name, (await g.data()) as Float32Array);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return result;
}

function withFusedReluConvolutions(model: tf.LayersModel): tf.LayersModel {
  expect(fuseReluConvolutions(model)).toBe(6);
  return model;
}

function withFusedSwish(model: tf.LayersModel): tf.LayersModel {
  expect(fuseSwishActivations(model)).toBe(33);
  return model;
}

const MODELS = [
  // Its ReLU convolutions fused, as train() runs them: native's one-pass mask-and-sum kernel against cpu's composition.
  ['W+20 VGG', true, 2, () => withFusedReluConvolutions(vggW20({ inputShape: [SIZE, SIZE, 1], outputs: OUTPUTS, dropoutRate: 0 }))],
  // One image: batch statistics are off, and the cpu backend's step dominates this file's time.
  // Its swish activations fused too: native's oneDNN swish kernels against cpu's composition.
  ['EfficientNetB0', false, 1, () => withFusedSwish(efficientNetB0({ inputShape: [SIZE, SIZE, 1], includeTop: true, classes: OUTPUTS, dropoutRate: 0, dropConnectRate: 0 }))],
] as const;

describe.skipIf(!native.ok).each(MODELS)(`%s training step on zoobot-native${reason}`, (_name, training, batch, build) => {
  let model: tf.LayersModel;
  let cpu: StepResult;

  beforeAll(async () => {
    await useBackend('cpu');
    model = build(); // the weights move to zoobot-native lazily, so both backends start from them
    cpu = await trainingStep(model, training, batch);
  });

  afterAll(async () => {
    model.dispose();
    await useBackend('cpu');
  });

  it('matches cpu: loss and every gradient; a second step leaks no tensors and repeats the first', async () => {
    await useBackend(NATIVE_BACKEND);
    const got = await trainingStep(model, training, batch);
    const tensors = tf.memory().numTensors;
    const again = await trainingStep(model, training, batch);
    expect(tf.memory().numTensors).toBe(tensors);
    // Same result again (a plain loop: vitest's deep equality takes minutes over 4 million floats).
    expect(again.loss).toBe(got.loss);
    for (const [name, values] of got.grads) expect(relativeError(again.grads.get(name)!, values), name).toBe(0);
    expect(Math.abs(got.loss - cpu.loss)).toBeLessThanOrEqual(TOLERANCE * Math.abs(cpu.loss));
    expect([...got.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
    const netScale = Math.max(...[...cpu.grads.values()].map(maxAbs));
    for (const [name, expected] of cpu.grads) {
      const actual = got.grads.get(name)!;
      const scale = Math.max(maxAbs(expected), SCALE_FLOOR * netScale);
      expect(relativeError(actual, expected) * maxAbs(expected) / scale, name).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe.skipIf(!native.ok)(`zoobot-native memory${reason}`, () => {
  it('keeps tensors and RSS (after garbage collection) flat over 1,000 training steps of the W+20 VGG', async () => {
    await useBackend(NATIVE_BACKEND);
    enableEarlyTapeRelease(); // as train() runs: tensors freed mid-step go back to the output pool
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const model = zoobotModel({ schema: decalsDr5Schema, architecture: 'vgg', inputShape: [SIZE, SIZE, 1], seed: 0 });
    const x = tf.tensor4d(seededValues(3, 4 * SIZE * SIZE), [4, SIZE, SIZE, 1]);
    const y = tf.fill([4, decalsDr5Schema.answerCount], 3);
    const optimizer = adam(1e-3);
    const loss = treeLoss(decalsDr5Schema);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = async () => {
      const value = optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables)!;
      await value.data();
      value.dispose();
    };
    const settledRss = () => {
      gc(); // without it, V8's uncollected garbage grows RSS by about 30 KiB per step until a major collection
      return process.memoryUsage().rss;
    };
    for (let i = 0; i < 100; i += 1) await step(); // warm: primitive cache, output pool, optimiser moments
    const tensors = tf.memory().numTensors;
    const rss = settledRss();
    for (let i = 0; i < 900; i += 1) await step();
    expect(tf.memory().numTensors).toBe(tensors);
    // Leaking one first-layer activation per step (512 KiB) would add 450 MiB.
    expect((settledRss() - rss) / 2 ** 20).toBeLessThan(16);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('keeps RSS flat over 300 rounds of convolution, gradient and elementwise calls', async () => {
    await useBackend(NATIVE_BACKEND);
    // 256 KiB activations: leaking them (or oneDNN buffers of that size per call) would add over 200 MiB.
    const x = tf.tensor4d(seededValues(1, 2 * 16 * 16 * 8), [2, 16, 16, 8]);
    const w = tf.tensor4d(seededValues(2, 3 * 3 * 8 * 128), [3, 3, 8, 128]);
    const round = () => tf.tidy(() => {
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')).sum())([x, w]);
      return tf.add(dx!.sum(), dw!.sum()).dataSync()[0];
    });
    for (let i = 0; i < 50; i += 1) round(); // warm: primitive cache, V8 heap
    const tensors = tf.memory().numTensors;
    const rss = process.memoryUsage().rss;
    const reusedBefore = outputPoolStats(tf.backend())!.reused;
    for (let i = 0; i < 300; i += 1) round();
    expect(tf.memory().numTensors).toBe(tensors);
    // The [2, 16, 16, 128] activations come from the output pool, recycled round after round.
    expect(outputPoolStats(tf.backend())!.reused - reusedBefore).toBeGreaterThanOrEqual(300);
    expect((process.memoryUsage().rss - rss) / 2 ** 20).toBeLessThan(64);
    tf.dispose([x, w]);
  });
});
