/**
 * EfficientNet (Tan & Le 2019) built as Keras `keras.applications.efficientnet` builds it, with the same
 * layer names so that Keras-trained weights load by name. Keras's Rescaling/Normalization input layers are
 * left out: zoobot feeds floats in [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { dropConnect, mcDropout } from './layers/mcDropout.js';
import { seededInitializers, type SeededInitializers, type VarianceScalingConfig } from './initializers.js';

/** One stage of MBConv blocks, as in Keras's `DEFAULT_BLOCKS_ARGS`. */
export interface BlockArgs {
  readonly kernelSize: number;
  readonly repeats: number;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly expandRatio: number;
  readonly idSkip: boolean;
  readonly strides: number;
  readonly seRatio: number;
}

/** The seven EfficientNet-B0 stages (Tan & Le 2019, table 1). */
export const DEFAULT_BLOCKS_ARGS: readonly BlockArgs[] = Object.freeze([
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, idSkip: true, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, idSkip: true, strides: 1, seRatio: 0.25 },
].map((b) => Object.freeze(b)));

/** Width, depth and default resolution of B0-B7 (Keras `EfficientNetB*`). */
export const EFFICIENTNET_VARIANTS = Object.freeze({
  b0: { width: 1.0, depth: 1.0, resolution: 224 },
  b1: { width: 1.0, depth: 1.1, resolution: 240 },
  b2: { width: 1.1, depth: 1.2, resolution: 260 },
  b3: { width: 1.2, depth: 1.4, resolution: 300 },
  b4: { width: 1.4, depth: 1.8, resolution: 380 },
  b5: { width: 1.6, depth: 2.2, resolution: 456 },
  b6: { width: 1.8, depth: 2.6, resolution: 528 },
  b7: { width: 2.0, depth: 3.1, resolution: 600 },
} as const);

/** Name of an EfficientNet variant. */
export type EfficientNetVariant = keyof typeof EFFICIENTNET_VARIANTS;

/**
 * Scales a filter count by the width multiplier and rounds it to a multiple of `divisor`,
 * never going more than 10% below the scaled value (Keras `round_filters`).
 *
 * @param filters - Filter count of B0.
 * @param widthCoefficient - Width multiplier.
 * @param divisor - Rounding multiple. @defaultValue 8
 * @returns The rounded filter count.
 */
export function roundFilters(filters: number, widthCoefficient: number, divisor = 8): number {
  const scaled = filters * widthCoefficient;
  let rounded = Math.max(divisor, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

/**
 * Scales a stage's block count by the depth multiplier, rounding up (Keras `round_repeats`).
 *
 * @param repeats - Block count of B0.
 * @param depthCoefficient - Depth multiplier.
 * @returns The number of blocks.
 */
export function roundRepeats(repeats: number, depthCoefficient: number): number {
  return Math.ceil(depthCoefficient * repeats);
}

/** Options of {@link efficientNet} and {@link efficientNetB0}. */
export interface EfficientNetOptions {
  /** `[height, width, channels]`. @defaultValue `[224, 224, 1]` */
  readonly inputShape?: readonly [number, number, number];
  /** Add global pooling, top dropout (MC-capable) and a softmax `predictions` layer. @defaultValue false */
  readonly includeTop?: boolean;
  /** Units of the top layer when `includeTop`. @defaultValue 1000 */
  readonly classes?: number;
  /** Dropout before the top layer when `includeTop`. @defaultValue 0.2 */
  readonly dropoutRate?: number;
  /** Pooling without a top (ignored with a top): `'none'` keeps the `[h/32, w/32, 1280]` map. @defaultValue 'none' */
  readonly pooling?: 'none' | 'avg' | 'max';
  /** Width multiplier. @defaultValue 1 */
  readonly widthCoefficient?: number;
  /** Depth multiplier. @defaultValue 1 */
  readonly depthCoefficient?: number;
  /** Largest drop-connect rate, reached by the last block (scaled linearly from 0). @defaultValue 0.2 */
  readonly dropConnectRate?: number;
  /** Stage table. @defaultValue {@link DEFAULT_BLOCKS_ARGS} */
  readonly blocksArgs?: readonly BlockArgs[];
  /** Model name. @defaultValue 'efficientnet' */
  readonly name?: string;
  /**
   * Seed of the kernel initialisers (each layer its own derived seed, same distributions as unseeded) and of
   * the drop-connect and dropout noise (MC passes still differ; runs repeat). Unseeded without it.
   */
  readonly seed?: number;
}

const BN_ARGS = { axis: -1, momentum: 0.99, epsilon: 1e-3 } as const;
// Keras's CONV_KERNEL_INITIALIZER and DENSE_KERNEL_INITIALIZER.
const CONV_INIT: VarianceScalingConfig = { scale: 2, mode: 'fanOut', distribution: 'truncatedNormal' };
const DENSE_INIT: VarianceScalingConfig = { scale: 1 / 3, mode: 'fanOut', distribution: 'uniform' };

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** Keras `correct_pad`: the asymmetric zero padding that makes a strided 'valid' conv match TF's 'same'. */
function correctPad(x: Sym, kernelSize: number): [[number, number], [number, number]] {
  const [, h, w] = x.shape;
  const half = Math.floor(kernelSize / 2);
  const adjust = (n: number | null): number => (n === null ? 1 : 1 - (n % 2));
  return [[half - adjust(h ?? null), half], [half - adjust(w ?? null), half]];
}

function convBnAct(
  x: Sym, init: SeededInitializers, filters: number, name: string, activation: boolean, bnName = `${name.replace(/_conv$/, '')}_bn`,
): Sym {
  const kernelInitializer = init.varianceScaling(CONV_INIT);
  let y = apply(tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer, name }), x);
  y = apply(tf.layers.batchNormalization({ ...BN_ARGS, name: bnName }), y);
  return activation ? apply(tf.layers.activation({ activation: 'swish', name: `${name.replace(/_conv$/, '')}_activation` }), y) : y;
}

