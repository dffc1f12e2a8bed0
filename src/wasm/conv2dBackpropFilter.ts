import * as tf from '@tensorflow/tfjs';
import { forwardConvInfo, paddingFor, type ConvGradAttrs } from './convGeometry.js';
import { composeKernels, type KernelArgs } from './kernelScope.js';
import { stride1BackpropFilter } from './tapGemm.js';

function gradientGeometry(args: KernelArgs): { x: tf.TensorInfo; dy: tf.TensorInfo; info: tf.backend_util.Conv2DInfo } {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: number[] };
  return { x, dy, info: forwardConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs, false) };
}

/**
 * `Conv2DBackpropFilter` for the wasm backend. At stride 1 (every VGG layer, EfficientNet's 1×1
 * convolutions) on float32 it runs chunked matrix multiplications over positions
 * (`stride1BackpropFilter`), 1.5-4× faster on VGG's layers than
 * `conv2dBackpropFilterByConvolution` (bench/wasmKernels.ts), which serves strided convolutions.
 *
 * @param args - `inputs: {x: [n, H, W, ci], dy: [n, Ho, Wo, co]}`, `attrs` as tfjs's
 *   `Conv2DBackpropFilterAttrs` (`filterShape`, `strides`, `pad`, `dimRoundingMode`, `dataFormat`).
 * @returns The filter gradient `[kh, kw, ci, co]`.
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy, info } = gradientGeometry(args);
  if (info.strideHeight === 1 && info.strideWidth === 1 && x.dtype === 'float32' && dy.dtype === 'float32') {
    return composeKernels(args.backend, 'wasm', (k) => stride1BackpropFilter(k, x, dy, info));
  }
  return conv2dBackpropFilterByConvolution(args);
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, composed from its forward `Conv2D`; any strides.
 *
 * dW[i, j, ci, co] = Σ_{n,p,q} x[n, p·s + i − top, q·s + j − left, ci] · dy[n, p, q, co] is itself a
 * convolution: take x as a batch of `ci` images with `n` channels ([ci, H, W, n]) and dy as a filter
 * [Ho, Wo, n, co] dilated by the forward stride; the output [ci, kh, kw, co] is transposed back.
 *
 * @param args - As {@link conv2dBackpropFilter}'s.
 * @returns The filter gradient `[kh, kw, ci, co]`.
 */
export function conv2dBackpropFilterByConvolution(args: KernelArgs): tf.TensorInfo {
  const { x, dy, info } = gradientGeometry(args);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { inHeight, inWidth, outHeight, outWidth, inChannels, outChannels } = info;
  return composeKernels(args.backend, 'wasm', (k) => {
    const xT = k.transpose(x, [3, 1, 2, 0]);
    const dyT = k.transpose(dy, [1, 2, 0, 3]);
    const pad = [
      [0, 0],
      paddingFor(inHeight, padInfo.top, (outHeight - 1) * sh + 1, 1, kh),
      paddingFor(inWidth, padInfo.left, (outWidth - 1) * sw + 1, 1, kw),
      [0, 0],
    ];
    const conv = k.run('Conv2D', { x: xT, filter: dyT }, { strides: [1, 1], dilations: [sh, sw], pad, dataFormat: 'NHWC' });
    const cropped = k.cropTo(conv, [inChannels, kh, kw, outChannels]);
    return k.transpose(cropped, [1, 2, 0, 3]);
  });
}
