/**
 * `BatchMatMul` and `_FusedMatMul` over oneDNN's sgemm. Batches broadcast when both operands have
 * the same batch shape or one has a single matrix; other broadcasts go to the `cpu` kernel.
 *
 * @module native/matMulKernels
 */
import * as tf from '@tensorflow/tfjs';
import { activationCode, biasActivateInPlace } from './activation.js';
import type { NativeKernel } from './convKernels.js';
import { allFloat32, f32Output, f32Values } from './tensorData.js';
import { outputArray } from './outputPool.js';

function matMul(fused: boolean): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (a === undefined || b === undefined || !allFloat32(a, b) || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const code = fused ? activationCode(attrs['activation']) : 0;
    if (code === undefined || preluActivationWeights !== undefined) return undefined;
    const transposeA = attrs['transposeA'] === true, transposeB = attrs['transposeB'] === true;
    const [a1, a2] = a.shape.slice(-2) as [number, number];
    const [b1, b2] = b.shape.slice(-2) as [number, number];
    const m = transposeA ? a2 : a1, k = transposeA ? a1 : a2, n = transposeB ? b1 : b2;
    if ((transposeB ? b2 : b1) !== k) return undefined; // let the cpu kernel word the shape error
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
    const nBias = bias === undefined ? 0 : tf.util.sizeFromShape(bias.shape);
    if (bias !== undefined && !(allFloat32(bias) && nBias === n && bias.shape.at(-1) === n)) return undefined;
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const out = outputArray(backend, Math.max(batchA, batchB) * m * n);
    addon.matMul(f32Values(backend, a), f32Values(backend, b), out, Int32Array.from([batchA, batchB, m, n, k, Number(transposeA), Number(transposeB)]));
    if (fused && (bias !== undefined || code !== 0)) {
      biasActivateInPlace(out, bias === undefined ? undefined : f32Values(backend, bias), code, (attrs['leakyreluAlpha'] ?? 0.2) as number);
    }
    return f32Output(backend, [...outer, m, n], out);
  };
}

/** Native matrix-product kernels by tfjs kernel name. */
export const MATMUL_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [tf.BatchMatMul]: matMul(false),
  [tf._FusedMatMul]: matMul(true),
};
