/**
 * ReLU convolutions that stay fused while gradients are recorded. tfjs fuses a convolution with
 * its bias and ReLU (`FusedConv2D`) only outside gradient tapes; while training, a layer with
 * `activation: 'relu'` runs Conv2D, Add and Relu forward and Step, Multiply and Sum backward, each
 * a full pass over the activation (for the W+20 VGG at batch 32, 64 MiB per pass in the first
 * layers). {@link conv2dBiasRelu} runs the one fused kernel forward and, backward, one pass that
 * masks the gradient and sums it per channel where the backend registers {@link RELU_BIAS_GRAD},
 * else the same Step, Multiply and Sum as tfjs. Same values, same gradients, on any backend.
 *
 * @module architectures/fusedReluConv
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernel, patchLayerCalls } from './layerCallPatch.js';
import { singleTensor } from './layers/register.js';

/**
 * Name of an optional kernel a backend may register: inputs `{ dy, y }` (a ReLU's output gradient
 * and output, `[n, h, w, c]`), outputs `[dy * (y > 0), its sum over n, h and w]`.
 */
export const RELU_BIAS_GRAD = 'ZoobotReluBiasGrad';

/** Padding of {@link conv2dBiasRelu}: tfjs's 'same' or 'valid'. */
export type ConvPadding = 'same' | 'valid';

/** The gradient behind a ReLU, and its per-channel sum (the bias gradient). */
function reluBiasGrad(dy: tf.Tensor4D, y: tf.Tensor4D): [tf.Tensor4D, tf.Tensor1D] {
  if (backendHasKernel(RELU_BIAS_GRAD)) {
    return tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }) as unknown as [tf.Tensor4D, tf.Tensor1D];
  }
  const dz = tf.mul(dy, tf.step(y)) as tf.Tensor4D;
  return [dz, tf.sum(dz, [0, 1, 2])];
}

/**
 * `relu(conv2d(x, filter) + bias)` (NHWC, dilation 1) as one fused kernel, with a gradient that
 * keeps the ReLU mask and bias sum in one pass where the backend can.
 *
 * @param x - `[n, h, w, inChannels]`.
 * @param filter - `[kh, kw, inChannels, outChannels]`.
 * @param bias - `[outChannels]`, or `null` for none.
 * @param strides - `[strideHeight, strideWidth]`.
 * @param pad - `'same'` or `'valid'`.
 * @returns `[n, oh, ow, outChannels]`.
 */
export function conv2dBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, strides: [number, number], pad: ConvPadding): tf.Tensor4D {
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' };
  const forward = (inputs: { x: tf.Tensor4D; filter: tf.Tensor4D; bias?: tf.Tensor1D }, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(tf.FusedConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    save([inputs.x, inputs.filter, y]);
    const gradFunc = (dy: tf.Tensor4D, [xs, w, ys]: tf.Tensor[]): tf.Tensor[] => {
      const [dz, db] = reluBiasGrad(dy, ys as tf.Tensor4D);
      const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dz, filter: w! }, { strides, pad, dataFormat: 'NHWC', inputShape: xs!.shape }) as tf.Tensor;
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xs!, dy: dz }, { strides, pad, dataFormat: 'NHWC', filterShape: w!.shape }) as tf.Tensor;
      dz.dispose(); // 64 MiB in the VGG's first layers: free it now rather than at the end of the backward pass
      if (inputs.bias === undefined) {
        db.dispose();
        return [dx, dw];
      }
      return [dx, dw, db];
    };
    return { value: y, gradFunc };
  };
  if (bias === null) return tf.customGrad((xs, w, save) => forward({ x: xs as tf.Tensor4D, filter: w as tf.Tensor4D }, save as tf.GradSaveFunc))(x, filter) as tf.Tensor4D;
  return tf.customGrad((xs, w, b, save) => forward({ x: xs as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b as tf.Tensor1D }, save as tf.GradSaveFunc))(x, filter, bias) as tf.Tensor4D;
}

/** The parts of tfjs-layers' `Conv2D` the fused call reads. */
interface Conv2DInternals {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
}

/** Whether {@link conv2dBiasRelu} computes exactly what this layer does. */
function fusable(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const config = layer.getConfig();
  const pair = (v: unknown): number[] => (Array.isArray(v) ? v as number[] : [v as number, v as number]);
  return config['activation'] === 'relu' && config['dataFormat'] === 'channelsLast'
    && (config['padding'] === 'same' || config['padding'] === 'valid') && pair(config['dilationRate']).every((d) => d === 1);
}

/**
 * Makes every ReLU `Conv2D` layer of `model` (nested models included) run {@link conv2dBiasRelu}, in place (idempotent;
 * other layers are untouched, and the model saves and loads as before). `train()`, `finetune()`
 * and `zoobot-ts bench` call it; call it yourself before a custom training loop.
 *
 * @param model - Any layers model.
 * @returns How many layers now run fused.
 */
export function fuseReluConvolutions(model: tf.LayersModel): number {
  return patchLayerCalls(model, fusable, (layer, original) => {
    const conv = layer as unknown as Conv2DInternals;
    const config = layer.getConfig();
    const strides = (Array.isArray(config['strides']) ? config['strides'] : [config['strides'], config['strides']]) as [number, number];
    const pad = config['padding'] as ConvPadding;
    return (inputs, kwargs) => {
      const x = singleTensor(inputs, layer.name);
      if (x.rank !== 4) return original(inputs, kwargs);
      return tf.tidy(() => conv2dBiasRelu(x as tf.Tensor4D, conv.kernel.read() as tf.Tensor4D, (conv.bias?.read() ?? null) as tf.Tensor1D | null, strides, pad));
    };
  });
}
