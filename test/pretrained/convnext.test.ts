import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { convNeXtShapeFromTensors, timmConvNeXt } from '../../src/pretrained/convnext.js';
import { readSafetensors } from '../../src/pretrained/safetensors.js';
import { loadTimmWeights } from '../../src/pretrained/timmWeights.js';
import { fixtureBytes } from './fixtures.js';

// Features against timm: encoders.test.ts. Here: shape inference, weight-mapping errors, serialization.

it('reads depths, widths and input channels from the weights', () => {
  const shape = convNeXtShapeFromTensors(readSafetensors(fixtureBytes('convnext_conv_mlp', 'model.safetensors'), 'm'), 'm');
  // make_fixtures.py: depths (1, 1, 2, 1), dims (8, 16, 24, 32), in_chans 1.
  expect(shape).toEqual({ depths: [1, 1, 2, 1], dims: [8, 16, 24, 32], inChans: 1 });
});

it('names every missing, unexpected and wrong-shaped tensor', () => {
  const tensors = readSafetensors(fixtureBytes('convnext_conv_mlp', 'model.safetensors'), 'model.safetensors');
  const model = timmConvNeXt({ ...convNeXtShapeFromTensors(tensors, 'x'), imageSize: 32 });
  const broken = new Map(tensors);
  broken.delete('head.norm.bias');
  broken.set('extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
  broken.set('stem.0.weight', { dtype: 'F32', shape: [8, 3, 4, 4], data: new Float32Array(8 * 48) });
  let error: unknown;
  try {
    loadTimmWeights(model, broken, 'model.safetensors');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  const message = (error as Error).message;
  expect(message).toMatch(/^model\.safetensors: /);
  expect(message).toContain("missing tensor 'head.norm.bias'");
  expect(message).toContain("unexpected tensor 'extra.weight'");
  expect(message).toContain("tensor 'stem.0.weight' has shape [8, 3, 4, 4], expected [8, 1, 4, 4]");
  model.dispose();
});

it('saves and reloads through tfjs serialization (LayerScale is registered)', async () => {
  const tensors = readSafetensors(fixtureBytes('convnext_conv_mlp', 'model.safetensors'), 'model.safetensors');
  const model = timmConvNeXt({ ...convNeXtShapeFromTensors(tensors, 'x'), imageSize: 32 });
  loadTimmWeights(model, tensors, 'model.safetensors');
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
  const x = tf.randomUniform([1, 32, 32, 1], 0, 1, 'float32', 3);
  const [a, b] = [model.predict(x), reloaded.predict(x)] as tf.Tensor[];
  expect(Array.from(b?.dataSync() ?? [])).toEqual(Array.from(a?.dataSync() ?? []));
  tf.dispose([x, a, b]);
  model.dispose();
  reloaded.dispose();
});
