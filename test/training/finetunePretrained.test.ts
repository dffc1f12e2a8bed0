// Finetuning the encoders of loadPretrainedEncoder (timm fixtures in the hub layout) with Zoobot's heads and recipe.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getSchema } from '../../src/decisionTree/index.js';
import { loadPretrainedEncoder } from '../../src/node/pretrained.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';
import { buildFinetuneModel, encoderBlocks, finetune, type FinetuneStage } from '../../src/training/finetune.js';
import { TIMM_FIXTURES } from '../pretrained/fixtures.js';
import { maxChange, snapshot } from '../helpers/weights.js';

/** Small, and divisible by the encoders' total stride of 32. */
const SIZE = 32;
const encoder = (folder: string) => loadPretrainedEncoder(join(TIMM_FIXTURES, folder), { imageSize: SIZE });

describe('finetuning pretrained timm encoders', () => {
  it('should group the encoders into the blocks Zoobot finetunes, top first, leaving no layer out', async () => {
    const schema = getSchema('decals-dr5');
    // Zoobot's tuneable blocks (zoobot/pytorch/training/finetune.py), reversed; plus `top` for timm's post-stage layers.
    const expected: Record<string, string[]> = {
      convnext_conv_mlp: ['top', 'stages.3', 'stages.2', 'stages.1', 'stages.0', 'stem'],
      resnet_basic: ['layer4', 'layer3', 'layer2', 'layer1', 'bn1', 'conv1'],
      efficientnet_b0: ['top', ...[6, 5, 4, 3, 2, 1, 0].map((i) => `blocks.${i}`), 'bn1', 'conv_stem'],
    };
    for (const [folder, names] of Object.entries(expected)) {
      const pretrained = await encoder(folder);
      const model = buildFinetuneModel(pretrained, { kind: 'tree', schema });
      const blocks = encoderBlocks(model);
      expect(blocks.map((b) => b.name), folder).toEqual(names);
      const grouped = blocks.flatMap((b) => b.layers.map((l) => l.name)).sort();
      expect(grouped, folder).toEqual(pretrained.layers.filter((l) => l.weights.length > 0).map((l) => l.name).sort());
      pretrained.dispose();
      model.getLayer('finetune_dense').dispose();
    }
  });

  it("should put Zoobot's heads on the pooled features: Dropout(0.5) -> Dense (-> Dirichlet for a tree)", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const pretrained = await encoder('convnext_conv_mlp');
    const schema = getSchema('decals-dr5');
    const tree = buildFinetuneModel(pretrained, { kind: 'tree', schema });
    const classes = buildFinetuneModel(pretrained, { kind: 'classes', classes: 3 });
    for (const model of [tree, classes]) {
      // The head reads the encoder's pooled features directly: no extra pooling layer.
      expect(model.getLayer('finetune_dropout').input).toBe(pretrained.outputs[0]);
      expect(model.getLayer('finetune_dropout').getConfig().rate).toBe(0.5);
    }
    expect(tree.getLayer('finetune_dense').getConfig()).toMatchObject({ units: schema.answerCount, activation: 'linear' });
    expect(tree.getLayer('finetune_dirichlet').getClassName()).toBe('DirichletHead');
    expect(classes.getLayer('finetune_dense').getConfig()).toMatchObject({ units: 3, activation: 'softmax' });
    const x = tf.randomUniform([2, SIZE, SIZE, 1], 0, 1, 'float32', 3);
    const concentrations = tf.tidy(() => (tree.predict(x) as tf.Tensor).dataSync());
    expect(concentrations).toHaveLength(2 * schema.answerCount);
    concentrations.forEach((c) => { expect(c).toBeGreaterThan(1); expect(c).toBeLessThan(101); });
    x.dispose();
    pretrained.dispose();
    tree.getLayer('finetune_dense').dispose();
    classes.getLayer('finetune_dense').dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('should keep the encoder frozen (batch-norm statistics included) while the head trains, then unfreeze from the top', async () => {
    const lr = 0.01;
    const pretrained = await encoder('resnet_basic');
    const n = 8;
    const images = new Float32Array(n * SIZE * SIZE);
    let s = 5;
    for (let i = 0; i < images.length; i += 1) images[i] = (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? [1, 0] : [0, 1]));
    // One batch per epoch and one epoch per stage: every stage is exactly one fresh AdamW step.
    const source = inMemoryBatchSource({ images, imageShape: [SIZE, SIZE, 1], labels, batchSize: n });
    const before = snapshot(pretrained);
    const after: Map<string, Float32Array>[] = [];
    const stages: FinetuneStage[] = [];
    const { model } = await finetune({
      pretrained, head: { kind: 'classes', classes: 2 }, train: source, headEpochs: 1, blocks: 2, blockEpochs: 1,
      learningRate: lr, dropoutRate: 0, seed: 1,
      onStageEnd: (stage, m) => { stages.push(stage); after.push(snapshot(m)); },
    });
    expect(stages.map((st) => st.unfrozen)).toEqual([[], ['layer4'], ['layer4', 'layer3']]);
    const [head, stage1, stage2] = after as [Map<string, Float32Array>, Map<string, Float32Array>, Map<string, Float32Array>];
    for (const name of before.keys()) expect(maxChange(before, head, name), name).toBe(0);
    expect(maxChange(head, stage1, 'finetune_dense/kernel')).toBeGreaterThan(0);
    expect(maxChange(head, stage1, 'layer4.0.conv2/kernel')).toBeGreaterThan(0);
    for (const name of ['layer3.0.conv1/kernel', 'layer3.0.bn1/moving_mean', 'layer1.0.bn2/moving_variance', 'bn1/gamma', 'conv1/kernel']) {
      expect(maxChange(head, stage1, name), name).toBe(0);
    }
    // A first Adam step moves a bias by lr·scale (its gradient is not tiny): 0.75 for the second block from the top.
    expect(maxChange(stage1, stage2, 'layer4.0.bn2/beta')).toBeCloseTo(lr, 5);
    expect(maxChange(stage1, stage2, 'layer3.0.bn2/beta')).toBeCloseTo(lr * 0.75, 5);
    expect(maxChange(stage1, stage2, 'layer2.0.conv1/kernel')).toBe(0);
    model.getLayer('finetune_dense').dispose();
    pretrained.dispose();
  });
});
