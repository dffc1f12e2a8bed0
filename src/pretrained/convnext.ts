/**
 * timm's ConvNeXt (Liu et al. 2022) as a tf.layers encoder, layer for layer, named after timm's
 * modules so a timm state_dict loads by key ({@link loadTimmWeights}). Built as timm builds it with
 * `num_classes=0`: the output is the pooled, layer-normed feature vector.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../errors.js';
import { LayerScale } from './layerScale.js';
import { type TensorDict } from './tensors.js';

/** timm's LayerNorm epsilon for ConvNeXt (channels-first and channels-last alike). */
const LN_EPS = 1e-6;

/** Shape of a timm ConvNeXt. */
export interface TimmConvNeXtOptions {
  /** Blocks per stage, e.g. `[2, 2, 8, 2]` for convnext_nano. */
  readonly depths: readonly number[];
  /** Channels per stage, e.g. `[80, 160, 320, 640]` for convnext_nano; the last is the feature size. */
  readonly dims: readonly number[];
  /** Input channels (1 for Zoobot's greyscale encoders). */
  readonly inChans: number;
  /** Input height and width; `null` (default) accepts any size. Zoobot uses 224. */
  readonly imageSize?: number | null;
}

/**
 * Builds an untrained timm-compatible ConvNeXt encoder.
 *
 * The stem is a 4x4 stride-4 conv and a channel LayerNorm; each later stage starts with LayerNorm +
 * 2x2 stride-2 conv; a block is depthwise 7x7 (symmetric padding 3, which is 'same' at stride 1),
 * LayerNorm, Linear(4C) + exact GELU + Linear(C) on channels (timm's 1x1 convs of nano and smaller
 * are the same map in NHWC), layer scale `gamma`, residual add. Stochastic depth is left out: it is
 * the identity at inference.
 *
 * @param options - Depths, widths and input channels.
 * @returns A model mapping `[batch, H, W, inChans]` images in [0, 1] to `[batch, dims.at(-1)]` features.
 * @throws ConfigError when depths and dims disagree in length or hold non-positive values.
 * @example
 * ```ts
 * const nano = timmConvNeXt({ depths: [2, 2, 8, 2], dims: [80, 160, 320, 640], inChans: 1, imageSize: 224 });
 * ```
 */
export function timmConvNeXt(options: TimmConvNeXtOptions): tf.LayersModel {
  const { depths, dims, inChans, imageSize = null } = options;
  const positive = (xs: readonly number[]): boolean => xs.every((x) => Number.isInteger(x) && x > 0);
  if (depths.length === 0 || depths.length !== dims.length || !positive(depths) || !positive(dims) || !positive([inChans])) {
    throw new ConfigError(`timmConvNeXt: bad shape depths=${JSON.stringify(depths)} dims=${JSON.stringify(dims)} inChans=${inChans}`);
  }
  const layerNorm = (name: string): tf.layers.Layer => tf.layers.layerNormalization({ name, axis: -1, epsilon: LN_EPS });
  const input = tf.input({ shape: [imageSize, imageSize, inChans], name: 'input' });
  let x = tf.layers.conv2d({ name: 'stem.0', filters: dims[0] as number, kernelSize: 4, strides: 4, padding: 'valid' }).apply(input);
  x = layerNorm('stem.1').apply(x);
  dims.forEach((dim, stage) => {
    const prefix = `stages.${stage}`;
    if (stage > 0) {
      x = layerNorm(`${prefix}.downsample.0`).apply(x);
      x = tf.layers.conv2d({ name: `${prefix}.downsample.1`, filters: dim, kernelSize: 2, strides: 2, padding: 'valid' }).apply(x);
    }
    for (let b = 0; b < (depths[stage] as number); b++) {
      const block = `${prefix}.blocks.${b}`;
      let y = tf.layers.depthwiseConv2d({ name: `${block}.conv_dw`, kernelSize: 7, padding: 'same' }).apply(x);
      y = layerNorm(`${block}.norm`).apply(y);
      y = tf.layers.dense({ name: `${block}.mlp.fc1`, units: 4 * dim, activation: 'gelu' }).apply(y);
      y = tf.layers.dense({ name: `${block}.mlp.fc2`, units: dim }).apply(y);
      y = new LayerScale({ name: `${block}.gamma` }).apply(y);
      x = tf.layers.add({ name: `${block}.add` }).apply([x as tf.SymbolicTensor, y as tf.SymbolicTensor]);
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'head.global_pool' }).apply(x);
  const features = layerNorm('head.norm').apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: features, name: 'convnext' });
}

/**
 * Reads a ConvNeXt's depths, widths and input channels from its state_dict, so reduced or
 * unlisted variants load without a table of names.
 *
 * @param tensors - A timm ConvNeXt state_dict.
 * @param source - The weights file's name, for error messages.
 * @returns Options for {@link timmConvNeXt} (without `imageSize`).
 * @throws DataError naming `source` when the stem or a stage's first block is missing.
 */
export function convNeXtShapeFromTensors(tensors: TensorDict, source: string): TimmConvNeXtOptions {
  const stem = tensors.get('stem.0.weight');
  if (stem === undefined || stem.shape.length !== 4) {
    throw new DataError(`tensor 'stem.0.weight' is missing or not a 4-d conv weight: not a timm ConvNeXt`, { file: source });
  }
  const blocks = new Map<number, number>();
  for (const key of tensors.keys()) {
    const m = /^stages\.(\d+)\.blocks\.(\d+)\./.exec(key);
    if (m) blocks.set(Number(m[1]), Math.max(blocks.get(Number(m[1])) ?? 0, Number(m[2]) + 1));
  }
  const depths: number[] = [];
  const dims: number[] = [];
  for (let stage = 0; blocks.has(stage); stage++) {
    const key = `stages.${stage}.blocks.0.conv_dw.weight`;
    const dw = tensors.get(key);
    if (dw === undefined) throw new DataError(`tensor '${key}' is missing`, { file: source });
    depths.push(blocks.get(stage) as number);
    dims.push(dw.shape[0] as number);
  }
  if (depths.length === 0) throw new DataError(`no 'stages.<i>.blocks.<j>' tensors: not a timm ConvNeXt`, { file: source });
  return { depths, dims, inChans: stem.shape[1] as number };
}
