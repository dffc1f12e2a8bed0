import * as tf from '@tensorflow/tfjs';
import { composeKernels, type KernelArgs } from './kernelScope.js';

/** Input and output extents of one axis of a tile written as a broadcast. */
type AxisPair = [inSize: number, outSize: number];

/**
 * Tile as a broadcast: axis i of size s repeated r times is the pair of axes [r, s] with x
 * broadcast along r. Axes of size 1 are dropped and neighbours of the same kind (all broadcast or
 * all copied) merged, so batch-norm's tiles ([1, 1, 1, C] to [n, h, w, C]) become a rank-2 broadcast.
 *
 * @param shape - The input's shape.
 * @param reps - Repetitions per axis.
 * @returns `[inSize, outSize]` per broadcast axis; x reshaped to the in-sizes broadcasts to the out-sizes.
 */
export function tileAsBroadcast(shape: readonly number[], reps: readonly number[]): AxisPair[] {
  const pairs: AxisPair[] = [];
  shape.forEach((size, i) => {
    const r = reps[i] ?? 1;
    if (r > 1) pairs.push([1, r]);
    pairs.push([size, size]);
  });
  const merged: AxisPair[] = [];
  for (const [inSize, outSize] of pairs) {
    if (outSize === 1) continue;
    const last = merged[merged.length - 1];
    const broadcast = inSize === 1;
    if (last !== undefined && (last[0] === 1) === broadcast && (broadcast || last[0] === last[1])) {
      last[0] *= inSize;
      last[1] *= outSize;
    } else {
      merged.push([inSize, outSize]);
    }
  }
  return merged;
}

/** wasm 4.22's broadcasting Add gives wrong results above rank 6 (checked against cpu). */
const MAX_BROADCAST_RANK = 6;

/**
 * Whether the broadcast form of {@link tile} applies: float32 or int32 (what Add takes) and a
 * broadcast of rank at most 6.
 *
 * @param args - The Tile kernel's arguments.
 * @returns True when {@link tile} can run them.
 */
export function tileBroadcastApplies(args: KernelArgs): boolean {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const reps = (args.attrs as unknown as tf.TileAttrs).reps;
  return (x.dtype === 'float32' || x.dtype === 'int32') && tileAsBroadcast(x.shape, reps).length <= MAX_BROADCAST_RANK;
}

/**
 * `Tile` for the wasm backend as `x + zeros(out)` under broadcasting. wasm 4.22's own Tile computes
 * an index per element and ran about 20× slower than its broadcasting Add on batch-norm gradients,
 * where tfjs tiles a per-channel vector to the activation's shape (it was the largest kernel cost of
 * an EfficientNet training step). Only for arguments `tileBroadcastApplies` accepts.
 *
 * @param args - `inputs: {x}`, `attrs: {reps}` as tfjs's `TileAttrs`.
 * @returns x repeated `reps[i]` times along each axis i: shape `x.shape[i]·reps[i]`.
 */
export function tile(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const reps = (args.attrs as unknown as tf.TileAttrs).reps;
  const outShape = x.shape.map((s, i) => s * (reps[i] ?? 1));
  const pairs = tileAsBroadcast(x.shape, reps);
  return composeKernels(args.backend, 'wasm', (k) => {
    const zeros = k.run('Fill', {}, { shape: pairs.map((p) => p[1]), value: 0, dtype: x.dtype });
    const sum = k.run('Add', { a: k.reshape(x, pairs.map((p) => p[0])), b: zeros });
    return k.reshape(sum, outShape);
  });
}
