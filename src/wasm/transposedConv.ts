import * as tf from '@tensorflow/tfjs';
import { paddingFor } from './convGeometry.js';
import type { KernelScope } from './kernelScope.js';

/**
 * The input gradient of a strided convolution as a stride-1 convolution: spread dy by the forward
 * stride, pad (or crop) it so that the spatially flipped filter's window lines up, and convolve.
 * dx[h] = Σ_i dy[(h + top − i·d) / s] · f[i] (terms with a fractional or out-of-range index vanish).
 *
 * @param k - Scope running the backend's kernels.
 * @param dy - Output gradient `[n, Ho, Wo, channels]`.
 * @param info - tfjs's geometry of the forward convolution.
 * @param convolve - Runs the stride-1 convolution of the prepared dy with explicit `pad`.
 * @returns The convolution's output cropped to `[n, inHeight, inWidth, channels of the output]`.
 */
export function convolveSpreadGradient(
  k: KernelScope,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  convolve: (spread: tf.TensorInfo, pad: number[][]) => tf.TensorInfo,
): tf.TensorInfo {
  const { batchSize: n, inHeight, inWidth, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const spread = spreadByStride(k, dy, sh, sw);
  const rows = flippedWindowPlan(inHeight, spread.shape[1] ?? 0, padInfo.top, kh, dh);
  const cols = flippedWindowPlan(inWidth, spread.shape[2] ?? 0, padInfo.left, kw, dw);
  const conv = convolve(cropLeading(k, spread, rows, cols), [[0, 0], rows.pad, cols.pad, [0, 0]]);
  return k.cropTo(conv, [n, inHeight, inWidth, conv.shape[3] ?? 0]);
}

/** Inserts stride − 1 zeros after every row and column of `dy`: [n, Ho, Wo, C] → [n, Ho·sh, Wo·sw, C]. */
function spreadByStride(k: KernelScope, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [n = 0, ho = 0, wo = 0, ch = 0] = dy.shape;
  if (sh === 1 && sw === 1) return k.reshape(dy, dy.shape);
  // Two rank-3 pads (rows, then columns) keep to the ranks every backend's PadV2 handles.
  const rowsSpread = k.run('PadV2', { x: k.reshape(dy, [n * ho, 1, wo * ch]) }, { paddings: [[0, 0], [0, sh - 1], [0, 0]], constantValue: 0 });
  const colsSpread = k.run('PadV2', { x: k.reshape(rowsSpread, [n * ho * sh * wo, 1, ch]) }, { paddings: [[0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
  return k.reshape(colsSpread, [n, ho * sh, wo * sw, ch]);
}

/** Padding of one spatial axis of the spread dy, and which entries to keep when it must be cropped instead. */
interface AxisPlan {
  pad: [number, number];
  cropStart: number;
  keep: number;
}

/**
 * Output h reads spread entries h + top − extent ... h + top (extent = (kernel − 1)·dilation): pad
 * extent − top in front (or crop that many when negative) and keep no more than the last output reads.
 */
function flippedWindowPlan(inSize: number, spreadSize: number, forwardTop: number, kernel: number, dilation: number): AxisPlan {
  const extent = (kernel - 1) * dilation;
  const before = extent - forwardTop;
  const cropStart = Math.max(0, -before);
  const keep = Math.min(spreadSize - cropStart, inSize + extent - Math.max(0, before));
  return { pad: paddingFor(keep, Math.max(0, before), extent + 1, 1, inSize), cropStart, keep };
}

function cropLeading(k: KernelScope, x: tf.TensorInfo, rows: AxisPlan, cols: AxisPlan): tf.TensorInfo {
  const [n = 0, h = 0, w = 0, ch = 0] = x.shape;
  if (rows.cropStart === 0 && cols.cropStart === 0 && rows.keep === h && cols.keep === w) return x;
  return k.run('Slice', { x }, { begin: [0, rows.cropStart, cols.cropStart, 0], size: [n, rows.keep, cols.keep, ch] });
}
