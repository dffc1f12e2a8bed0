// Freeing tape tensors during the backward pass changes no gradient (each case is computed by plain
// tfjs first, then with the release on, in this process), leaks nothing, never frees what a caller
// still holds, and does lower the number of tensors alive during backprop.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { zoobotModel } from '../../src/architectures/index.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { treeLoss } from '../../src/losses/index.js';
import { enableEarlyTapeRelease } from '../../src/training/tapeRelease.js';
import { registerWasmTrainingKernels } from '../../src/wasm/index.js';

/** A gradient that hands its dy on unchanged (tfjs's own gradients copy or reshape it). */
const passThrough = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return { value: tf.mul(x as tf.Tensor, 1), gradFunc: (dy: tf.Tensor) => [dy] };
}) as (x: tf.Tensor) => tf.Tensor;

/** A gradient that returns one of its saved tensors (d/dx of x^2 / 2 is x). */
const halfSquare = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return { value: tf.mul(tf.square(x as tf.Tensor), 0.5), gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => [saved[0]!] };
}) as (x: tf.Tensor) => tf.Tensor;

/** Set when a gradient reaches {@link checked} already disposed. */
let disposedGradientSeen = false;

/** The identity, whose gradient notes whether its dy was freed too early. */
const checked = tf.customGrad((x) => ({
  value: tf.mul(x as tf.Tensor, 1),
  gradFunc: (dy: tf.Tensor) => {
    if (dy.isDisposed) disposedGradientSeen = true;
    return [tf.mul(dy, 1)];
  },
})) as (x: tf.Tensor) => tf.Tensor;

/**
 * A graph with the cases that could trip an early free: a value used twice (gradients accumulate),
 * pass-through and saved-tensor gradients, reshapes that share data, and a branch that joins again.
 */
function tangled(x: tf.Tensor, w: tf.Tensor): tf.Scalar {
  const a = tf.tanh(tf.matMul(x, w));
  // Each checked() output has one consumer, so the gradient it receives is exactly what that
  // consumer's gradient returned: its dy passed on, or its saved tensor.
  const b = passThrough(checked(a));
  const c = tf.add(tf.mul(b, a), halfSquare(checked(tf.reshape(b, [-1]))).reshape(b.shape));
  const d = tf.sigmoid(tf.add(c, tf.reshape(tf.clone(c), c.shape)));
  return tf.sum(tf.mul(d, tf.sin(a)));
}

async function values(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
}

/** The value of {@link tangled} and its gradient with respect to w, checking that nothing leaks. */
async function tangledGradients(x: tf.Tensor, w: tf.Tensor): Promise<Float32Array[]> {
  const v = tf.variable(w);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tangled(x, v), [v]);
  const result = await values([value, grads[v.name]!]);
  tf.dispose([value, grads]);
  expect(tf.memory().numTensors).toBe(before);
  v.dispose();
  return result;
}

/** The loss and every trainable weight's gradient of one step of a small zoobot model. */
async function modelGradients(architecture: 'vgg' | 'efficientnetb0'): Promise<Float32Array[]> {
  const schema = decalsDr5Schema;
  const model = zoobotModel({ schema, architecture, inputShape: [32, 32, 1], seed: 3 });
  const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 5);
  const counts = tf.fill([2, schema.answerCount], 2);
  const loss = treeLoss(schema);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => loss(counts, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  const result = await values([value, ...vars.map((v) => grads[v.name]!)]);
  value.dispose();
  tf.dispose(grads);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, counts]);
  model.dispose();
  return result;
}

/** Tensors alive when backprop reaches the first op of a chain of `length` ops (the last node it visits), beyond those alive before. */
function aliveAtChainStart(length: number): number {
  const before = tf.memory().numTensors;
  let alive = 0;
  const probe = tf.customGrad((x) => ({
    value: tf.mul(x as tf.Tensor, 1),
    gradFunc: (dy: tf.Tensor) => {
      alive = tf.memory().numTensors;
      return [tf.mul(dy, 1)];
    },
  })) as (x: tf.Tensor) => tf.Tensor;
  const x = tf.variable(tf.randomNormal([64, 64], 0, 1, 'float32', 1));
  const { value, grads } = tf.variableGrads(() => {
    let y = probe(x);
    for (let i = 0; i < length; i += 1) y = tf.sin(tf.mul(y, 1.01));
    return tf.sum(y);
  }, [x]);
  tf.dispose([value, grads, x]);
  return alive - before;
}

describe('enableEarlyTapeRelease', () => {
  // Reference results from plain tfjs, taken before the release is switched on for this process.
  const reference: { tangled: Float32Array[][]; vgg: Float32Array[]; efficientnet: Float32Array[]; second: number; alive: number } = {
    tangled: [], vgg: [], efficientnet: [], second: 0, alive: 0,
  };
  const inputs = Array.from({ length: 8 }, (_, i) => [tf.randomNormal([3, 4], 0, 1, 'float32', 10 + i), tf.randomNormal([4, 5], 0, 1, 'float32', 20 + i)] as const);
  const secondDerivative = (x: tf.Tensor): tf.Tensor => tf.grad((y: tf.Tensor) => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.sin(z), tf.square(z))))(y).sum())(x);

  beforeAll(async () => {
    // wasm, with zoobot-ts's gradient kernels: the cpu backend's convolution gradients are too slow here.
    await useBackend('wasm');
    registerWasmTrainingKernels();
    for (const [x, w] of inputs) reference.tangled.push(await tangledGradients(x, w));
    reference.vgg = await modelGradients('vgg');
    reference.efficientnet = await modelGradients('efficientnetb0');
    reference.second = (await secondDerivative(tf.scalar(0.7)).data())[0]!;
    reference.alive = aliveAtChainStart(30);
    expect(enableEarlyTapeRelease()).toBe(true);
    expect(enableEarlyTapeRelease()).toBe(true); // idempotent
  });

  it('gives the same loss and gradients on a graph of shared values, pass-through and saved-tensor gradients, without leaks', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: inputs.length - 1 }), async (i) => {
      const [x, w] = inputs[i]!;
      expect(await tangledGradients(x, w)).toEqual(reference.tangled[i]);
      expect(disposedGradientSeen).toBe(false);
    }), { numRuns: 8 });
  });

  it('gives the W+20 VGG and EfficientNetB0 the same loss and gradients as plain tfjs', async () => {
    expect(await modelGradients('vgg')).toEqual(reference.vgg);
    expect(await modelGradients('efficientnetb0')).toEqual(reference.efficientnet);
  });

  it('keeps a gradient seed the caller passed in, and second derivatives', async () => {
    const x = tf.tensor1d([0.3, -1.2, 2]);
    const seed = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((y: tf.Tensor) => tf.sin(tf.mul(y, 2)))(x, seed);
    expect(seed.isDisposed).toBe(false);
    const expected = Array.from(x.dataSync(), (v, i) => 2 * Math.cos(2 * v) * (i + 1));
    Array.from(await g.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect((await secondDerivative(tf.scalar(0.7)).data())[0]).toBe(reference.second);
  });

  it('holds far fewer tensors while the backward pass runs', () => {
    // Plain tfjs holds the saved inputs and the gradient of all 60 ops of the chain at its start;
    // with the release, a few besides the variable and its value.
    const alive = aliveAtChainStart(30);
    expect(reference.alive).toBeGreaterThan(100);
    expect(alive).toBeLessThan(10);
  });
});