interface BlockSettings extends Omit<BlockArgs, 'repeats'> {
  readonly dropRate: number;
  readonly name: string;
  readonly seed?: number;
  readonly init: SeededInitializers;
}

/** One MBConv block (Keras `block`): expand, depthwise, squeeze-excite, project, drop-connect + add. */
function mbConvBlock(inputs: Sym, b: BlockSettings): Sym {
  const filters = b.filtersIn * b.expandRatio;
  let x = b.expandRatio !== 1 ? convBnAct(inputs, b.init, filters, `${b.name}expand_conv`, true) : inputs;
  let padding: 'same' | 'valid' = 'same';
  if (b.strides === 2) {
    x = apply(tf.layers.zeroPadding2d({ padding: correctPad(x, b.kernelSize), name: `${b.name}dwconv_pad` }), x);
    padding = 'valid';
  }
  x = apply(tf.layers.depthwiseConv2d({
    kernelSize: b.kernelSize, strides: b.strides, padding, useBias: false,
    depthwiseInitializer: b.init.varianceScaling(CONV_INIT), name: `${b.name}dwconv`,
  }), x);
  x = apply(tf.layers.batchNormalization({ ...BN_ARGS, name: `${b.name}bn` }), x);
  x = apply(tf.layers.activation({ activation: 'swish', name: `${b.name}activation` }), x);
  if (b.seRatio > 0 && b.seRatio <= 1) {
    const filtersSe = Math.max(1, Math.floor(b.filtersIn * b.seRatio));
    let se = apply(tf.layers.globalAveragePooling2d({ name: `${b.name}se_squeeze` }), x);
    se = apply(tf.layers.reshape({ targetShape: [1, 1, filters], name: `${b.name}se_reshape` }), se);
    se = apply(tf.layers.conv2d({
      filters: filtersSe, kernelSize: 1, padding: 'same', activation: 'swish',
      kernelInitializer: b.init.varianceScaling(CONV_INIT), name: `${b.name}se_reduce`,
    }), se);
    se = apply(tf.layers.conv2d({
      filters, kernelSize: 1, padding: 'same', activation: 'sigmoid',
      kernelInitializer: b.init.varianceScaling(CONV_INIT), name: `${b.name}se_expand`,
    }), se);
    x = apply(tf.layers.multiply({ name: `${b.name}se_excite` }), [x, se]);
  }
  x = convBnAct(x, b.init, b.filtersOut, `${b.name}project_conv`, false, `${b.name}project_bn`);
  if (b.idSkip && b.strides === 1 && b.filtersIn === b.filtersOut) {
    if (b.dropRate > 0) x = apply(dropConnect({ rate: b.dropRate, seed: b.seed ?? null, name: `${b.name}drop` }), x);
    x = apply(tf.layers.add({ name: `${b.name}add` }), [x, inputs]);
  }
  return x;
}

/**
 * Builds an EfficientNet with Keras's structure and layer names (`stem_conv`, `block1a_dwconv`, ...,
 * `top_conv`). B1-B7 follow from `widthCoefficient`/`depthCoefficient` (see {@link EFFICIENTNET_VARIANTS}).
 *
 * @param options - See {@link EfficientNetOptions}.
 * @returns A model from `[batch, h, w, c]` to `[batch, h/32, w/32, 1280·width]` (no pooling),
 *   `[batch, 1280·width]` (pooling) or `[batch, classes]` (top).
 * @example
 * ```ts
 * const b0 = efficientNet({ inputShape: [224, 224, 1] }); // 4,048,988 parameters
 * ```
 */
