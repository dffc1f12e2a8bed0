// Tiny versions of the two architectures zoobot trains, built with tf.layers only, for checking that
// a whole training step runs on wasm and matches cpu.
import * as tf from '@tensorflow/tfjs';
import { seededValues } from './helpers.js';

/**
 * Replaces every kernel (weights of rank ≥ 2, which tfjs initialises from an unseeded generator)
 * with seeded uniform values of variance 1/fanIn, so each run checks the same network. Biases and
 * batch-norm parameters keep their constant initial values.
 */
export function seedKernels(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const shape = w.shape as number[]; // weights always have concrete shapes
    if (shape.length < 2) return;
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const values = seededValues(seed + i, shape.reduce((a, b) => a * b, 1)).map((v) => v * Math.sqrt(3 / fanIn));
    tf.tidy(() => {
      w.write(tf.tensor(values, shape));
    });
  });
}

/** VGG-like: conv 'same' relu ×2, max-pool, conv, max-pool, flatten, dropout, dense, dense. */
export function tinyVgg(size = 32, outputs = 4): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.3, seed: 7 }),
      tf.layers.dense({ units: 16, activation: 'relu' }),
      tf.layers.dense({ units: outputs }),
    ],
  });
}

/** Squeeze-and-excitation: global average pool, reduce, expand to a sigmoid gate, rescale. */
function squeezeExcite(x: tf.SymbolicTensor, channels: number): tf.SymbolicTensor {
  let s = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  s = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(s) as tf.SymbolicTensor;
  s = tf.layers.conv2d({ filters: Math.max(1, channels / 4), kernelSize: 1, activation: 'swish' }).apply(s) as tf.SymbolicTensor;
  s = tf.layers.conv2d({ filters: channels, kernelSize: 1, activation: 'sigmoid' }).apply(s) as tf.SymbolicTensor;
  return tf.layers.multiply().apply([x, s]) as tf.SymbolicTensor;
}

/** MBConv-like block: expand 1×1, depthwise, SE, project 1×1, optional drop-connect residual. */
function mbBlock(x: tf.SymbolicTensor, inC: number, outC: number, stride: number, kernelSize: number): tf.SymbolicTensor {
  let h = tf.layers.conv2d({ filters: inC * 2, kernelSize: 1, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'swish' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.depthwiseConv2d({ kernelSize, strides: stride, padding: 'same', useBias: false }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'swish' }).apply(h) as tf.SymbolicTensor;
  h = squeezeExcite(h, inC * 2);
  h = tf.layers.conv2d({ filters: outC, kernelSize: 1, padding: 'same', useBias: false }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  if (stride !== 1 || inC !== outC) return h;
  // Drop-connect: drop whole examples of the residual branch.
  h = tf.layers.dropout({ rate: 0.2, noiseShape: [null, 1, 1, 1] as unknown as number[], seed: 3 }).apply(h) as tf.SymbolicTensor;
  return tf.layers.add().apply([h, x]) as tf.SymbolicTensor;
}

/** EfficientNet-like: stride-2 stem, MBConv blocks (stride 1 and 2, kernels 3 and 5), GAP, dropout, sigmoid head. */
export function tinyEfficientNet(size = 32, outputs = 4): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 1] });
  let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'swish' }).apply(h) as tf.SymbolicTensor;
  h = mbBlock(h, 8, 8, 1, 3);
  h = mbBlock(h, 8, 12, 2, 5);
  h = mbBlock(h, 12, 12, 1, 3);
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: 0.2, seed: 5 }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: outputs, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
