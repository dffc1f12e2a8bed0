// Gradients accumulated over micro-batches equal the full batch's gradient for a loss that is a mean
// of per-example terms (the reference is tfjs's own gradient of the whole batch), and differ where
// batch normalisation in training mode couples the examples.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { microBatchGradients } from '../../src/training/microBatches.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';
import { train, type PerQuestionLoss } from '../../src/training/train.js';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';

function smallNet(seed: number, batchNorm: boolean): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  let x = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed }) }).apply(input);
  if (batchNorm) x = tf.layers.batchNormalization().apply(x);
  x = tf.layers.flatten().apply(x);
  const out = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const meanLoss = (model: tf.LayersModel) => (x: tf.Tensor, y: tf.Tensor): tf.Scalar =>
  tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;

/** Largest |a − b| over a variable's entries, relative to its largest |b|. */
async function relativeDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [av, bv] = [await a.data(), await b.data()];
  let diff = 0;
  let scale = 0;
  bv.forEach((v, i) => { diff = Math.max(diff, Math.abs((av[i] ?? Number.NaN) - v)); scale = Math.max(scale, Math.abs(v)); });
  return diff / Math.max(scale, 1e-12);
}

describe('microBatchGradients', () => {
  beforeAll(async () => useBackend('cpu'));

  it('equals the full-batch gradient and loss for any batch and micro-batch size', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1000 }), async (n, micro, seed) => {
      const model = smallNet(seed, false);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const x = tf.randomNormal([n, 6, 6, 2], 0, 1, 'float32', seed);
      const y = tf.randomNormal([n, 2], 0, 1, 'float32', seed + 7);
      const full = tf.variableGrads(() => meanLoss(model)(x, y), variables);
      const parts = microBatchGradients(meanLoss(model), x, y, micro, variables);
      expect(Object.keys(parts.grads).sort()).toEqual(Object.keys(full.grads).sort());
      expect(await relativeDifference(parts.value, full.value)).toBeLessThan(1e-5);
      for (const [name, g] of Object.entries(full.grads)) expect(await relativeDifference(parts.grads[name] as tf.Tensor, g)).toBeLessThan(1e-5);
      tf.dispose([x, y, full.value, parts.value, ...Object.values(full.grads), ...Object.values(parts.grads)]);
      model.dispose();
    }), { numRuns: 15 });
  });

  it('differs from the full batch with batch normalisation in training mode (per-micro-batch statistics)', async () => {
    const model = smallNet(3, true);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([6, 6, 6, 2], 0, 1, 'float32', 4);
    const y = tf.randomNormal([6, 2], 0, 1, 'float32', 5);
    const full = tf.variableGrads(() => meanLoss(model)(x, y), variables);
    const parts = microBatchGradients(meanLoss(model), x, y, 2, variables);
    const kernel = variables[0]?.name as string;
    expect(await relativeDifference(parts.grads[kernel] as tf.Tensor, full.grads[kernel] as tf.Tensor)).toBeGreaterThan(1e-3);
    tf.dispose([x, y, full.value, parts.value, ...Object.values(full.grads), ...Object.values(parts.grads)]);
    model.dispose();
  });

  it('leaves no tensors behind but its results, and rejects bad arguments', () => {
    const model = smallNet(1, false);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([5, 6, 6, 2]);
    const y = tf.randomNormal([5, 2]);
    const before = tf.memory().numTensors;
    const { value, grads } = microBatchGradients(meanLoss(model), x, y, 2, variables);
    expect(tf.memory().numTensors - before).toBe(1 + variables.length);
    tf.dispose([value, ...Object.values(grads)]);
    expect(() => microBatchGradients(meanLoss(model), x, y, 0, variables)).toThrow(ConfigError);
    expect(() => microBatchGradients(meanLoss(model), x, tf.zeros([4, 2]), 2, variables)).toThrow(ShapeError);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('train with microBatch', () => {
  beforeAll(async () => useBackend('cpu'));

  const schema = defineSchema({ a: ['_x', '_y'], b: ['_u', '_v', '_w'] }, { a: null, b: 'a_x' }, { name: 'toy' });
  const squaredError: PerQuestionLoss = (labels, predictions) => tf.tidy(() => {
    const se = tf.square(tf.sub(labels, predictions));
    return tf.stack(schema.questions.map((q) => tf.sum(tf.slice(se, [0, q.startIndex], [-1, q.endIndex - q.startIndex]), 1)), 1) as tf.Tensor2D;
  });
  const toyModel = (): tf.LayersModel => {
    const input = tf.input({ shape: [4, 4, 1] });
    const flat = tf.layers.flatten().apply(input);
    const hidden = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(flat);
    const out = tf.layers.dense({ units: schema.answerCount, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden);
    return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
  };
  const images = Float32Array.from({ length: 40 * 16 }, (_, i) => ((i * 7919) % 101) / 101);
  const labels = Array.from({ length: 40 }, (_, i) => [i % 7, 3, (i * 3) % 5, 1, 2]);
  const source = () => inMemoryBatchSource({ images, imageShape: [4, 4, 1], labels, batchSize: 16, seed: 3 });

  it('reaches the same weights and losses as full batches (a loss that is a mean over galaxies)', async () => {
    const full = toyModel();
    const micro = toyModel();
    const a = await train({ model: full, schema, loss: squaredError, train: source(), epochs: 2 });
    const seen: number[] = [];
    const recording: PerQuestionLoss = (l, p) => { seen.push(l.shape[0]); return squaredError(l, p); };
    const b = await train({ model: micro, schema, loss: recording, train: source(), epochs: 2, microBatch: 5 });
    expect(seen.filter((n) => n > 5)).toEqual([]); // training batches of 16 and 8 ran as micro-batches of 5 + remainders
    expect(seen).toContain(1);
    a.history.forEach((record, i) => {
      expect(b.history[i]?.loss).toBeCloseTo(record.loss, 4);
      expect(b.history[i]?.questionLosses.b).toBeCloseTo(record.questionLosses.b ?? Number.NaN, 4);
    });
    const [wa, wb] = [full.getWeights(), micro.getWeights()];
    for (const [i, w] of wa.entries()) expect(await relativeDifference(wb[i] as tf.Tensor, w)).toBeLessThan(1e-4);
    full.dispose();
    micro.dispose();
  });
});
