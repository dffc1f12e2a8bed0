/**
 * timm's ResNet (He et al. 2016; timm's default "b" variant: 7x7 stem, stride on the 3x3 conv) as a
 * tf.layers encoder named after timm's modules, so a timm state_dict loads by key
 * ({@link loadTimmWeights}). Built as timm builds it with `num_classes=0`: the output is the pooled
 * feature vector.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../errors.js';
import { type TensorDict } from './tensors.js';
import { activation, apply, batchNorm, symmetricPad, torchConv, type Sym } from './torchLayers.js';

/** Shape of a timm ResNet. */
export interface TimmResNetOptions {
  /** Blocks per stage, e.g. `[2, 2, 2, 2]` for resnet18, `[3, 4, 6, 3]` for resnet50. */
  readonly layers: readonly number[];
  /** Base channels per stage (`[64, 128, 256, 512]`); bottleneck stages output 4x as many. */
  readonly channels: readonly number[];
  /** Output channels of the stem convolution (64). */
  readonly stemWidth: number;
  /** Basic blocks (resnet18/34) or bottlenecks (resnet50 and up). */
  readonly block: 'basic' | 'bottleneck';
  /** Input channels (1 for Zoobot's greyscale encoders). */
  readonly inChans: number;
  /** Input height and width; `null` (default) accepts any size. Zoobot uses 224. */
  readonly imageSize?: number | null;
}

const conv = (x: Sym, name: string, filters: number, kernelSize: number, strides: number): Sym =>
  torchConv(x, name, { filters, kernelSize, strides });
const relu = (x: Sym, name: string): Sym => activation(x, name, 'relu');

/**
 * Builds an untrained timm-compatible ResNet encoder (BasicBlock or Bottleneck, projection
 * shortcut `downsample` where the stride or width changes). Drop-path and drop-block are left out:
 * they are the identity at inference.
 *
 * @param options - Depths, widths, block type and input channels.
 * @returns A model mapping `[batch, H, W, inChans]` images in [0, 1] to `[batch, channels.at(-1) * expansion]` features.
 * @throws ConfigError when layers and channels disagree in length or hold non-positive values.
 * @example
 * ```ts
 * const resnet50 = timmResNet({ layers: [3, 4, 6, 3], channels: [64, 128, 256, 512], stemWidth: 64, block: 'bottleneck', inChans: 1 });
 * ```
 */
export function timmResNet(options: TimmResNetOptions): tf.LayersModel {
  const { layers, channels, stemWidth, block, inChans, imageSize = null } = options;
  const positive = (xs: readonly number[]): boolean => xs.every((v) => Number.isInteger(v) && v > 0);
  if (layers.length === 0 || layers.length !== channels.length || !positive(layers) || !positive(channels) || !positive([stemWidth, inChans])) {
    throw new ConfigError(`timmResNet: bad shape layers=${JSON.stringify(layers)} channels=${JSON.stringify(channels)}`);
  }
  const expansion = block === 'bottleneck' ? 4 : 1;
  const input = tf.input({ shape: [imageSize, imageSize, inChans], name: 'input' });
  let x = relu(batchNorm(conv(input, 'conv1', stemWidth, 7, 2), 'bn1'), 'act1');
  // Max pooling pads with -inf in PyTorch; after the ReLU every value is >= 0, so zeros are equivalent.
  x = apply(tf.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }), symmetricPad(x, 'maxpool', 1));
  let width = stemWidth;
  channels.forEach((planes, stage) => {
    for (let b = 0; b < (layers[stage] as number); b++) {
      const name = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const out = planes * expansion;
      let y: Sym;
      if (block === 'basic') {
        y = relu(batchNorm(conv(x, `${name}.conv1`, planes, 3, stride), `${name}.bn1`), `${name}.act1`);
        y = batchNorm(conv(y, `${name}.conv2`, out, 3, 1), `${name}.bn2`);
      } else {
        y = relu(batchNorm(conv(x, `${name}.conv1`, planes, 1, 1), `${name}.bn1`), `${name}.act1`);
        y = relu(batchNorm(conv(y, `${name}.conv2`, planes, 3, stride), `${name}.bn2`), `${name}.act2`);
        y = batchNorm(conv(y, `${name}.conv3`, out, 1, 1), `${name}.bn3`);
      }
      const shortcut = stride !== 1 || width !== out
        ? batchNorm(conv(x, `${name}.downsample.0`, out, 1, stride), `${name}.downsample.1`)
        : x;
      x = relu(apply(tf.layers.add({ name: `${name}.add` }), [y, shortcut]), `${name}.act`);
      width = out;
    }
  });
  const features = apply(tf.layers.globalAveragePooling2d({ name: 'global_pool' }), x);
  return tf.model({ inputs: input, outputs: features, name: 'resnet' });
}

/**
 * Reads a ResNet's depths, widths, block type and input channels from its state_dict.
 *
 * @param tensors - A timm ResNet state_dict.
 * @param source - The weights file's name, for error messages.
 * @returns Options for {@link timmResNet} (without `imageSize`).
 * @throws DataError naming `source` when the stem or a stage's first block is missing.
 */
export function resNetShapeFromTensors(tensors: TensorDict, source: string): TimmResNetOptions {
  const stem = tensors.get('conv1.weight');
  if (stem === undefined || stem.shape.length !== 4) {
    throw new DataError(`tensor 'conv1.weight' is missing or not a 4-d conv weight: not a timm ResNet`, { file: source });
  }
  const blocks = new Map<number, number>();
  for (const key of tensors.keys()) {
    const m = /^layer(\d+)\.(\d+)\./.exec(key);
    if (m) blocks.set(Number(m[1]), Math.max(blocks.get(Number(m[1])) ?? 0, Number(m[2]) + 1));
  }
  const block = tensors.has('layer1.0.conv3.weight') ? 'bottleneck' : 'basic';
  const layers: number[] = [];
  const channels: number[] = [];
  for (let stage = 1; blocks.has(stage); stage++) {
    const key = `layer${stage}.0.conv1.weight`;
    const first = tensors.get(key);
    if (first === undefined) throw new DataError(`tensor '${key}' is missing`, { file: source });
    layers.push(blocks.get(stage) as number);
    channels.push(first.shape[0] as number);
  }
  if (layers.length === 0) throw new DataError(`no 'layer<i>.<j>' tensors: not a timm ResNet`, { file: source });
  return { layers, channels, stemWidth: stem.shape[0] as number, block, inChans: stem.shape[1] as number };
}