export function efficientNet(options: EfficientNetOptions = {}): tf.LayersModel {
  const {
    inputShape = [224, 224, 1], includeTop = false, classes = 1000, dropoutRate = 0.2, pooling = 'none',
    widthCoefficient = 1, depthCoefficient = 1, dropConnectRate = 0.2, blocksArgs = DEFAULT_BLOCKS_ARGS,
    name = 'efficientnet', seed,
  } = options;
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ConfigError(`efficientNet: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (!(widthCoefficient > 0 && depthCoefficient > 0)) {
    throw new ConfigError(`efficientNet: width and depth coefficients must be > 0, got ${widthCoefficient}, ${depthCoefficient}`);
  }
  if (!(dropConnectRate >= 0 && dropConnectRate < 1)) {
    throw new ConfigError(`efficientNet: dropConnectRate must be in [0, 1), got ${dropConnectRate}`);
  }
  const filtersOf = (f: number): number => roundFilters(f, widthCoefficient);
  // Scope fixed (not the model name) so B0 built under any name gets the same weights from a seed.
  const init = seededInitializers(seed, 'efficientnet');
  const input = tf.input({ shape: [...inputShape], name: 'input_layer' });

  let x = apply(tf.layers.zeroPadding2d({ padding: correctPad(input, 3), name: 'stem_conv_pad' }), input);
  x = apply(tf.layers.conv2d({
    filters: filtersOf(32), kernelSize: 3, strides: 2, padding: 'valid', useBias: false,
    kernelInitializer: init.varianceScaling(CONV_INIT), name: 'stem_conv',
  }), x);
  x = apply(tf.layers.batchNormalization({ ...BN_ARGS, name: 'stem_bn' }), x);
  x = apply(tf.layers.activation({ activation: 'swish', name: 'stem_activation' }), x);

  const totalBlocks = blocksArgs.reduce((n, a) => n + roundRepeats(a.repeats, depthCoefficient), 0);
  let blockIndex = 0;
  blocksArgs.forEach((stage, i) => {
    const repeats = roundRepeats(stage.repeats, depthCoefficient);
    for (let j = 0; j < repeats; j += 1) {
      x = mbConvBlock(x, {
        ...stage,
        filtersIn: j === 0 ? filtersOf(stage.filtersIn) : filtersOf(stage.filtersOut),
        filtersOut: filtersOf(stage.filtersOut),
        strides: j === 0 ? stage.strides : 1,
        dropRate: (dropConnectRate * blockIndex) / totalBlocks,
        name: `block${i + 1}${String.fromCharCode(97 + j)}_`,
        init,
        ...(seed !== undefined ? { seed: seed + blockIndex } : {}),
      });
      blockIndex += 1;
    }
  });

  x = convBnAct(x, init, filtersOf(1280), 'top_conv', true);
  if (includeTop) {
    x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    if (dropoutRate > 0) x = apply(mcDropout({ rate: dropoutRate, seed: seed ?? null, name: 'top_dropout' }), x);
    x = apply(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init.varianceScaling(DENSE_INIT), name: 'predictions' }), x);
  } else if (pooling === 'avg') {
    x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  } else if (pooling === 'max') {
    x = apply(tf.layers.globalMaxPooling2d({ name: 'max_pool' }), x);
  }
  return tf.model({ inputs: input, outputs: x, name });
}

/**
 * EfficientNet-B0 (greyscale 224x224 by default). With `[224, 224, 1]` and no top it has
 * 4,048,988 parameters, Keras's figure.
 *
 * @param options - See {@link EfficientNetOptions}; width and depth are fixed at 1.
 * @returns The model; see {@link efficientNet}.
 */
export function efficientNetB0(options: Omit<EfficientNetOptions, 'widthCoefficient' | 'depthCoefficient'> = {}): tf.LayersModel {
  return efficientNet({ name: 'efficientnetb0', ...options, widthCoefficient: 1, depthCoefficient: 1 });
}

/**
 * Any of EfficientNet-B0 to B7 by name, with Keras's width and depth multipliers.
 *
 * @param variant - `'b0'` ... `'b7'`.
 * @param options - See {@link EfficientNetOptions}; the input defaults to the variant's resolution, 1 channel.
 * @returns The model; see {@link efficientNet}.
 */
export function efficientNetVariant(
  variant: EfficientNetVariant,
  options: Omit<EfficientNetOptions, 'widthCoefficient' | 'depthCoefficient'> = {},
): tf.LayersModel {
  const v = EFFICIENTNET_VARIANTS[variant];
  if (v === undefined) {
    throw new ConfigError(`efficientNetVariant: unknown variant "${String(variant)}". Should be one of: ${Object.keys(EFFICIENTNET_VARIANTS).join(', ')}`);
  }
  return efficientNet({
    name: `efficientnet${variant}`, inputShape: [v.resolution, v.resolution, 1], ...options,
    widthCoefficient: v.width, depthCoefficient: v.depth,
  });
}
