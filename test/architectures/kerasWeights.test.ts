import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BlockArgs, efficientNet, loadKerasWeights, vggW20, zoobotModel,
} from '../../src/architectures/index.js';
import { kerasSnakeCase } from '../../src/architectures/kerasWeights.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { ShapeError } from '../../src/errors.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

type Layout = 'keras3' | 'keras2';
interface FakeWeight { layer: string; path: string; name: string; shape: number[]; values: Float32Array }

/** Keras 3 group names of the weighted layer classes used here (keras/src/utils/naming.py to_snake_case). */
const KERAS3_GROUP: Record<string, string> = {
  Conv2D: 'conv2d', BatchNormalization: 'batch_normalization', DepthwiseConv2D: 'depthwise_conv2d', Dense: 'dense',
};

/**
 * Deterministic distinct values per weight. `path` is where Keras 3 would store the layer: its snake-cased
 * class with a per-container counter (checked against a real Keras file in the fixture tests below).
 */
function fakeWeights(model: tf.LayersModel): FakeWeight[] {
  const out: FakeWeight[] = [];
  const visit = (m: tf.LayersModel, prefix: string): void => {
    const seen: Record<string, number> = {};
    for (const layer of m.layers) {
      const cls = layer instanceof tf.LayersModel ? 'functional' : (KERAS3_GROUP[layer.getClassName()] ?? layer.getClassName());
      const n = (seen[cls] = (seen[cls] ?? -1) + 1);
      const path = `${prefix}${n === 0 ? cls : `${cls}_${n}`}`;
      if (layer instanceof tf.LayersModel) visit(layer, `${path}/layers/`);
      else layer.weights.forEach((w) => {
        const shape = w.shape as number[]; // layer weights always have concrete shapes
        const size = shape.reduce((a, b) => a * b, 1);
        const values = Float32Array.from({ length: size }, (_, i) => Math.sin(out.length * 1000 + i));
        out.push({ layer: layer.name, path, name: w.originalName.split('/').pop()!, shape: [...shape], values });
      });
    }
  };
  visit(model, '');
  return out;
}

let counter = 0;
/** Writes an HDF5 file in Keras 3 (`layers/<name>/vars/<i>`) or Keras 2 (`layer_names`/`weight_names`) layout. */
async function writeH5(weights: FakeWeight[], layout: Layout): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const path = `/test-${(counter += 1)}.h5`;
  const file = new h5wasm.File(path, 'w');
  const layers = [...new Set(weights.map((w) => w.layer))];
  if (layout === 'keras3') {
    const groups = new Set<string>();
    const ensure = (path: string): InstanceType<typeof h5wasm.Group> => {
      let at = '';
      for (const part of path.split('/')) {
        at = at === '' ? part : `${at}/${part}`;
        if (!groups.has(at)) {
          file.create_group(at);
          groups.add(at);
        }
      }
      return file.get(path) as InstanceType<typeof h5wasm.Group>;
    };
    const index: Record<string, number> = {};
    for (const w of weights) {
      const i = (index[w.path] = (index[w.path] ?? -1) + 1);
      ensure(`layers/${w.path}/vars`).create_dataset({ name: String(i), data: w.values, shape: w.shape, dtype: '<f4' });
    }
  } else {
    file.create_attribute('layer_names', layers);
    for (const layer of layers) {
      const g = file.create_group(layer);
      const mine = weights.filter((w) => w.layer === layer);
      g.create_attribute('weight_names', mine.map((w) => `${layer}/${w.name}:0`));
      g.create_group(layer);
      for (const w of mine) (file.get(`${layer}/${layer}`) as InstanceType<typeof h5wasm.Group>).create_dataset({ name: `${w.name}:0`, data: w.values, shape: w.shape, dtype: '<f4' });
    }
  }
  file.close();
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}

function expectLoaded(model: tf.LayersModel, weights: FakeWeight[]): void {
  const byLayer = new Map<string, tf.layers.Layer>();
  const visit = (m: tf.LayersModel): void => m.layers.forEach((l) => (l instanceof tf.LayersModel ? visit(l) : byLayer.set(l.name, l)));
  visit(model);
  const seen = new Map<string, number>();
  for (const w of weights) {
    const i = seen.get(w.layer) ?? 0;
    seen.set(w.layer, i + 1);
    const actual = byLayer.get(w.layer)!.getWeights()[i]!;
    expect(actual.shape).toEqual(w.shape);
    const data = actual.dataSync();
    const firstMismatch = w.values.findIndex((v, k) => v !== data[k]);
    expect(firstMismatch, `${w.layer}/${w.name}`).toBe(-1);
  }
}

