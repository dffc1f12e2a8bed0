import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError } from '../../src/errors.js';
import { vggW20, zoobotModel } from '../../src/architectures/index.js';
import { AdamW } from '../../src/training/adamw.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';
import { buildFinetuneModel, encoderBlocks, finetune, headObjective, type FinetuneStage } from '../../src/training/finetune.js';
import { maxChange, snapshot } from '../helpers/weights.js';

/** Independent float64 AdamW (PyTorch's formulation) for one variable. */
function adamwReference(w0: number[], gradients: number[][], o: { lr: number; wd: number; b1: number; b2: number; eps: number; decay: boolean }): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  gradients.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < w.length; i += 1) {
      const gi = g[i] ?? 0;
      m[i] = o.b1 * (m[i] ?? 0) + (1 - o.b1) * gi;
      v[i] = o.b2 * (v[i] ?? 0) + (1 - o.b2) * gi * gi;
      const mHat = (m[i] ?? 0) / (1 - o.b1 ** t);
      const vHat = (v[i] ?? 0) / (1 - o.b2 ** t);
      const wi = w[i] ?? 0;
      w[i] = wi - o.lr * (mHat / (Math.sqrt(vHat) + o.eps) + (o.decay ? o.wd * wi : 0));
    }
  });
  return w;
}

