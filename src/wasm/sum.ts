import * as tf from '@tensorflow/tfjs';
import { composeKernels, type KernelArgs } from './kernelScope.js';

/** The reduced axes of a `Sum` as non-negative, sorted, de-duplicated indices. */
function sumAxes(args: KernelArgs): number[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const axis = (args.attrs as unknown as tf.SumAttrs).axis;
  const rank = x.shape.length;
  const list = Array.isArray(axis) ? axis : [axis];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/**
 * Whether {@link sumLeadingAxes} applies: a float32 sum over the leading axes `0 … k−1` of x with at
 * least one axis kept (what bias and batch-norm gradients reduce: every axis but channels).
 *
 * @param args - The Sum kernel's arguments.
 * @returns True when {@link sumLeadingAxes} can run them.
 */
export function sumsLeadingAxes(args: KernelArgs): boolean {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const axes = sumAxes(args);
  return x.dtype === 'float32' && axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
}

/**
 * `Sum` over leading axes for the wasm backend: one pass over x on the wasm heap with float64
 * accumulators. wasm 4.22's Sum reduces only trailing axes, so for leading ones it first transposes
 * the whole tensor, and ran 2-3× slower on VGG's bias gradients. Only for arguments
 * {@link sumsLeadingAxes} accepts.
 *
 * @param args - `inputs: {x}`, `attrs` as tfjs's `SumAttrs` (`axis`, `keepDims`).
 * @returns The sums: x's shape without the reduced axes (kept as 1 with `keepDims`).
 */
export function sumLeadingAxes(args: KernelArgs): tf.TensorInfo {
  return reduceLeadingAxes(args, 1);
}

/**
 * `Mean` over leading axes for the wasm backend: {@link sumLeadingAxes} divided by the count.
 * wasm 4.22's Mean transposes first as its Sum does; batch normalisation in training mode takes its
 * moments over every axis but channels, twice per layer. Only for arguments {@link sumsLeadingAxes}
 * accepts (Mean's attributes are Sum's).
 *
 * @param args - `inputs: {x}`, `attrs` as tfjs's `MeanAttrs` (`axis`, `keepDims`).
 * @returns The means: x's shape without the reduced axes (kept as 1 with `keepDims`).
 */
export function meanLeadingAxes(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const count = x.shape.slice(0, sumAxes(args).length).reduce((a, b) => a * b, 1);
  return reduceLeadingAxes(args, 1 / count);
}

/** Sums over the leading axes {@link sumAxes} names, times `scale`, in float64 until the final store. */
function reduceLeadingAxes(args: KernelArgs, scale: number): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const reduced = sumAxes(args).length;
  const kept = x.shape.slice(reduced);
  const keepDims = (args.attrs as unknown as tf.SumAttrs).keepDims;
  return composeKernels(args.backend, 'wasm', (k) => {
    const out = k.alloc(keepDims ? [...x.shape.slice(0, reduced).map(() => 1), ...kept] : kept);
    const values = k.heap(x);
    const sums = new Float64Array(kept.reduce((a, b) => a * b, 1));
    for (let start = 0; start < values.length; start += sums.length) {
      for (let c = 0; c < sums.length; c += 1) sums[c] = (sums[c] ?? 0) + (values[start + c] ?? 0);
    }
    if (scale !== 1) for (let c = 0; c < sums.length; c += 1) sums[c] = (sums[c] ?? 0) * scale;
    k.heap(out).set(sums);
    return out;
  });
}