describe('loadKerasWeights', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  for (const layout of ['keras3', 'keras2'] as const) {
    it(`loads a ${layout} file (VGG)`, async () => {
      const model = vggW20({ inputShape: [32, 32, 1] });
      const weights = fakeWeights(model);
      const loaded = await loadKerasWeights(model, await writeH5(weights, layout));
      expect(loaded).toContain('block1_conv1');
      expectLoaded(model, weights);
    });

    it(`loads a ${layout} file into a nested EfficientNet (batch-norm order, depthwise kernels)`, async () => {
      const model = zoobotModel({ schema: decalsDr5Schema, inputShape: [32, 32, 1] });
      const weights = fakeWeights(model);
      await loadKerasWeights(model, await writeH5(weights, layout));
      expectLoaded(model, weights);
    });
  }

  it('names missing weights and loads nothing', async () => {
    const model = vggW20({ inputShape: [32, 32, 1] });
    const before = model.getLayer('fc1').getWeights()[0]!.dataSync().slice();
    const weights = fakeWeights(model).filter((w) => w.layer !== 'block2_conv1');
    await expect(loadKerasWeights(model, await writeH5(weights, 'keras3'))).rejects.toThrow(/missing: block2_conv1 \[conv2d_2\]\/kernel, block2_conv1 \[conv2d_2\]\/bias/);
    expect(Array.from(model.getLayer('fc1').getWeights()[0]!.dataSync())).toEqual(Array.from(before));
  });

  it('names wrongly shaped weights with both shapes', async () => {
    const model = vggW20({ inputShape: [32, 32, 1] });
    const weights = fakeWeights(model).map((w) => (w.layer === 'predictions' && w.name === 'kernel'
      ? { ...w, shape: [128, 2], values: new Float32Array(256) } : w));
    const error = await loadKerasWeights(model, await writeH5(weights, 'keras3')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toMatch(/predictions \[dense_1\]\/kernel: file \[128, 2\], model \[128, 1\]/);
  });

  it('lists unexpected layers unless allowed', async () => {
    const model = vggW20({ inputShape: [32, 32, 1], includeTop: false });
    const weights = [...fakeWeights(model), { layer: 'extra', path: 'dense', name: 'kernel', shape: [128, 3], values: new Float32Array(384) }];
    const bytes = await writeH5(weights, 'keras3');
    await expect(loadKerasWeights(model, bytes)).rejects.toThrow(/unexpected layers: dense/);
    await expect(loadKerasWeights(model, bytes, { allowUnexpected: true })).resolves.toContain('block4_conv1');
  });
});

/** The tiny EfficientNet of fixtures/make_keras_fixture.py, built by zoobot-ts. */
const TINY_BLOCKS: BlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
];

describe('kerasSnakeCase', () => {
  it('should name groups as Keras does', () => {
    const keras: Record<string, string> = {
      ...KERAS3_GROUP, GlobalAveragePooling2D: 'global_average_pooling2d', ZeroPadding2D: 'zero_padding2d',
      InputLayer: 'input_layer', PReLU: 'p_re_lu', LayerNormalization: 'layer_normalization', Conv2DTranspose: 'conv2d_transpose',
    };
    for (const [cls, name] of Object.entries(keras)) expect(kerasSnakeCase(cls)).toBe(name);
  });
});

describe('loadKerasWeights against files written by Keras 3.15', () => {
  const reference = JSON.parse(readFileSync(join(fixtures, 'keras_tiny.json'), 'utf8')) as { params: number; x: number[]; y: number[]; shape: number[] };

  for (const file of ['keras_tiny.weights.h5', 'keras_tiny.h5']) {
    it(`reproduces Keras's predictions after loading ${file}`, async () => {
      const model = efficientNet({ inputShape: [32, 32, 1], widthCoefficient: 0.25, blocksArgs: TINY_BLOCKS, pooling: 'avg' });
      // Keras's count includes its Normalization layer: mean, variance and count of one channel.
      expect(model.countParams()).toBe(reference.params - 3);
      const bytes = readFileSync(join(fixtures, file));
      await expect(loadKerasWeights(model, bytes)).rejects.toThrow(/unexpected layers: normalization/);
      await loadKerasWeights(model, bytes, { allowUnexpected: true });
      const y = tf.tidy(() => (model.predict(tf.div(tf.tensor4d(reference.x, [2, 32, 32, 1]), 255)) as tf.Tensor).dataSync());
      expect(y.length).toBe(reference.y.length);
      // float32 through ~20 layers: relative 1e-4 (plus 1e-5 absolute near zero).
      reference.y.forEach((v, i) => expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(1e-4 * Math.abs(v) + 1e-5));
    });
  }
});
