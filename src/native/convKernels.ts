/**
 * Convolution kernels over oneDNN: `Conv2D`, `FusedConv2D` (bias and activation fused), their two
 * gradients, and `DepthwiseConv2dNative` with its two gradients (a grouped convolution, one group
 * per input channel). Each returns `undefined` for a case it does not take (NCHW, non-float32,
 * PReLU, a bias that is not one value per output channel), and the `cpu` kernel runs instead.
 *
 * @module native/convKernels
 */
import * as tf from '@tensorflow/tfjs';
import { activationCode } from './activation.js';
import type { KernelArgs } from '../wasm/kernelScope.js';
import type { NativeAddon } from './addon.js';
import { allFloat32, f32Output, f32Values } from './tensorData.js';
import { outputArray } from './outputPool.js';

/** A native kernel: the output, or `undefined` to hand the call to the `cpu` backend. */
export type NativeKernel = (args: KernelArgs, addon: NativeAddon) => tf.TensorInfo | tf.TensorInfo[] | undefined;

type ConvInfo = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const FORWARD = 0;
const BACKWARD_DATA = 1;
const BACKWARD_WEIGHTS = 2;

/** The addon's 18-integer geometry (native/zoobot_native.cc `ConvGeometry`). */
function geometry(info: ConvInfo, depthwise: boolean): Int32Array {
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right, depthwise ? info.inChannels : 1,
  ]);
}

function isNhwc(attrs: tf.NamedAttrMap): boolean {
  return attrs['dataFormat'] === undefined || attrs['dataFormat'] === 'NHWC';
}

function convInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap, depthwise: boolean): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, attrs['strides'] as number | [number, number],
    (attrs['dilations'] ?? 1) as number | [number, number], attrs['pad'] as Pad, attrs['dimRoundingMode'] as Rounding,
    depthwise, 'channelsLast',
  );
}

function outputSize(info: ConvInfo): number {
  return info.batchSize * info.outHeight * info.outWidth * info.outChannels;
}

function forward(depthwise: boolean, fused: boolean): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (x === undefined || filter === undefined || !isNhwc(attrs) || !allFloat32(x, filter)) return undefined;
    const code = fused ? activationCode(attrs['activation']) : 0;
    if (code === undefined || preluActivationWeights !== undefined) return undefined;
    const info = convInfo(x.shape, filter.shape, attrs, depthwise);
    if (bias !== undefined && !(allFloat32(bias) && tf.util.sizeFromShape(bias.shape) === info.outChannels && bias.shape.at(-1) === info.outChannels)) {
      return undefined;
    }
    const out = outputArray(backend, outputSize(info));
    addon.conv2d(FORWARD, geometry(info, depthwise), code, (attrs['leakyreluAlpha'] ?? 0.2) as number,
      f32Values(backend, x), f32Values(backend, filter), bias === undefined ? null : f32Values(backend, bias), out);
    return f32Output(backend, info.outShape.slice(), out);
  };
}

function backwardData(depthwise: boolean): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { dy, filter } = inputs as Record<string, tf.TensorInfo>;
    if (!isNhwc(attrs) || !allFloat32(dy!, filter!)) return undefined;
    const inputShape = attrs['inputShape'] as number[];
    const info = convInfo(inputShape, filter!.shape, attrs, depthwise);
    const out = outputArray(backend, tf.util.sizeFromShape(inputShape));
    addon.conv2d(BACKWARD_DATA, geometry(info, depthwise), 0, 0, f32Values(backend, dy!), f32Values(backend, filter!), null, out);
    return f32Output(backend, inputShape.slice(), out);
  };
}

function backwardWeights(depthwise: boolean): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { x, dy } = inputs as Record<string, tf.TensorInfo>;
    if (!isNhwc(attrs) || !allFloat32(x!, dy!)) return undefined;
    const filterShape = attrs['filterShape'] as number[];
    const info = convInfo(x!.shape, filterShape, attrs, depthwise);
    const out = outputArray(backend, tf.util.sizeFromShape(filterShape));
    addon.conv2d(BACKWARD_WEIGHTS, geometry(info, depthwise), 0, 0, f32Values(backend, x!), f32Values(backend, dy!), null, out);
    return f32Output(backend, filterShape.slice(), out);
  };
}

/** Native convolution kernels by tfjs kernel name. */
export const CONV_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [tf.Conv2D]: forward(false, false),
  [tf.FusedConv2D]: forward(false, true),
  [tf.Conv2DBackpropInput]: backwardData(false),
  [tf.Conv2DBackpropFilter]: backwardWeights(false),
  [tf.DepthwiseConv2dNative]: forward(true, false),
  [tf.FusedDepthwiseConv2D]: forward(true, true),
  [tf.DepthwiseConv2dNativeBackpropInput]: backwardData(true),
  [tf.DepthwiseConv2dNativeBackpropFilter]: backwardWeights(true),
};

/** The geometry the addon receives for a forward convolution (for {@link NativeAddon.convImplementation}). */
export function forwardGeometry(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap, depthwise = false): Int32Array {
  return geometry(convInfo(xShape, filterShape, attrs, depthwise), depthwise);
}
