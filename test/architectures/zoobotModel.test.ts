import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DropConnect, McDropout, loadZoobotModel, modelSchema, predictMC, saveZoobotModel, setMcMode, zoobotModel,
} from '../../src/architectures/index.js';
import { decalsDr5Schema, defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError, SchemaError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';

const ANSWERS = decalsDr5Schema.answerCount; // 34
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** Saves into memory through saveZoobotModel and returns the artifacts. */
async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await saveZoobotModel(model, tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

describe('zoobotModel structure', () => {
  it('adds exactly 1280·34 + 34 = 43,554 parameters to EfficientNetB0 (224x224x1)', () => {
    const model = zoobotModel({ schema: decalsDr5Schema });
    expect(model.countParams()).toBe(4_048_988 + 1280 * ANSWERS + ANSWERS);
    expect(model.countParams() - 4_048_988).toBe(43_554);
    expect(modelSchema(model)).toBe(decalsDr5Schema);
    expect(model.getLayer('top_dropout')).toBeInstanceOf(McDropout);
    expect(model.getLayer('top_dropout').getConfig().rate).toBe(0.2);
  });

  it('builds the W+20 VGG with a binomial head and one output', () => {
    const rings = defineSchema({ ring: ['_yes', '_no'] }, { ring: null });
    const model = zoobotModel({ schema: rings, architecture: 'vgg', head: 'binomial' });
    expect(model.countParams()).toBe(1_335_265);
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    expect(() => zoobotModel({ schema: decalsDr5Schema, head: 'binomial' })).toThrow(ConfigError);
  });

  it('puts the augmentation stack in front and crops to cropSize', () => {
    const model = zoobotModel({ schema: decalsDr5Schema, inputShape: [40, 40, 1], augmentation: 'zoobot2021', cropSize: 32 });
    expect(model.inputs[0]!.shape).toEqual([null, 40, 40, 1]);
    expect((model.getLayer('efficientnetb0') as tf.LayersModel).inputs[0]!.shape).toEqual([null, 32, 32, 1]);
  });

  it('rejects unknown architectures', () => {
    expect(() => zoobotModel({ schema: decalsDr5Schema, architecture: 'resnet' as 'vgg' })).toThrow(/efficientnetb0, vgg/);
  });
});

describe('zoobotModel prediction and MC dropout [wasm]', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await useBackend('wasm');
    model = zoobotModel({ schema: decalsDr5Schema, inputShape: [32, 32, 1], seed: 7 });
    // Spread the head's weights so that dropout visibly changes the concentrations.
    const dense = model.getLayer('predictions');
    dense.setWeights([tf.randomNormal(dense.getWeights()[0]!.shape, 0, 3, 'float32', 1), tf.zeros([ANSWERS])]);
    x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 2);
  });

  it('gives concentrations in (1, 101), deterministic at inference', () => {
    tf.tidy(() => {
      const a = model.predict(x) as tf.Tensor;
      const b = model.predict(x) as tf.Tensor;
      expect(a.shape).toEqual([2, ANSWERS]);
      for (const v of a.dataSync()) expect(v > 1 && v < 101).toBe(true);
      expect(maxAbsDiff(a, b)).toBe(0);
    });
  });

  it('predictMC returns [passes, batch, answers] with passes that differ, then restores inference mode', () => {
    tf.tidy(() => {
      const mc = predictMC(model, x, 3);
      expect(mc.shape).toEqual([3, 2, ANSWERS]);
      const [p0, p1] = tf.unstack(mc);
      expect(maxAbsDiff(p0!, p1!)).toBeGreaterThan(0);
      for (const v of mc.dataSync()) expect(v > 1 && v < 101).toBe(true);
      expect(maxAbsDiff(model.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    });
  });

  it('setMcMode switches dropout and drop-connect (nested) and reports the previous mode', () => {
    const previous = setMcMode(model, { dropout: true });
    expect(previous.dropout).toBe(false);
    const nested = (model.getLayer('efficientnetb0') as tf.LayersModel).getLayer('block2b_drop');
    expect(nested).toBeInstanceOf(DropConnect);
    expect((nested as DropConnect).mcActive).toBe(true);
    expect(setMcMode(model, previous).dropout).toBe(true);
    expect((nested as DropConnect).mcActive).toBe(false);
  });

  it('head-only MC samples the top dropout over one trunk pass', () => {
    tf.tidy(() => {
      const head = predictMC(model, x, 4, { mode: 'head' });
      expect(head.shape).toEqual([4, 2, ANSWERS]);
      const [p0, p1] = tf.unstack(head);
      expect(maxAbsDiff(p0!, p1!)).toBeGreaterThan(0);
      for (const v of head.dataSync()) expect(v > 1 && v < 101).toBe(true);
    });
  });

  it('does not leak tensors across predict and predictMC calls', () => {
    const run = (): void => {
      (model.predict(x) as tf.Tensor).dispose();
      predictMC(model, x, 2).dispose();
      predictMC(model, x, 2, { mode: 'head' }).dispose();
    };
    run(); // first calls may cache kernels or weights
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad pass counts, and head-only mode without an MC dropout layer', () => {
    expect(() => predictMC(model, x, 0)).toThrow(ConfigError);
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })], name: 'plain' });
    expect(() => predictMC(plain, tf.ones([1, 3]), 2, { mode: 'head' })).toThrow(/'plain' has no McDropout/);
  });

  it('round-trips through save/load with identical predictions and its schema', async () => {
    const artifacts = await saveToMemory(model);
    const { model: loaded, schema } = await loadZoobotModel(tf.io.fromMemory(artifacts));
    expect(schema.toJSON()).toEqual(decalsDr5Schema.toJSON());
    expect(modelSchema(loaded)?.labelColumns).toEqual(decalsDr5Schema.labelColumns);
    tf.tidy(() => {
      expect(maxAbsDiff(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)).toBe(0);
    });
    // MC still works after reloading: the custom layers came back as themselves.
    tf.tidy(() => {
      const [p0, p1] = tf.unstack(predictMC(loaded, x, 2));
      expect(maxAbsDiff(p0!, p1!)).toBeGreaterThan(0);
    });
    loaded.dispose();
  });

  it('round-trips a model with augmentation layers', async () => {
    const aug = zoobotModel({ schema: decalsDr5Schema, inputShape: [36, 36, 1], augmentation: 'zoobot2022', cropSize: 32, seed: 1 });
    const artifacts = await saveToMemory(aug);
    const { model: loaded } = await loadZoobotModel(tf.io.fromMemory(artifacts));
    const big = tf.randomUniform([1, 36, 36, 1], 0, 1, 'float32', 3);
    tf.tidy(() => {
      expect(maxAbsDiff(aug.predict(big) as tf.Tensor, loaded.predict(big) as tf.Tensor)).toBe(0);
    });
    big.dispose();
    aug.dispose();
    loaded.dispose();
  });

  it('refuses to load a model saved without a schema', async () => {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    await expect(loadZoobotModel(tf.io.fromMemory(saved!))).rejects.toThrow(SchemaError);
  });
});
