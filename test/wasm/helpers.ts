// Shared pieces of the wasm kernel tests: random convolution geometries, seeded data, and running
// one kernel on a named backend.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { useBackend } from '../helpers/backends.js';

export type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** One forward convolution: input [n, h, w, c], filter [kh, kw, c, out], strides, dilations, padding. */
export interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  out: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pad: Padding;
  seed: number;
}

const paddingArb: fc.Arbitrary<Padding> = fc.oneof(
  fc.constant('same' as const),
  fc.constant('valid' as const),
  fc
    .tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2))
    .map(([t, b, l, r]): Padding => [[0, 0], [t, b], [l, r], [0, 0]]),
);

/**
 * Small convolution geometries whose output is non-empty. Dilations are drawn only when
 * `withDilations` and then only with unit strides (tfjs's forward ops allow one or the other).
 */
export function convCaseArb(withDilations: boolean): fc.Arbitrary<ConvCase> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      c: fc.integer({ min: 1, max: 4 }),
      out: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 4 }),
      kw: fc.integer({ min: 1, max: 4 }),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      dilations: withDilations ? fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })) : fc.constant<[number, number]>([1, 1]),
      pad: paddingArb,
      seed: fc.integer(),
    })
    .map((k) => (k.dilations[0] > 1 || k.dilations[1] > 1 ? { ...k, strides: [1, 1] as [number, number] } : k))
    .filter((k) => {
      const info = convInfo(k, false);
      return info.outHeight > 0 && info.outWidth > 0;
    });
}

/** tfjs's geometry of the forward convolution in `k` (filter [kh, kw, c, out]). */
export function convInfo(k: ConvCase, depthwise: boolean): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo([k.n, k.h, k.w, k.c], [k.kh, k.kw, k.c, k.out], k.strides, k.dilations, k.pad, undefined, depthwise);
}

/** `size` uniform values in [-1, 1) from a seeded mulberry32 generator. */
export function seededValues(seed: number, size: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** A kernel input given by shape and values, so it can be rebuilt on each backend. */
export interface InputSpec {
  shape: number[];
  values: Float32Array;
}

/** Random input of `shape` from `seed`. */
export function randomInput(shape: number[], seed: number): InputSpec {
  return { shape, values: seededValues(seed, shape.reduce((a, b) => a * b, 1)) };
}

/** Runs kernel `name` on `backend` through the engine and returns its output values and shape. */
export async function runKernelOn(
  backend: string,
  name: string,
  inputs: Record<string, InputSpec>,
  attrs: tf.NamedAttrMap,
): Promise<{ shape: number[]; values: Float32Array }> {
  await useBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([key, s]) => [key, tf.tensor(s.values, s.shape)]));
  const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor;
  const result = { shape: out.shape, values: (await out.data()) as Float32Array };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** max |actual − expected| / max |expected| (0 when both are all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i += 1) {
    diff = Math.max(diff, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Float64 reference for both depthwise-convolution gradients, straight from the forward definition
 * y[n, p, q, c·M + m] = Σ_{i,j} x[n, p·sh + i·dh − top, q·sw + j·dw − left, c] · f[i, j, c, m]
 * (out-of-range x reads as 0). Unlike tfjs's cpu kernels it honours dilations.
 *
 * @returns dx [n, h, w, c] and dFilter [kh, kw, c, M], flattened.
 */
export function depthwiseGradReference(
  k: ConvCase,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
): { dx: Float64Array; dFilter: Float64Array } {
  const info = convInfo(k, true);
  const { outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  const mult = k.out;
  const dx = new Float64Array(k.n * k.h * k.w * k.c);
  const dFilter = new Float64Array(k.kh * k.kw * k.c * mult);
  for (let n = 0; n < k.n; n += 1)
    for (let p = 0; p < ho; p += 1)
      for (let q = 0; q < wo; q += 1)
        for (let i = 0; i < k.kh; i += 1)
          for (let j = 0; j < k.kw; j += 1) {
            const r = p * k.strides[0] + i * k.dilations[0] - top;
            const s = q * k.strides[1] + j * k.dilations[1] - left;
            if (r < 0 || r >= k.h || s < 0 || s >= k.w) continue;
            for (let c = 0; c < k.c; c += 1)
              for (let m = 0; m < mult; m += 1) {
                const g = dy[((n * ho + p) * wo + q) * k.c * mult + c * mult + m] ?? 0;
                const xi = ((n * k.h + r) * k.w + s) * k.c + c;
                const fi = ((i * k.kw + j) * k.c + c) * mult + m;
                dFilter[fi] = (dFilter[fi] ?? 0) + g * (x[xi] ?? 0);
                dx[xi] = (dx[xi] ?? 0) + g * (filter[fi] ?? 0);
              }
          }
  return { dx, dFilter };
}
