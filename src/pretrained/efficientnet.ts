/**
 * timm's EfficientNet (`efficientnet_b0` ... `b7`, Tan & Le 2019, PyTorch-padded; not the `tf_`
 * ports) as a tf.layers encoder named after timm's modules, so a timm state_dict loads by key
 * ({@link loadTimmWeights}). Built as timm builds it with `num_classes=0`: the output is the pooled
 * feature vector (1280 for B0).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../errors.js';
import { type TensorDict } from './tensors.js';
import { activation, apply, batchNorm, torchConv, type Sym } from './torchLayers.js';

/** Stride of each stage's first block in every EfficientNet B0-B7 (timm's `arch_def`). */
export const EFFICIENTNET_STAGE_STRIDES: readonly number[] = [1, 2, 2, 2, 1, 2, 1];

/** One block: depthwise-separable (`ds`, stage 0) or inverted residual (`ir`, MBConv). */
export interface EfficientNetBlock {
  readonly type: 'ds' | 'ir';
  readonly inChs: number;
  /** Channels of the depthwise conv: `inChs` for `ds`, `inChs * expansion` for `ir`. */
  readonly midChs: number;
  readonly outChs: number;
  readonly kernelSize: number;
  readonly stride: number;
  /** Squeeze-excite bottleneck channels. */
  readonly seChs: number;
}

/** Shape of a timm EfficientNet. */
export interface TimmEfficientNetOptions {
  readonly inChans: number;
  readonly stemChs: number;
  /** Blocks per stage, in order. */
  readonly stages: readonly (readonly EfficientNetBlock[])[];
  /** Channels of `conv_head`: the feature size. */
  readonly headChs: number;
  /** Input height and width; `null` (default) accepts any size. Zoobot uses 224. */
  readonly imageSize?: number | null;
}

const swish = (x: Sym, name: string): Sym => activation(x, name, 'swish');

/** Squeeze-excite: global pool, 1x1 conv + SiLU, 1x1 conv + sigmoid, channel gate. */
function squeezeExcite(x: Sym, name: string, channels: number, seChs: number): Sym {
  let s = apply(tf.layers.globalAveragePooling2d({ name: `${name}.pool` }), x);
  s = apply(tf.layers.reshape({ name: `${name}.reshape`, targetShape: [1, 1, channels] }), s);
  s = swish(torchConv(s, `${name}.conv_reduce`, { filters: seChs, kernelSize: 1, useBias: true }), `${name}.act1`);
  s = activation(torchConv(s, `${name}.conv_expand`, { filters: channels, kernelSize: 1, useBias: true }), `${name}.gate`, 'sigmoid');
  return apply(tf.layers.multiply({ name: `${name}.excite` }), [x, s]);
}

function block(x: Sym, name: string, b: EfficientNetBlock): Sym {
  let y = x;
  if (b.type === 'ir') y = swish(batchNorm(torchConv(y, `${name}.conv_pw`, { filters: b.midChs, kernelSize: 1 }), `${name}.bn1`), `${name}.act1`);
  const [dwBn, projection, projectionBn] = b.type === 'ir' ? ['bn2', 'conv_pwl', 'bn3'] : ['bn1', 'conv_pw', 'bn2'];
  y = swish(batchNorm(torchConv(y, `${name}.conv_dw`, { kernelSize: b.kernelSize, strides: b.stride }), `${name}.${dwBn}`), `${name}.act_dw`);
  y = squeezeExcite(y, `${name}.se`, b.midChs, b.seChs);
  y = batchNorm(torchConv(y, `${name}.${projection}`, { filters: b.outChs, kernelSize: 1 }), `${name}.${projectionBn}`);
  return b.stride === 1 && b.inChs === b.outChs ? apply(tf.layers.add({ name: `${name}.add` }), [y, x]) : y;
}

/**
 * Builds an untrained timm-compatible EfficientNet encoder. Drop-path is left out: it is the
 * identity at inference.
 *
 * @param options - Stem, blocks, head width and input channels ({@link efficientNetShapeFromTensors}).
 * @returns A model mapping `[batch, H, W, inChans]` images in [0, 1] to `[batch, headChs]` features.
 * @throws ConfigError when there are no blocks.
 */
export function timmEfficientNet(options: TimmEfficientNetOptions): tf.LayersModel {
  const { inChans, stemChs, stages, headChs, imageSize = null } = options;
  if (stages.length === 0 || stages.some((s) => s.length === 0)) throw new ConfigError('timmEfficientNet: every stage needs a block');
  const input = tf.input({ shape: [imageSize, imageSize, inChans], name: 'input' });
  let x = swish(batchNorm(torchConv(input, 'conv_stem', { filters: stemChs, kernelSize: 3, strides: 2 }), 'bn1'), 'act1');
  stages.forEach((blocks, s) => blocks.forEach((b, i) => { x = block(x, `blocks.${s}.${i}`, b); }));
  x = swish(batchNorm(torchConv(x, 'conv_head', { filters: headChs, kernelSize: 1 }), 'bn2'), 'act2');
  const features = apply(tf.layers.globalAveragePooling2d({ name: 'global_pool' }), x);
  return tf.model({ inputs: input, outputs: features, name: 'efficientnet' });
}

/**
 * Reads an EfficientNet's blocks from its state_dict: widths and kernel sizes from the weights,
 * strides from {@link EFFICIENTNET_STAGE_STRIDES} (weights do not record them).
 *
 * @param tensors - A timm `efficientnet_b*` state_dict.
 * @param source - The weights file's name, for error messages.
 * @returns Options for {@link timmEfficientNet} (without `imageSize`).
 * @throws DataError naming `source` and the tensor when a needed weight is missing or there are not 7 stages.
 */
export function efficientNetShapeFromTensors(tensors: TensorDict, source: string): TimmEfficientNetOptions {
  const shape = (key: string): readonly number[] => {
    const t = tensors.get(key);
    if (t === undefined) throw new DataError(`tensor '${key}' is missing: not a timm EfficientNet`, { file: source });
    return t.shape;
  };
  const counts = new Map<number, number>();
  for (const key of tensors.keys()) {
    const m = /^blocks\.(\d+)\.(\d+)\./.exec(key);
    if (m) counts.set(Number(m[1]), Math.max(counts.get(Number(m[1])) ?? 0, Number(m[2]) + 1));
  }
  if (counts.size !== EFFICIENTNET_STAGE_STRIDES.length) {
    throw new DataError(`found ${counts.size} 'blocks.<i>' stages, expected ${EFFICIENTNET_STAGE_STRIDES.length}`, { file: source });
  }
  const [stemChs, inChans] = shape('conv_stem.weight');
  let width = stemChs as number;
  const stages = EFFICIENTNET_STAGE_STRIDES.map((stride, s) => Array.from({ length: counts.get(s) ?? 0 }, (_, i) => {
    const name = `blocks.${s}.${i}`;
    const type = tensors.has(`${name}.conv_pwl.weight`) ? 'ir' : 'ds';
    const [midChs, , kernelSize] = shape(`${name}.conv_dw.weight`);
    const b: EfficientNetBlock = {
      type,
      inChs: width,
      midChs: midChs as number,
      outChs: shape(`${name}.${type === 'ir' ? 'conv_pwl' : 'conv_pw'}.weight`)[0] as number,
      kernelSize: kernelSize as number,
      stride: i === 0 ? stride : 1,
      seChs: shape(`${name}.se.conv_reduce.weight`)[0] as number,
    };
    width = b.outChs;
    return b;
  }));
  return { inChans: inChans as number, stemChs: stemChs as number, stages, headChs: shape('conv_head.weight')[0] as number };
}
