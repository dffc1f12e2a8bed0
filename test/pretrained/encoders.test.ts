import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { parseTimmConfig, timmEncoder } from '../../src/pretrained/encoder.js';
import { resNetShapeFromTensors } from '../../src/pretrained/resnet.js';
import { readSafetensors } from '../../src/pretrained/safetensors.js';
import { readTorchZip } from '../../src/pretrained/torchZip.js';
import { describeBackends } from '../helpers/backends.js';
import { encoderReference, fixtureBytes, relativeError } from './fixtures.js';

/** Fixture folders made by make_fixtures.py with timm's own classes, every parameter and buffer randomised. */
const FOLDERS = ['convnext_conv_mlp', 'convnext_linear_mlp', 'resnet_basic', 'resnet_bottleneck', 'efficientnet_b0'] as const;
const FILES = [
  ['model.safetensors', readSafetensors],
  ['pytorch_model.bin', readTorchZip],
] as const;

describeBackends('timm encoders', () => {
  for (const folder of FOLDERS) {
    for (const [file, read] of FILES) {
      it(`reproduces timm's pooled features within 1e-5 relative: ${folder}/${file}`, () => {
        const config = parseTimmConfig(new TextDecoder().decode(fixtureBytes(folder, 'config.json')), 'config.json');
        const ref = encoderReference(folder);
        const model = timmEncoder(config, read(fixtureBytes(folder, file), file), { config: 'config.json', weights: file }, {
          imageSize: ref.inputShape[1],
        });
        const before = tf.memory().numTensors;
        const out = tf.tidy(() => model.predict(tf.tensor4d(ref.inputs, ref.inputShape)) as tf.Tensor);
        expect(out.shape).toEqual(ref.featureShape);
        expect(relativeError(out.dataSync(), ref.features)).toBeLessThan(1e-5);
        out.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }
});

it('reads a ResNet\'s depths, widths, block type and input channels from the weights', () => {
  const read = (folder: string) => resNetShapeFromTensors(readSafetensors(fixtureBytes(folder, 'model.safetensors'), 'm'), 'm');
  // make_fixtures.py: resnet18 with layers (2, 1, 1, 1), channels (8, 16, 24, 32), in_chans 1;
  // resnet50 with layers (1, 1, 1, 1), channels (4, 8, 12, 16), in_chans 3; the plain stem is always 64 wide.
  expect(read('resnet_basic')).toEqual({ layers: [2, 1, 1, 1], channels: [8, 16, 24, 32], stemWidth: 64, block: 'basic', inChans: 1 });
  expect(read('resnet_bottleneck')).toEqual({ layers: [1, 1, 1, 1], channels: [4, 8, 12, 16], stemWidth: 64, block: 'bottleneck', inChans: 3 });
});
