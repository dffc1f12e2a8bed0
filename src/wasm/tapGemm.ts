import * as tf from '@tensorflow/tfjs';
import { paddingFor } from './convGeometry.js';
import type { KernelScope } from './kernelScope.js';

/**
 * Floats of dy one matrix multiplication reads (its packed right-hand side): 256 KiB, so that it
 * stays in L2 cache while every row of the left-hand side streams past it. Unchunked, XNNPACK's
 * GEMM (which does not block the shared dimension) rereads a right-hand side of the whole batch from
 * memory for every few rows, about 1.5× slower on VGG's first layer; 128 KiB to 1 MiB ran alike.
 */
const CHUNK_FLOATS = 1 << 16;

/**
 * The filter gradient of a stride-1 convolution as matrix multiplications over flat positions.
 *
 * Pad x to the grid [n, Hp, Wp] that every tap reads from and embed dy in the top-left of the same
 * grid (zeros elsewhere). With positions flattened, tap (i, j) reads x at position m + δ where
 * δ = i·dh·Wp + j·dw, so dW[i, j] = xᵀ[:, m + δ] · dy[m, :] summed over m: the taps stacked are one
 * [kh·kw·ci, positions] × [positions, co] product whose rows are shifted copies of xᵀ. A shift
 * never wraps into the next row or image where dy is non-zero (the grid has room for the whole
 * window), and positions past the end meet only zero rows of dy (read as zeros). The product is
 * taken in chunks of positions, each one wasm `BatchMatMul` (XNNPACK), and accumulated.
 *
 * @param k - Scope on the wasm backend.
 * @param x - Forward input `[n, H, W, ci]`, float32.
 * @param dy - Output gradient `[n, Ho, Wo, co]`, float32.
 * @param info - tfjs's geometry of the forward convolution; its strides must be 1.
 * @returns The filter gradient `[kh, kw, ci, co]`.
 */
export function stride1BackpropFilter(
  k: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, padInfo } = info;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const rows = paddingFor(inHeight, padInfo.top, (kh - 1) * dh + 1, 1, ho);
  const cols = paddingFor(inWidth, padInfo.left, (kw - 1) * dw + 1, 1, wo);
  const hp = inHeight + rows[0] + rows[1];
  const wp = inWidth + cols[0] + cols[1];
  const positions = n * hp * wp;

  const xPadded = padSpatially(k, x, rows, cols);
  const xT = k.transpose(k.reshape(xPadded, [positions, ci]), [1, 0]);
  const dyPadded = padSpatially(k, dy, [0, hp - ho], [0, wp - wo]);
  const shifts: number[] = [];
  for (let i = 0; i < kh; i += 1) for (let j = 0; j < kw; j += 1) shifts.push(i * dh * wp + j * dw);

  const taps = shifts.length;
  const out = k.alloc([kh, kw, ci, co]);
  k.heap(out).fill(0);
  const chunk = Math.max(1, Math.min(positions, Math.floor(CHUNK_FLOATS / co)));
  for (let start = 0; start < positions; start += chunk) {
    const size = Math.min(chunk, positions - start);
    const a = k.alloc([1, taps * ci, size]);
    const b = k.alloc([1, size, co]);
    fillShiftedRows(k.heap(a), k.heap(xT), positions, ci, shifts, start, size);
    k.heap(b).set(k.heap(dyPadded).subarray(start * co, (start + size) * co));
    const product = k.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
    const acc = k.heap(out);
    const part = k.heap(product);
    for (let e = 0; e < acc.length; e += 1) acc[e] = (acc[e] ?? 0) + (part[e] ?? 0);
    k.free(product);
    k.free(a);
    k.free(b);
  }
  return out;
}

/** x padded with zeros along its rows and columns; x itself when there is nothing to pad (1×1 convolutions). */
function padSpatially(k: KernelScope, x: tf.TensorInfo, rows: [number, number], cols: [number, number]): tf.TensorInfo {
  if ([...rows, ...cols].every((p) => p === 0)) return x;
  return k.run('PadV2', { x }, { paddings: [[0, 0], rows, cols, [0, 0]], constantValue: 0 });
}

/**
 * Row (t, c) of `a` ([taps·ci, size]) = xᵀ[c, start + shifts[t] ...], zero past the last position.
 */
function fillShiftedRows(
  a: Float32Array,
  xT: Float32Array,
  positions: number,
  ci: number,
  shifts: readonly number[],
  start: number,
  size: number,
): void {
  shifts.forEach((shift, t) => {
    const from = start + shift;
    const available = Math.max(0, Math.min(size, positions - from));
    for (let c = 0; c < ci; c += 1) {
      const row = (t * ci + c) * size;
      a.set(xT.subarray(c * positions + from, c * positions + from + available), row);
      if (available < size) a.fill(0, row + available, row + size);
    }
  });
}
