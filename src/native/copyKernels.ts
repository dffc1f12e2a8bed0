/**
 * `Slice`, constant `PadV2` and `Tile` on float32 tensors as copies of contiguous runs. The `cpu` backend reads and
 * writes them one element at a time through index arithmetic; in an EfficientNetB0 training step
 * (the gradients of its zero padding and of its batch norms) they took a third of the time.
 *
 * @module native/copyKernels
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernel } from './convKernels.js';
import { allFloat32, f32Output, f32Values } from './tensorData.js';
import { outputArray } from './outputPool.js';

/** Copies `count` values, with a plain loop for short runs (a subarray per run costs more). */
function copyRun(from: Float32Array, start: number, to: Float32Array, at: number, count: number): void {
  if (count >= 32) to.set(from.subarray(start, start + count), at);
  else for (let i = 0; i < count; i += 1) to[at + i] = from[start + i]!;
}

const slice: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { x } = inputs as Record<string, tf.TensorInfo>;
  if (!allFloat32(x!) || x!.shape.length === 0 || x!.shape.length > 8) return undefined;
  const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs['begin'] as number[], attrs['size'] as number[]) as [number[], number[]];
  if (size.some((d) => d <= 0)) return undefined;
  const out = outputArray(backend, tf.util.sizeFromShape(size));
  addon.copyBox(f32Values(backend, x!), Int32Array.from(x!.shape), Int32Array.from(begin), Int32Array.from(size), out, Int32Array.from(size), new Int32Array(size.length));
  return f32Output(backend, size, out);
};

/** Constant padding: fill, then copy x into place. */
const padV2: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { x } = inputs as Record<string, tf.TensorInfo>;
  if (!allFloat32(x!) || x!.shape.length === 0 || x!.shape.length > 8) return undefined;
  const paddings = attrs['paddings'] as Array<[number, number]>;
  const shape = x!.shape;
  const outShape = shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const out = outputArray(backend, tf.util.sizeFromShape(outShape)).fill((attrs['constantValue'] ?? 0) as number);
  addon.copyBox(f32Values(backend, x!), Int32Array.from(shape), new Int32Array(shape.length), Int32Array.from(shape), out, Int32Array.from(outShape), Int32Array.from(paddings.map((p) => p[0])));
  return f32Output(backend, outShape, out);
};

const tile: NativeKernel = ({ inputs, backend, attrs = {} }) => {
  const { x } = inputs as Record<string, tf.TensorInfo>;
  if (!allFloat32(x!) || x!.shape.length === 0) return undefined;
  const reps = attrs['reps'] as number[];
  const shape = x!.shape;
  // Built from the innermost axis out: after axis d, `block` holds x's slab tiled along axes >= d.
  let block: Float32Array = f32Values(backend, x!);
  let blockShape: number[] = [];
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    const outer = tf.util.sizeFromShape(shape.slice(0, d));
    const slab = block.length / outer;
    const next = d === 0 ? outputArray(backend, block.length * reps[d]!) : new Float32Array(block.length * reps[d]!); // only the output is pooled
    for (let o = 0; o < outer; o += 1) {
      for (let r = 0; r < reps[d]!; r += 1) copyRun(block, o * slab, next, (o * reps[d]! + r) * slab, slab);
    }
    block = next;
    blockShape = [shape[d]! * reps[d]!, ...blockShape];
  }
  return f32Output(backend, blockShape, block);
};

/** Native copy kernels by tfjs kernel name. */
export const COPY_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [tf.Slice]: slice,
  [tf.PadV2]: padV2,
  [tf.Tile]: tile,
};
