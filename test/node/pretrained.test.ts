import * as tf from '@tensorflow/tfjs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadPretrainedEncoder } from '../../src/node/pretrained.js';
import { encoderReference, relativeError, TIMM_FIXTURES } from '../pretrained/fixtures.js';

const GREY = join(TIMM_FIXTURES, 'convnext_conv_mlp');
const COLOUR = join(TIMM_FIXTURES, 'convnext_linear_mlp');

/** Features of `model` for a batch, as a flat array. */
function features(model: tf.LayersModel, inputs: Float32Array, shape: [number, number, number, number]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(inputs, shape)) as tf.Tensor).dataSync() as Float32Array);
}

describe('loadPretrainedEncoder', () => {
  let scratch: string;
  beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'zoobot-pretrained-')); });
  afterAll(async () => rm(scratch, { recursive: true, force: true }));

  /** A hub folder in `scratch` holding the given files of a fixture (config.json possibly rewritten). */
  async function folder(name: string, from: string, files: string[], config?: (c: Record<string, unknown>) => void): Promise<string> {
    const dir = join(scratch, name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    for (const f of files) await copyFile(join(from, f), join(dir, f));
    if (config) {
      const c = JSON.parse(await readFile(join(from, 'config.json'), 'utf8')) as Record<string, unknown>;
      config(c);
      await writeFile(join(dir, 'config.json'), JSON.stringify(c));
    }
    return dir;
  }

  it("reproduces timm's features from a hub folder, greyscale from the stem weight (safetensors)", async () => {
    const ref = encoderReference('convnext_conv_mlp');
    const model = await loadPretrainedEncoder(GREY);
    expect(model.inputs[0]?.shape).toEqual([null, null, null, 1]); // config.json says 3 channels; the stem says 1
    expect(relativeError(features(model, ref.inputs, ref.inputShape), ref.features)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('falls back to pytorch_model.bin when there is no model.safetensors', async () => {
    const ref = encoderReference('convnext_conv_mlp');
    const dir = await folder('bin-only', GREY, ['config.json', 'pytorch_model.bin']);
    const model = await loadPretrainedEncoder(dir, { imageSize: 64 });
    expect(relativeError(features(model, ref.inputs, ref.inputShape), ref.features)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('turns a colour encoder greyscale: grey input equals the colour encoder on three equal channels', async () => {
    const colour = await loadPretrainedEncoder(COLOUR);
    const grey = await loadPretrainedEncoder(COLOUR, { inChans: 1 });
    expect(grey.inputs[0]?.shape).toEqual([null, null, null, 1]);
    const g = Float32Array.from({ length: 2 * 32 * 32 }, (_, i) => ((i * 37) % 101) / 100);
    const rgb = Float32Array.from({ length: 3 * g.length }, (_, i) => g[Math.floor(i / 3)] as number);
    const want = features(colour, rgb, [2, 32, 32, 3]);
    expect(relativeError(features(grey, g, [2, 32, 32, 1]), want)).toBeLessThan(1e-5);
    colour.dispose();
    grey.dispose();
  });

  it('names the file for a missing config, missing weights, an unknown architecture or a wrong num_features', async () => {
    const noConfig = await folder('no-config', GREY, ['model.safetensors']);
    await expect(loadPretrainedEncoder(noConfig)).rejects.toThrow(/no-config\/config\.json: missing/);
    const noWeights = await folder('no-weights', GREY, ['config.json']);
    await expect(loadPretrainedEncoder(noWeights)).rejects.toThrow(/no-weights: no weights: neither model\.safetensors nor pytorch_model\.bin/);
    const vit = await folder('vit', GREY, ['model.safetensors'], (c) => { c.architecture = 'vit_base_patch16_224'; });
    await expect(loadPretrainedEncoder(vit)).rejects.toThrow(DataError);
    await expect(loadPretrainedEncoder(vit)).rejects.toThrow(/vit\/config\.json: architecture 'vit_base_patch16_224' is not supported/);
    const wide = await folder('wide', GREY, ['model.safetensors'], (c) => { c.num_features = 640; });
    await expect(loadPretrainedEncoder(wide)).rejects.toThrow(/wide\/config\.json: num_features is 640 but the weights give 32/);
  });
});
