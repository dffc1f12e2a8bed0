import * as tf from '@tensorflow/tfjs';
import { composeKernels, type KernelArgs } from './kernelScope.js';

/**
 * Whether {@link batchMatMulTransposed} applies: a float32 product of two single matrices (batch 1)
 * with at least one operand transposed (Dense layers' gradients).
 *
 * @param args - The BatchMatMul kernel's arguments.
 * @returns True when {@link batchMatMulTransposed} can run them.
 */
export function isTransposedSingleMatMul(args: KernelArgs): boolean {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const single = (t: tf.TensorInfo): boolean => t.dtype === 'float32' && t.shape.slice(0, -2).every((d) => d === 1);
  return (transposeA || transposeB) && single(a) && single(b);
}

/**
 * `BatchMatMul` of single matrices with transposed operands for the wasm backend: transpose them
 * explicitly, then multiply untransposed. wasm 4.22 sends any transposed product to a scalar loop
 * instead of XNNPACK, 3-5× slower on a Dense layer's gradients. Only for arguments
 * {@link isTransposedSingleMatMul} accepts.
 *
 * @param args - `inputs: {a, b}`, `attrs` as tfjs's `BatchMatMulAttrs` (`transposeA`, `transposeB`).
 * @returns The product `[..., m, n]`, with as many leading 1s as the higher-rank input has.
 */
export function batchMatMulTransposed(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  return composeKernels(args.backend, 'wasm', (k) => {
    const untransposed = (t: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
      const [rows = 1, cols = 1] = t.shape.slice(-2);
      const matrix = k.reshape(t, [rows, cols]);
      return k.reshape(transposed ? k.transpose(matrix, [1, 0]) : matrix, transposed ? [1, cols, rows] : [1, rows, cols]);
    };
    const product = k.run('BatchMatMul', { a: untransposed(a, transposeA), b: untransposed(b, transposeB) }, { transposeA: false, transposeB: false });
    const ones = new Array<number>(Math.max(a.shape.length, b.shape.length) - 2).fill(1);
    return k.reshape(product, [...ones, ...product.shape.slice(-2)]);
  });
}
