import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.js';

/** Explicit NHWC padding as tfjs conv kernels accept it: `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Attributes shared by the convolution gradient kernels (a subset of tfjs's kernel attrs). */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * Geometry of the forward convolution whose gradient is wanted, from tfjs's own
 * `computeConv2DInfo` so that 'same'/'valid'/explicit padding and rounding match every backend.
 *
 * @param kernel - Kernel name, for error messages.
 * @param xShape - Forward input shape `[batch, inHeight, inWidth, inChannels]`.
 * @param filterShape - Forward filter shape `[kh, kw, inChannels, outChannels or multiplier]`.
 * @param attrs - The gradient kernel's attributes.
 * @param depthwise - Whether the forward op is a depthwise convolution.
 * @returns tfjs's `Conv2DInfo`.
 */
export function forwardConvInfo(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new BackendError(`${kernel} (zoobot-ts wasm): dataFormat '${attrs.dataFormat}' is not supported. Should be 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/**
 * Explicit padding for a convolution along one axis that must produce at least `outSize` outputs
 * from an input of `inSize`, with a leading pad of `before` and a window spanning `window` inputs
 * moved by `stride`. The trailing pad is never negative; callers crop the surplus outputs.
 *
 * @param inSize - Input extent along the axis.
 * @param before - Leading pad.
 * @param window - Inputs one output reads, first to last (`(taps − 1)·dilation + 1`).
 * @param stride - Step between outputs.
 * @param outSize - Outputs needed.
 * @returns `[before, after]`.
 */
export function paddingFor(inSize: number, before: number, window: number, stride: number, outSize: number): [number, number] {
  const needed = (outSize - 1) * stride + window - inSize - before;
  return [before, Math.max(0, needed)];
}
