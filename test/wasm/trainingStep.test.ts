// A whole training step of tiny VGG- and EfficientNet-like nets gives the same loss and gradients on
// wasm (with the composed kernels) as on cpu, from the same weights, and model.fit runs on wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { registerWasmTrainingKernels } from '../../src/wasm/index.js';
import { seededValues } from './helpers.js';
import { seedKernels, tinyEfficientNet, tinyVgg } from './nets.js';

const SIZE = 32;
const BATCH = 2;
const OUTPUTS = 4;
// Whole-network float32 sums in different orders: 1e-4 of each gradient's largest |entry|. Some
// gradients are zero in exact arithmetic (a batch-norm shift followed by a 1x1 conv and another batch
// norm cancels), leaving only rounding noise, so each scale is floored at 1% of the net's largest entry.
const TOLERANCE = 1e-4;
const SCALE_FLOOR = 1e-2;

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i += 1) m = Math.max(m, Math.abs(values[i] ?? Number.NaN));
  return m;
}

interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
}

/** Loss and gradients of every trainable weight, in training mode (dropout and batch statistics on). */
async function trainingStep(model: tf.LayersModel): Promise<StepResult> {
  const x = tf.tensor4d(seededValues(11, BATCH * SIZE * SIZE), [BATCH, SIZE, SIZE, 1]);
  const y = tf.tensor2d(seededValues(12, BATCH * OUTPUTS), [BATCH, OUTPUTS]);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
  );
  const result: StepResult = { loss: (await value.data())[0] ?? Number.NaN, grads: new Map() };
  for (const [name, g] of Object.entries(grads)) result.grads.set(name, (await g.data()) as Float32Array);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return result;
}

describe.each([
  ['VGG-like', tinyVgg],
  ['EfficientNet-like', tinyEfficientNet],
] as const)('%s training step on wasm', (_name, build) => {
  let model: tf.LayersModel;
  let cpu: StepResult;

  beforeAll(async () => {
    registerWasmTrainingKernels();
    await useBackend('cpu');
    model = build(SIZE, OUTPUTS); // the weights move to wasm lazily, so both backends start from them
    seedKernels(model, 31);
    cpu = await trainingStep(model);
  });

  it('matches cpu: loss and every gradient', async () => {
    await useBackend('wasm');
    const wasm = await trainingStep(model);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(TOLERANCE * Math.abs(cpu.loss));
    expect([...wasm.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
    const netScale = Math.max(...[...cpu.grads.values()].map(maxAbs));
    for (const [name, expected] of cpu.grads) {
      const actual = wasm.grads.get(name) ?? new Float32Array(expected.length).fill(Number.NaN);
      const scale = Math.max(maxAbs(expected), SCALE_FLOOR * netScale);
      const error = maxAbs(actual.map((a, i) => a - (expected[i] ?? 0))) / scale;
      expect(error, name).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('leaks no tensors and trains with model.fit', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    await trainingStep(model);
    expect(tf.memory().numTensors).toBe(before);

    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = tf.tensor4d(seededValues(21, BATCH * SIZE * SIZE), [BATCH, SIZE, SIZE, 1]);
    const y = tf.tensor2d(seededValues(22, BATCH * OUTPUTS), [BATCH, OUTPUTS]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: BATCH, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });
});
