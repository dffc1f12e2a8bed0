/** A compact convnet for demos, CI and quick experiments (not an architecture from the papers). */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { seededInitializers } from './initializers.js';

/** Options of {@link smallConvNet}. */
export interface SmallConvNetOptions {
  /** `[height, width, channels]`, height and width multiples of 16. @defaultValue `[64, 64, 1]` */
  readonly inputShape?: readonly [number, number, number];
  /** Filters of the four conv stages. @defaultValue `[16, 32, 64, 64]` */
  readonly filters?: readonly [number, number, number, number];
  /** Seed of the kernel initialisers (each layer gets its own derived seed); unseeded without it. */
  readonly seed?: number;
}

/** Four stages of 3x3 conv, batch norm, ReLU and 2x2 max-pool, then global average pooling. */
export function smallConvNet(options: SmallConvNetOptions = {}): tf.LayersModel {
  const { inputShape = [64, 64, 1], filters = [16, 32, 64, 64], seed } = options;
  const [h, w] = inputShape;
  if (!(h > 0 && w > 0 && h % 16 === 0 && w % 16 === 0)) {
    throw new ConfigError(`smallConvNet: inputShape must be [h, w, c] with h and w positive multiples of 16, got ${JSON.stringify(inputShape)}`);
  }
  const init = seededInitializers(seed, 'small_convnet');
  const input = tf.input({ shape: [...inputShape], name: 'small_input' });
  let x = input;
  filters.forEach((f, i) => {
    x = tf.layers.conv2d({
      filters: f, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init.glorotNormal(), name: `block${i + 1}_conv`,
    }).apply(x) as tf.SymbolicTensor;
    // Momentum 0.9 rather than Keras's 0.99: short runs (a few hundred steps) must still end with
    // moving statistics that match the data, or inference-mode predictions are garbage.
    x = tf.layers.batchNormalization({ momentum: 0.9, name: `block${i + 1}_bn` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: `block${i + 1}_relu` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `block${i + 1}_pool` }).apply(x) as tf.SymbolicTensor;
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled, name: 'small_convnet' });
}
