import * as tf from '@tensorflow/tfjs';
import { forwardConvInfo, paddingFor, type ConvGradAttrs } from './convGeometry.js';
import { composeKernels, type KernelArgs } from './kernelScope.js';
import { convolveSpreadGradient } from './transposedConv.js';

/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend, composed from its forward depthwise
 * convolution.
 *
 * dW[i, j, c, m] = Σ_{n,p,q} x[n, p·s + i·d − top, ·, c] · dy[n, p, q, c·M + m]. Folding the batch into
 * the channels ([1, H, W, n·C]) makes this one depthwise convolution of x with dy as a
 * [Ho, Wo, n·C, M] filter (dilated by the forward stride, strided by the forward dilation); the
 * per-image results are then summed over n.
 *
 * @param args - `inputs: {x: [n, H, W, C], dy: [n, Ho, Wo, C·M]}`, `attrs` as tfjs's
 *   `DepthwiseConv2dNativeBackpropFilterAttrs` (`filterShape`, `strides`, `dilations`, `pad`, `dimRoundingMode`).
 * @returns The filter gradient `[kh, kw, C, M]`.
 */
export function depthwiseConv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: number[] };
  const info = forwardConvInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight, outWidth, outChannels, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const multiplier = outChannels / c;
  return composeKernels(args.backend, 'wasm', (k) => {
    const xFolded = k.reshape(k.transpose(x, [1, 2, 0, 3]), [1, inHeight, inWidth, n * c]);
    const dyFilter = k.reshape(k.transpose(dy, [1, 2, 0, 3]), [outHeight, outWidth, n * c, multiplier]);
    const pad = [
      [0, 0],
      paddingFor(inHeight, padInfo.top, (outHeight - 1) * sh + 1, dh, kh),
      paddingFor(inWidth, padInfo.left, (outWidth - 1) * sw + 1, dw, kw),
      [0, 0],
    ];
    const conv = k.run(
      'DepthwiseConv2dNative',
      { x: xFolded, filter: dyFilter },
      { strides: [dh, dw], dilations: [sh, sw], pad },
    );
    const perImage = k.reshape(k.cropTo(conv, [1, kh, kw, n * outChannels]), [kh, kw, n, outChannels]);
    const summed = n === 1 ? k.reshape(perImage, [kh, kw, outChannels]) : k.run('Sum', { x: perImage }, { axis: [2], keepDims: false });
    return k.reshape(summed, [kh, kw, c, multiplier]);
  });
}

/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend: a stride-1 depthwise convolution of the
 * stride-spread dy with the spatially flipped filter, then a sum over the channel multiplier.
 *
 * @param args - `inputs: {dy: [n, Ho, Wo, C·M], filter: [kh, kw, C, M]}`, `attrs` as tfjs's
 *   `DepthwiseConv2dNativeBackpropInputAttrs` (`inputShape`, `strides`, `dilations`, `pad`, `dimRoundingMode`).
 * @returns The input gradient `[n, H, W, C]`.
 */
export function depthwiseConv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: number[] };
  const info = forwardConvInfo('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, filter.shape, attrs, true);
  const { batchSize: n, inHeight, inWidth, inChannels: c, outChannels, filterHeight: kh, filterWidth: kw } = info;
  const multiplier = outChannels / c;
  return composeKernels(args.backend, 'wasm', (k) => {
    const flipped = k.reshape(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, outChannels, 1]);
    const dilations = [info.dilationHeight, info.dilationWidth];
    const dx = convolveSpreadGradient(k, dy, info, (spread, pad) =>
      k.run('DepthwiseConv2dNative', { x: spread, filter: flipped }, { strides: [1, 1], dilations, pad }),
    );
    if (multiplier === 1) return k.reshape(dx, [n, inHeight, inWidth, c]);
    const split = k.reshape(dx, [n, inHeight, inWidth, c, multiplier]);
    return k.run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
}