describe('AdamW', () => {
  it('should match a float64 reference over several steps, decaying kernels but not biases, with per-variable scales', () => {
    const small = fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(
      fc.array(small, { minLength: 4, maxLength: 4 }), fc.array(small, { minLength: 2, maxLength: 2 }),
      fc.array(fc.array(small, { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      fc.double({ min: 1e-4, max: 0.1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.1, max: 1, noNaN: true }),
      (kernel0, bias0, steps, lr, wd, scale) => {
        const kernel = tf.variable(tf.tensor2d(kernel0, [2, 2]));
        const bias = tf.variable(tf.tensor1d(bias0));
        const optimizer = new AdamW({ learningRate: lr, weightDecay: wd, epsilon: 1e-7, learningRateScales: new Map([[bias.name, scale]]) });
        for (const g of steps) {
          const grads = { [kernel.name]: tf.tensor2d(g.slice(0, 4), [2, 2]), [bias.name]: tf.tensor1d(g.slice(4)) };
          optimizer.applyGradients(grads);
          tf.dispose(Object.values(grads));
        }
        const common = { wd, b1: 0.9, b2: 0.999, eps: 1e-7 };
        const expectedKernel = adamwReference(kernel0, steps.map((g) => g.slice(0, 4)), { ...common, lr, decay: true });
        const expectedBias = adamwReference(bias0, steps.map((g) => g.slice(4)), { ...common, lr: lr * scale, decay: false });
        const got = [...kernel.dataSync(), ...bias.dataSync()];
        [...expectedKernel, ...expectedBias].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
        optimizer.dispose();
        tf.dispose([kernel, bias]);
      },
    ), { numRuns: 25 });
  });

  it('should reject bad hyper-parameters and free its moments', () => {
    expect(() => new AdamW({ learningRate: 0 })).toThrow(ConfigError);
    expect(() => new AdamW({ weightDecay: -1 })).toThrow(ConfigError);
    const w = tf.variable(tf.ones([2, 2]));
    const before = tf.memory().numTensors;
    const optimizer = new AdamW();
    const g = tf.onesLike(w);
    optimizer.applyGradients({ [w.name]: g });
    g.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});

// A tiny encoder with Keras-style block names: block1 (conv+BN), block2 (conv+BN), top (1x1 conv), pooled.
const SIZE = 16;
function tinyEncoder(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(1), name: 'block1_conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'block1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(2), name: 'block2_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'block2_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'relu', kernelInitializer: init(3), name: 'top_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny' });
}

/** Two classes told apart by brightness: dark noise or bright noise. */
function brightnessData(n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const images = new Float32Array(n * SIZE * SIZE);
  const labels: number[][] = [];
  const classes: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const c = i % 2;
    for (let p = 0; p < SIZE * SIZE; p += 1) images[i * SIZE * SIZE + p] = (c === 1 ? 0.6 : 0) + 0.4 * rand();
    labels.push(c === 1 ? [0, 1] : [1, 0]);
    classes.push(c);
  }
  return { images, labels, classes };
}

describe('finetune', () => {
  it('should build heads on a zoobot model, a feature-map encoder and a pooled encoder', () => {
    const schema = defineSchema({ q: ['_a', '_b', '_c'] }, { q: null });
    const zoobot = zoobotModel({ schema, architecture: 'vgg', inputShape: [16, 16, 1], seed: 1 });
    const tree = buildFinetuneModel(zoobot, { kind: 'tree', schema });
    expect(tree.outputs[0]?.shape).toEqual([null, 3]);
    // The head reads the input of the old top dropout, the 128 hidden units.
    expect(tree.getLayer('finetune_dropout').input).toBe(zoobot.getLayer('top_dropout').input);
    const concentrations = tf.tidy(() => tree.predict(tf.ones([2, 16, 16, 1])) as tf.Tensor).dataSync();
    concentrations.forEach((c) => { expect(c).toBeGreaterThan(1); expect(c).toBeLessThan(101); });

    const vgg = vggW20({ inputShape: [16, 16, 1], includeTop: false });
    const classifier = buildFinetuneModel(vgg, { kind: 'classes', classes: 4 });
    const probabilities = tf.tidy(() => classifier.predict(tf.ones([3, 16, 16, 1])) as tf.Tensor2D).arraySync();
    probabilities.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    expect(encoderBlocks(classifier).map((b) => b.name)).toEqual(['block4', 'block3', 'block2', 'block1']);
    expect(encoderBlocks(tree).map((b) => b.name)).toEqual(['top', 'block4', 'block3', 'block2', 'block1']);

    const regressor = buildFinetuneModel(tinyEncoder(0), { kind: 'regression', outputs: 2 });
    expect(regressor.outputs[0]?.shape).toEqual([null, 2]);
    expect(() => buildFinetuneModel(vgg, { kind: 'classes', classes: 1 })).toThrow(ConfigError);
    expect(() => buildFinetuneModel(vgg, { kind: 'classes', classes: 2 }, { encoderOutput: 'nope' })).toThrow(/no layer 'nope'/);
    zoobot.dispose();
    vgg.dispose();
  });

  it('should group EfficientNet layers into Keras blocks, top first', () => {
    const schema = defineSchema({ q: ['_a', '_b'] }, { q: null });
    const zoobot = zoobotModel({ schema, inputShape: [32, 32, 1], seed: 1 });
    const blocks = encoderBlocks(buildFinetuneModel(zoobot, { kind: 'tree', schema }));
    expect(blocks.map((b) => b.name)).toEqual(['top', 'block7', 'block6', 'block5', 'block4', 'block3', 'block2', 'block1', 'stem']);
    expect(blocks[0]?.layers.map((l) => l.name)).toEqual(['top_conv', 'top_bn']);
    zoobot.dispose();
  });

  it('should compute cross-entropy and squared-error losses per galaxy as one question', () => {
    const ce = headObjective({ kind: 'classes', classes: 3 });
    expect(ce.schema.answerCount).toBe(3);
    const loss = tf.tidy(() => ce.loss(tf.tensor2d([[0, 1, 0], [1, 0, 0]]), tf.tensor2d([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])).arraySync());
    expect(loss[0]?.[0]).toBeCloseTo(-Math.log(0.5), 6);
    expect(loss[1]?.[0]).toBeCloseTo(-Math.log(0.1), 6);
    const mse = headObjective({ kind: 'regression', outputs: 2 });
    const err = tf.tidy(() => mse.loss(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 4]])).arraySync());
    expect(err[0]?.[0]).toBeCloseTo((1 + 4) / 2, 6);
  });

  it('should train the head alone, then unfreeze blocks from the top with learning rates decayed per block', async () => {
    const lr = 0.01;
    const pretrained = tinyEncoder(5);
    const data = brightnessData(8, 3);
    // One batch per epoch and one epoch per stage: every stage is exactly one fresh AdamW step.
    const source = inMemoryBatchSource({ images: data.images, imageShape: [SIZE, SIZE, 1], labels: data.labels, batchSize: 8 });
    const before = snapshot(pretrained);
    const after: Array<Map<string, Float32Array>> = [];
    const stages: FinetuneStage[] = [];
    const { model } = await finetune({
      pretrained, head: { kind: 'classes', classes: 2 }, train: source, headEpochs: 1, blocks: 2, blockEpochs: 1,
      learningRate: lr, dropoutRate: 0, seed: 1,
      onStageEnd: (stage, model) => { stages.push(stage); after.push(snapshot(model)); },
    });
    expect(stages.map((s) => s.unfrozen)).toEqual([[], ['top'], ['top', 'block2']]);
    const [head, stage1, stage2] = after as [Map<string, Float32Array>, Map<string, Float32Array>, Map<string, Float32Array>];
    // Stage 0: every encoder weight, moving statistics included, is as pretrained.
    for (const name of before.keys()) expect(maxChange(before, head, name), name).toBe(0);
    expect(maxChange(head, stage1, 'finetune_dense/bias')).toBeGreaterThan(0);
    // Stage 1: the top block moves, the lower blocks (and their batch-norm statistics) do not.
    expect(maxChange(head, stage1, 'top_conv/kernel')).toBeGreaterThan(0);
    for (const name of ['block2_conv/kernel', 'block2_bn/moving_mean', 'block1_conv/bias', 'block1_bn/beta']) expect(maxChange(head, stage1, name), name).toBe(0);
    // Stage 2, a first Adam step: a bias moves by lr·scale·|g|/(|g|+eps), i.e. lr·scale where its gradient is not tiny.
    const step = (name: string) => maxChange(stage1, stage2, name);
    expect(step('finetune_dense/bias')).toBeCloseTo(lr, 5);
    expect(step('top_conv/bias')).toBeCloseTo(lr, 5);
    expect(step('block2_bn/beta')).toBeCloseTo(lr * 0.75, 5);
    expect(step('block2_conv/bias')).toBeLessThanOrEqual(lr * 0.75 * (1 + 1e-5));
    expect(step('block1_conv/kernel')).toBe(0);
    // All encoder layers are trainable again afterwards, batch normalisation back to its own call.
    const layers = encoderBlocks(model).flatMap((b) => b.layers);
    expect(layers.every((l) => l.trainable)).toBe(true);
    expect(layers.filter((l) => l.getClassName() === 'BatchNormalization').every((l) => !Object.hasOwn(l, 'call'))).toBe(true);
    pretrained.dispose();
  });

  it('should reach high accuracy on a trivially separable toy problem', async () => {
    const pretrained = tinyEncoder(11);
    const trainData = brightnessData(64, 7);
    const testData = brightnessData(32, 99);
    const source = inMemoryBatchSource({ images: trainData.images, imageShape: [SIZE, SIZE, 1], labels: trainData.labels, batchSize: 16, seed: 2 });
    const { model, stages } = await finetune({
      pretrained, head: { kind: 'classes', classes: 2 }, train: source, headEpochs: 30, blocks: 1, blockEpochs: 5, learningRate: 0.02, seed: 3,
    });
    expect(stages).toHaveLength(2);
    const predicted = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(testData.images, [32, SIZE, SIZE, 1])) as tf.Tensor2D, 1).dataSync());
    const accuracy = testData.classes.filter((c, i) => predicted[i] === c).length / testData.classes.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    pretrained.dispose();
  });

  it('should refuse more blocks than the encoder has', async () => {
    const pretrained = tinyEncoder(1);
    const data = brightnessData(4, 1);
    const source = inMemoryBatchSource({ images: data.images, imageShape: [SIZE, SIZE, 1], labels: data.labels });
    await expect(finetune({ pretrained, head: { kind: 'classes', classes: 2 }, train: source, blocks: 4 })).rejects.toThrow(/cannot unfreeze 4 blocks; the encoder has 3: top, block2, block1/);
    pretrained.dispose();
  });
});
