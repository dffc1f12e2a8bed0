/** Zoobot's model: optional augmentation, a base network, pooling, top dropout and a Dirichlet head. */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import type { Schema } from '../decisionTree/index.js';
import { efficientNet } from './efficientNet.js';
import { vggHiddenTop, vggW20 } from './vgg.js';
import { smallConvNet } from './smallConvNet.js';
import { DirichletHead } from './layers/dirichletHead.js';
import { mcDropout } from './layers/mcDropout.js';
import { augmentationLayers, type AugmentationPreset } from './layers/augmentation/presets.js';
import { seededInitializers } from './initializers.js';
import { fuseLayers } from './fusedLayers.js';

/** Base networks of {@link zoobotModel}. */
export const ZOOBOT_ARCHITECTURES = ['efficientnetb0', 'vgg', 'small'] as const;
/** A base network name. */
export type ZoobotArchitecture = (typeof ZOOBOT_ARCHITECTURES)[number];

/** Options of {@link zoobotModel}. */
export interface ZoobotModelOptions {
  /** The decision tree; the Dirichlet head has one unit per answer. */
  readonly schema: Schema;
  /** @defaultValue 'efficientnetb0' */
  readonly architecture?: ZoobotArchitecture;
  /** Input `[h, w, c]` (before augmentation). @defaultValue `[224, 224, 1]` (EfficientNet), `[128, 128, 1]` (VGG) */
  readonly inputShape?: readonly [number, number, number];
  /** Augmentation stack put in front of the network (identity at prediction except for crops). */
  readonly augmentation?: AugmentationPreset;
  /** Side length after augmentation crops. @defaultValue 224 */
  readonly cropSize?: number;
  /** Dropout before the head (EfficientNet 0.2, VGG 0.5 as in W+20). */
  readonly dropoutRate?: number;
  /** EfficientNet drop-connect rate. @defaultValue 0.2 */
  readonly dropConnectRate?: number;
  /**
   * `'dirichlet'`: Dense(answers) then sigmoid·100+1 (W+21).
   * `'binomial'`: Dense(1, sigmoid), the predicted fraction of a one-question, two-answer schema's first answer (W+20).
   * @defaultValue 'dirichlet'
   */
  readonly head?: 'dirichlet' | 'binomial';
  /** Seed of all stochastic layers and of every kernel initialiser (each layer its own derived seed); unseeded without it. */
  readonly seed?: number;
}

const schemas = new WeakMap<tf.LayersModel, Schema>();

/**
 * The schema a model was built or loaded with, if any.
 *
 * @param model - A model from {@link zoobotModel} or `loadZoobotModel`.
 * @returns Its schema, or `undefined`.
 */
export function modelSchema(model: tf.LayersModel): Schema | undefined {
  return schemas.get(model);
}

/** @internal Remembers `schema` as the schema of `model` (used by the loaders). */
export function attachSchema(model: tf.LayersModel, schema: Schema): void {
  schemas.set(model, schema);
}

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym): Sym => layer.apply(x) as Sym;

/**
 * Builds Zoobot's model (W+21; W+20 with `architecture: 'vgg'`, `head: 'binomial'`).
 * EfficientNet: base, GlobalAveragePooling2D `avg_pool`, MC dropout `top_dropout` (0.2), Dense `predictions`, Dirichlet head.
 * VGG: convolutional trunk, Flatten, Dense 128 ReLU, MC dropout (0.5), Dense `predictions`, head.
 * Its ReLU convolutions, swish activations and batch norms run fused ({@link fuseLayers}).
 *
 * @param options - See {@link ZoobotModelOptions}.
 * @returns A model from `[batch, h, w, c]` to `[batch, answers]` concentrations in (1, 101), or `[batch, 1]` fractions.
 * @example
 * ```ts
 * const model = zoobotModel({ schema: decalsDr5Schema }); // 4,048,988 + 43,554 parameters
 * ```
 */
export function zoobotModel(options: ZoobotModelOptions): tf.LayersModel {
  const { schema, architecture = 'efficientnetb0', augmentation, cropSize = 224, dropConnectRate = 0.2, head = 'dirichlet', seed } = options;
  if (!ZOOBOT_ARCHITECTURES.includes(architecture)) {
    throw new ConfigError(`zoobotModel: unknown architecture "${String(architecture)}". Should be one of: ${ZOOBOT_ARCHITECTURES.join(', ')}`);
  }
  if (head === 'binomial' && (schema.questionCount !== 1 || schema.answerCount !== 2)) {
    throw new ConfigError(`zoobotModel: the binomial head needs a schema with one two-answer question; '${schema.name}' has ${schema.questionCount} questions and ${schema.answerCount} answers`);
  }
  const isVgg = architecture === 'vgg';
  const inputShape = options.inputShape ?? (isVgg ? [128, 128, 1] : architecture === 'small' ? [64, 64, 1] : [224, 224, 1]);
  const dropoutRate = options.dropoutRate ?? (isVgg ? 0.5 : 0.2);
  const input = tf.input({ shape: [...inputShape], name: 'images' });

  let x: Sym = input;
  if (augmentation !== undefined) {
    for (const layer of augmentationLayers(augmentation, { outputSize: cropSize, ...(seed !== undefined ? { seed: seed + 1000 } : {}) })) {
      x = apply(layer, x);
    }
  }
  const [h, w, c] = x.shape.slice(1) as [number, number, number];
  const seedOpt = seed !== undefined ? { seed } : {};
  if (isVgg) {
    x = apply(vggW20({ inputShape: [h, w, c], includeTop: false, ...seedOpt }), x);
    x = vggHiddenTop(x, dropoutRate, seed);
  } else if (architecture === 'small') {
    x = apply(smallConvNet({ inputShape: [h, w, c], ...seedOpt }), x);
    x = apply(mcDropout({ rate: dropoutRate, seed: seed ?? null, name: 'top_dropout' }), x);
  } else {
    x = apply(efficientNet({ inputShape: [h, w, c], dropConnectRate, name: 'efficientnetb0', ...seedOpt }), x);
    x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    x = apply(mcDropout({ rate: dropoutRate, seed: seed ?? null, name: 'top_dropout' }), x);
  }
  const kernelInitializer = seededInitializers(seed, 'zoobot_head').glorotNormal();
  const output = head === 'binomial'
    ? apply(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer, name: 'predictions' }), x)
    : apply(new DirichletHead({ name: 'dirichlet' }), apply(tf.layers.dense({ units: schema.answerCount, kernelInitializer, name: 'predictions' }), x));
  const model = tf.model({ inputs: input, outputs: output, name: `zoobot_${architecture}` });
  attachSchema(model, schema);
  fuseLayers(model);
  return model;
}
