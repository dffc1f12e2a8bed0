/** The cut-down VGG of Walmsley et al. 2020 (W+20). */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { mcDropout } from './layers/mcDropout.js';
import { seededInitializers } from './initializers.js';

/** Options of {@link vggW20}. */
export interface VggW20Options {
  /** `[height, width, channels]`; height and width must be divisible by 16. @defaultValue `[128, 128, 1]` */
  readonly inputShape?: readonly [number, number, number];
  /** Add Flatten, Dense 128 ReLU, dropout and the output Dense. @defaultValue true */
  readonly includeTop?: boolean;
  /** Output units with the top. @defaultValue 1 */
  readonly outputs?: number;
  /** Activation of the output Dense. @defaultValue 'sigmoid' (W+20's predicted vote fraction) */
  readonly outputActivation?: 'sigmoid' | 'linear' | 'softmax';
  /** Dropout before the output (an MC-capable {@link McDropout}). @defaultValue 0.5 */
  readonly dropoutRate?: number;
  /** Seed of the dropout noise and of the kernel initialisers (each layer its own derived seed); unseeded without it. */
  readonly seed?: number;
}

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym): Sym => layer.apply(x) as Sym;

/** conv 32-32-pool-64-64-pool-128-pool-128-pool (W+20 section 3). */
const VGG_STAGES: ReadonlyArray<readonly number[]> = [[32, 32], [64, 64], [128], [128]];

/**
 * The W+20 classifier head: Flatten, Dense 128 ReLU, dropout, Dense(outputs).
 * Shared by {@link vggW20} and the zoobot model so both name their layers alike.
 *
 * @param x - The convolutional feature map `[batch, h, w, c]`.
 * @param dropoutRate - Rate of the MC dropout after the Dense 128.
 * @param seed - Seed of the dropout and of the Dense 128 kernel initialiser; unseeded without it.
 * @returns The pre-output features `[batch, 128]` after dropout.
 */
export function vggHiddenTop(x: Sym, dropoutRate: number, seed?: number): Sym {
  let y = apply(tf.layers.flatten({ name: 'flatten' }), x);
  const kernelInitializer = seededInitializers(seed, 'vgg_w20_top').glorotNormal();
  y = apply(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer, name: 'fc1' }), y);
  return apply(mcDropout({ rate: dropoutRate, seed: seed ?? null, name: 'top_dropout' }), y);
}

/**
 * Builds the W+20 VGG: 3x3 ReLU 'same' convolutions 32, 32, max-pool, 64, 64, max-pool, 128, max-pool,
 * 128, max-pool, then (with the top) Flatten, Dense 128 ReLU, Dropout 0.5, Dense(outputs).
 * With the defaults it has 1,335,265 parameters, Keras's figure.
 *
 * @param options - See {@link VggW20Options}.
 * @returns A model from `[batch, h, w, c]` to `[batch, outputs]`, or to `[batch, h/16, w/16, 128]` without the top.
 */
export function vggW20(options: VggW20Options = {}): tf.LayersModel {
  const { inputShape = [128, 128, 1], includeTop = true, outputs = 1, outputActivation = 'sigmoid', dropoutRate = 0.5, seed } = options;
  const [h, w, c] = inputShape;
  if (!(h % 16 === 0 && w % 16 === 0 && h > 0 && w > 0 && Number.isInteger(c) && c > 0)) {
    throw new ConfigError(`vggW20: inputShape must be [h, w, c] with h and w positive multiples of 16, got ${JSON.stringify(inputShape)}`);
  }
  const init = seededInitializers(seed, 'vgg_w20');
  const input = tf.input({ shape: [...inputShape], name: 'input_layer' });
  let x: Sym = input;
  VGG_STAGES.forEach((stage, i) => {
    stage.forEach((filters, j) => {
      x = apply(tf.layers.conv2d({
        filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init.glorotNormal(), name: `block${i + 1}_conv${j + 1}`,
      }), x);
    });
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, name: `block${i + 1}_pool` }), x);
  });
  if (includeTop) {
    x = vggHiddenTop(x, dropoutRate, seed);
    x = apply(tf.layers.dense({ units: outputs, activation: outputActivation, kernelInitializer: init.glorotNormal(), name: 'predictions' }), x);
  }
  return tf.model({ inputs: input, outputs: x, name: 'vgg_w20' });
}
