import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';
import { memoryCheckpointStore, decodeCheckpoint, encodeCheckpoint } from '../../src/training/checkpoint.js';
import { train, type PerQuestionLoss } from '../../src/training/train.js';
import { mcDropout } from '../../src/architectures/index.js';

// A toy problem the loop can learn quickly on cpu: two questions whose answers are linear in the pixels.
const schema = defineSchema({ a: ['_x', '_y'], b: ['_u', '_v', '_w'] }, { a: null, b: 'a_x' }, { name: 'toy' });
const SHAPE = [4, 4, 1] as const;
const N = 48;

function toyData(seed: number) {
  const images = new Float32Array(N * 16);
  const labels: number[][] = [];
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < N; i += 1) {
    for (let p = 0; p < 16; p += 1) images[i * 16 + p] = rand();
    const m = images[i * 16] ?? 0;
    labels.push([10 * m, 10 * (1 - m), 5 * m, 2, 3]);
  }
  return { images, labels };
}

/** Squared error between predicted and observed counts, summed per question: enough to exercise the loop. */
const toyLoss: PerQuestionLoss = (labels, predictions) => tf.tidy(() => {
  const se = tf.square(tf.sub(labels, predictions));
  return tf.stack(schema.questions.map((q) => tf.sum(tf.slice(se, [0, q.startIndex], [-1, q.endIndex - q.startIndex]), 1)), 1) as tf.Tensor2D;
});

function toyModel(seed: number, dropout = 0): tf.LayersModel {
  const input = tf.input({ shape: [...SHAPE] });
  const flat = tf.layers.flatten().apply(input);
  const dense = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(flat);
  const hidden = dropout > 0 ? mcDropout({ rate: dropout }).apply(dense) : dense;
  const out = tf.layers.dense({ units: schema.answerCount, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(hidden);
  return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
}

const { images, labels } = toyData(7);
const source = () => inMemoryBatchSource({ images, imageShape: SHAPE, labels, batchSize: 16, seed: 3 });

describe('train', () => {
  it('should lower the loss and report per-question losses for every epoch', async () => {
    const model = toyModel(1);
    const result = await train({ model, schema, loss: toyLoss, train: source(), epochs: 6, optimizer: tf.train.adam(0.05) });
    expect(result.history).toHaveLength(6);
    const first = result.history[0]!;
    const last = result.history.at(-1)!;
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(Object.keys(last.questionLosses)).toEqual(['a', 'b']);
    expect(last.questionLosses.a! + last.questionLosses.b!).toBeCloseTo(last.loss, 6);
    expect(last.learningRate).toBe(0.05);
    expect(last.imagesPerSecond).toBeGreaterThan(0);
    model.dispose();
  });

  it('should resume from a checkpoint to the same final weights as an uninterrupted run', async () => {
    const run = async (store: ReturnType<typeof memoryCheckpointStore>, epochs: number, initSeed: number) => {
      // Unseeded MC dropout: only the per-epoch reseeding makes the resumed run repeat the masks.
      const model = toyModel(initSeed, 0.3);
      const optimizer = tf.train.adam(0.05);
      await train({ model, schema, loss: toyLoss, train: source(), validation: source(), epochs, optimizer, checkpoints: store });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      optimizer.dispose();
      return weights;
    };
    const straight = await run(memoryCheckpointStore(), 5, 1);
    const store = memoryCheckpointStore();
    await run(store, 2, 1);
    expect(store.current?.completedEpochs).toBe(2);
    // A fresh process would rebuild the model with other random weights; the checkpoint overrides them.
    const resumed = await run(store, 5, 99);
    expect(store.current?.completedEpochs).toBe(5);
    resumed.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(straight[i]![j]!, 5)));
  });

  it('should stop early when validation stops improving and restore the best weights', async () => {
    const model = toyModel(2);
    // A learning rate this large diverges, so validation loss gets worse after the first epochs.
    const result = await train({
      model, schema, loss: toyLoss, train: source(), validation: source(), epochs: 30, patience: 2, optimizer: tf.train.sgd(0.5),
    });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.history.length).toBe(result.bestEpoch + 3);
    model.dispose();
  });

  it('should stop at a batch boundary when aborted, keeping the last completed epoch', async () => {
    const model = toyModel(3);
    const controller = new AbortController();
    const store = memoryCheckpointStore();
    const result = await train({
      model, schema, loss: toyLoss, train: source(), epochs: 5, checkpoints: store, signal: controller.signal,
      callbacks: { onBatchEnd: (p) => { if (p.epoch === 1 && p.batch === 1) controller.abort(); } },
    });
    expect(result.stopReason).toBe('aborted');
    expect(store.current?.completedEpochs).toBe(1);
    model.dispose();
  });

  it('should leak no tensors beyond the optimizer state it keeps', async () => {
    const model = toyModel(4);
    const before = tf.memory().numTensors;
    const optimizer = tf.train.adam(0.01);
    await train({ model, schema, loss: toyLoss, train: source(), validation: source(), epochs: 2, optimizer, checkpoints: memoryCheckpointStore() });
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('should refuse a model whose outputs do not match the schema', async () => {
    const input = tf.input({ shape: [...SHAPE] });
    const out = tf.layers.dense({ units: 3 }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    await expect(train({ model, schema, loss: toyLoss, train: source(), epochs: 1 })).rejects.toThrow(/3 outputs but schema 'toy' has 5 answers/);
  });
});

describe('checkpoint encoding', () => {
  it('should round-trip weights and state and refuse truncated data', () => {
    const checkpoint = {
      completedEpochs: 3,
      modelWeights: [{ name: 'w', shape: [2], dtype: 'float32' as const, values: Float32Array.from([1.5, -2]) }],
      optimizerWeights: [{ name: 'iter', shape: [], dtype: 'int32' as const, values: Int32Array.from([9]) }],
      bestWeights: null,
      bestValidationLoss: Number.POSITIVE_INFINITY,
      bestEpoch: -1,
      epochsWithoutImprovement: 1,
      history: [],
    };
    const { meta, data } = encodeCheckpoint(checkpoint);
    const back = decodeCheckpoint(JSON.parse(JSON.stringify(meta)), data);
    expect(back).toEqual(checkpoint);
    expect(() => decodeCheckpoint(meta, data.slice(0, 5), 'ck.bin')).toThrow(/ck.bin: weights hold 5 bytes/);
  });
});
