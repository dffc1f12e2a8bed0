/**
 * `MaxPool`, `MaxPoolGrad` and `AvgPool` over oneDNN pooling (NHWC, dilation 1). Average pooling
 * leaves padding out of the count, as the `cpu` backend does. `MaxPoolGrad` is the addon's own loop,
 * which routes each window's gradient to the element the `cpu` kernel picks, ties included.
 *
 * @module native/poolKernels
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernel } from './convKernels.js';
import { allFloat32, f32Output, f32Values } from './tensorData.js';
import { outputArray } from './outputPool.js';

const MAX = 0;
const AVG = 1;

type Shape4 = [number, number, number, number];

function poolInfo(xShape: number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as Shape4, attrs['filterSize'] as number | [number, number], attrs['strides'] as number | [number, number], 1,
    attrs['pad'] as 'same' | 'valid' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/** The addon's 14-integer pooling geometry. */
function geometry(info: tf.backend_util.Conv2DInfo): Int32Array {
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, p.top, p.left, p.bottom, p.right,
  ]);
}

function forward(kind: number): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    if (!allFloat32(x!) || x!.shape.length !== 4) return undefined;
    const info = poolInfo(x!.shape, attrs);
    if (info.outShape.some((d) => d <= 0)) return undefined;
    const out = outputArray(backend, tf.util.sizeFromShape(info.outShape));
    addon.pool(kind, geometry(info), f32Values(backend, x!), out);
    return f32Output(backend, info.outShape.slice(), out);
  };
}

const maxPoolGrad: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { dy, input } = inputs as Record<string, tf.TensorInfo>;
  if (!allFloat32(dy!, input!) || input!.shape.length !== 4) return undefined;
  const info = poolInfo(input!.shape, attrs);
  const out = outputArray(backend, tf.util.sizeFromShape(input!.shape));
  addon.maxPoolGrad(geometry(info), f32Values(backend, input!), f32Values(backend, dy!), out);
  return f32Output(backend, input!.shape.slice(), out);
};

/** Native pooling kernels by tfjs kernel name. */
export const POOL_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [tf.MaxPool]: forward(MAX),
  [tf.AvgPool]: forward(AVG),
  [tf.MaxPoolGrad]: maxPoolGrad,
};
