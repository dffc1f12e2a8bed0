/**
 * The elementwise kernels that dominate a step once convolutions are native (measured with
 * `tf.profile`: bias and ReLU gradients and Adam's updates in the W+20 VGG; squeeze-excitation,
 * and batch norm in EfficientNetB0): float32 `Add`, `Sub`, `Multiply` and `RealDiv` with
 * any broadcast, `Relu`, `Step`, `Sqrt`, `Square`, `Sigmoid`, `Sum` and `Mean` over a contiguous
 * block of axes and inference `FusedBatchNorm`. The `cpu` backend's versions walk
 * broadcast indices, transpose before reducing, or call a closure per element.
 *
 * @module native/elementwiseKernels
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernel } from './convKernels.js';
import { allFloat32, f32Output, f32Values } from './tensorData.js';
import { outputArray } from './outputPool.js';
import { RELU_BIAS_GRAD } from '../architectures/fusedReluConv.js';
import { SWISH, SWISH_GRAD } from '../architectures/fusedSwish.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../architectures/fusedBatchNorm.js';
import { ADAMW_UPDATE } from '../training/adamw.js';

/**
 * The addon's broadcast geometry: [rank, out shape, a strides, b strides] in elements, 0 along the
 * dims an operand repeats over, with neighbouring dims merged where both operands allow it.
 */
function broadcastGeometry(aShape: number[], bShape: number[], outShape: number[]): Int32Array {
  const strides = (shape: number[]): number[] => {
    const padded = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
    const out = new Array<number>(padded.length);
    for (let d = padded.length - 1, step = 1; d >= 0; d -= 1) {
      out[d] = padded[d] === 1 && outShape[d] !== 1 ? 0 : step;
      step *= padded[d]!;
    }
    return out;
  };
  const sa = strides(aShape), sb = strides(bShape);
  const dims: { n: number; a: number; b: number }[] = [];
  outShape.forEach((n, d) => {
    const last = dims.at(-1);
    // Merge into the previous dim when each operand's strides stay consistent across the pair.
    if (last !== undefined && last.a === sa[d]! * n && last.b === sb[d]! * n) {
      last.n *= n;
      last.a = sa[d]!;
      last.b = sb[d]!;
    } else if (n !== 1 || outShape.length === 1) {
      dims.push({ n, a: sa[d]!, b: sb[d]! });
    }
  });
  if (dims.length === 0) dims.push({ n: 1, a: 0, b: 0 });
  return Int32Array.from([dims.length, ...dims.map((d) => d.n), ...dims.map((d) => d.a), ...dims.map((d) => d.b)]);
}

function binary(op: number): NativeKernel {
  return ({ inputs, backend }, addon) => {
    const { a, b } = inputs as Record<string, tf.TensorInfo>;
    if (!allFloat32(a!, b!)) return undefined;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    const geometry = broadcastGeometry(a!.shape, b!.shape, outShape);
    if (geometry[0]! > 8) return undefined;
    const out = outputArray(backend, tf.util.sizeFromShape(outShape));
    addon.binary(op, f32Values(backend, a!), f32Values(backend, b!), out, geometry);
    return f32Output(backend, outShape, out);
  };
}

function unary(op: number): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    if (!allFloat32(x!)) return undefined;
    const out = outputArray(backend, tf.util.sizeFromShape(x!.shape));
    addon.unary(op, f32Values(backend, x!), out, (attrs['alpha'] ?? 0) as number);
    return f32Output(backend, x!.shape.slice(), out);
  };
}

/** Sum or Mean over a contiguous block of axes: x viewed as [outer, reduced, inner]. */
function reduce(mean: boolean): NativeKernel {
  return ({ inputs, backend, attrs = {} }, addon) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    if (!allFloat32(x!)) return undefined;
    const axes = [...new Set(tf.util.parseAxisParam(attrs['axis'] as number | number[], x!.shape))].sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((axis, i) => axis !== axes[0]! + i)) return undefined;
    const size = (dims: number[]): number => dims.reduce((p, q) => p * q, 1);
    const outer = size(x!.shape.slice(0, axes[0]));
    const reduced = size(x!.shape.slice(axes[0], axes.at(-1)! + 1));
    const inner = size(x!.shape.slice(axes.at(-1)! + 1));
    const out = outputArray(backend, outer * inner);
    addon.sum(f32Values(backend, x!), out, outer, reduced, inner, mean ? 1 / reduced : 1);
    const shape = attrs['keepDims'] === true ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.shape.filter((_, i) => !axes.includes(i));
    return f32Output(backend, shape, out);
  };
}

/** Inference batch norm: per-channel scale and shift folded in float64, then one pass. */
const fusedBatchNorm: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
  if (x === undefined || mean === undefined || variance === undefined) return undefined;
  const c = x.shape.at(-1) ?? 0;
  const params = [mean, variance, offset, scale].filter((t): t is tf.TensorInfo => t !== undefined);
  if (!allFloat32(x, ...params) || params.some((t) => tf.util.sizeFromShape(t.shape) !== c)) return undefined;
  const epsilon = (attrs['varianceEpsilon'] ?? 0.001) as number;
  const [m, v] = [f32Values(backend, mean), f32Values(backend, variance)];
  const gamma = scale === undefined ? undefined : f32Values(backend, scale);
  const beta = offset === undefined ? undefined : f32Values(backend, offset);
  const factor = new Float32Array(c), shift = new Float32Array(c);
  for (let j = 0; j < c; j += 1) {
    const f = (gamma?.[j] ?? 1) / Math.sqrt(v[j]! + epsilon);
    factor[j] = f;
    shift[j] = (beta?.[j] ?? 0) - m[j]! * f;
  }
  const out = outputArray(backend, tf.util.sizeFromShape(x.shape));
  addon.affine(f32Values(backend, x), factor, shift, out);
  return f32Output(backend, x.shape.slice(), out);
};

/** {@link RELU_BIAS_GRAD}: the masked gradient behind a fused ReLU convolution and its bias sum, in one pass. */
const reluBiasGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { dy, y } = inputs as Record<string, tf.TensorInfo>;
  const c = y!.shape.at(-1) ?? 0;
  requireFloat32(RELU_BIAS_GRAD, dy!, y!);
  if (!tf.util.arraysEqual(dy!.shape, y!.shape) || c === 0) throw new Error(`${RELU_BIAS_GRAD}: dy ${JSON.stringify(dy!.shape)} and y ${JSON.stringify(y!.shape)} differ`);
  const dz = outputArray(backend, tf.util.sizeFromShape(y!.shape));
  const db = new Float32Array(c);
  addon.reluBiasGrad(f32Values(backend, dy!), f32Values(backend, y!), dz, db);
  return [f32Output(backend, y!.shape.slice(), dz), f32Output(backend, [c], db)];
};

/** Checks that every tensor is float32 and non-empty, as the addon's entry points need. */
function requireFloat32(kernel: string, ...tensors: tf.TensorInfo[]): void {
  if (!allFloat32(...tensors)) throw new Error(`${kernel}: needs non-empty float32 tensors, got ${tensors.map((t) => `${t.dtype}${JSON.stringify(t.shape)}`).join(', ')}`);
}

/** {@link SWISH}: x * sigmoid(x) in one oneDNN pass. */
const swish: NativeKernel = ({ inputs, backend }, addon) => {
  const { x } = inputs as Record<string, tf.TensorInfo>;
  requireFloat32(SWISH, x!);
  const y = outputArray(backend, tf.util.sizeFromShape(x!.shape));
  addon.swish(f32Values(backend, x!), y);
  return f32Output(backend, x!.shape.slice(), y);
};

/** {@link SWISH_GRAD}: the swish gradient from x and dy in one oneDNN pass. */
const swishGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { x, dy } = inputs as Record<string, tf.TensorInfo>;
  requireFloat32(SWISH_GRAD, x!, dy!);
  if (!tf.util.arraysEqual(x!.shape, dy!.shape)) throw new Error(`${SWISH_GRAD}: x ${JSON.stringify(x!.shape)} and dy ${JSON.stringify(dy!.shape)} differ`);
  const dx = outputArray(backend, tf.util.sizeFromShape(x!.shape));
  addon.swishGrad(f32Values(backend, x!), f32Values(backend, dy!), dx);
  return f32Output(backend, x!.shape.slice(), dx);
};

/** The addon's code for a batch-norm kernel's `activation` attr. */
function normActivation(attrs: tf.NamedAttrMap): number {
  return attrs['activation'] === 'swish' ? 1 : 0;
}

/** {@link BATCH_NORM_TRAIN}: batch statistics and the normalised output in three passes in the addon (a fourth for swish). */
const batchNormTrain: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  requireFloat32(BATCH_NORM_TRAIN, x!, gamma!, beta!);
  const c = x!.shape.at(-1)!;
  const y = outputArray(backend, tf.util.sizeFromShape(x!.shape));
  const mean = new Float32Array(c), variance = new Float32Array(c);
  addon.batchNormTrain(f32Values(backend, x!), f32Values(backend, gamma!), f32Values(backend, beta!), attrs['varianceEpsilon'] as number, y, mean, variance,
    normActivation(attrs));
  return [f32Output(backend, x!.shape.slice(), y), f32Output(backend, [c], mean), f32Output(backend, [c], variance)];
};

/** {@link BATCH_NORM_TRAIN_GRAD}: dx, dgamma and dbeta in two passes (with swish, two more: the normalised value again, then swish's gradient). */
const batchNormTrainGrad: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { dy, x, gamma, beta, mean, variance } = inputs as Record<string, tf.TensorInfo>;
  requireFloat32(BATCH_NORM_TRAIN_GRAD, dy!, x!, gamma!, mean!, variance!);
  const activation = normActivation(attrs);
  if (activation !== 0) requireFloat32(BATCH_NORM_TRAIN_GRAD, beta!);
  const c = x!.shape.at(-1)!;
  const dx = outputArray(backend, tf.util.sizeFromShape(x!.shape));
  const dgamma = new Float32Array(c), dbeta = new Float32Array(c);
  addon.batchNormTrainGrad(f32Values(backend, dy!), f32Values(backend, x!), f32Values(backend, gamma!), f32Values(backend, mean!), f32Values(backend, variance!),
    attrs['varianceEpsilon'] as number, dx, dgamma, dbeta, activation, activation !== 0 ? f32Values(backend, beta!) : null);
  return [f32Output(backend, x!.shape.slice(), dx), f32Output(backend, [c], dgamma), f32Output(backend, [c], dbeta)];
};

/** {@link ADAMW_UPDATE}: one optimiser step for one variable in one pass. */
const adamWUpdate: NativeKernel = ({ inputs, backend, attrs = {} }, addon) => {
  const { variable, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
  requireFloat32(ADAMW_UPDATE, variable!, gradient!, m!, v!);
  const n = tf.util.sizeFromShape(variable!.shape);
  const [w2, m2, v2] = [outputArray(backend, n), outputArray(backend, n), outputArray(backend, n)];
  addon.adamWUpdate(f32Values(backend, variable!), f32Values(backend, gradient!), f32Values(backend, m!), f32Values(backend, v!),
    Float64Array.from(attrs['params'] as number[]), w2, m2, v2);
  return [w2, m2, v2].map((values) => f32Output(backend, variable!.shape.slice(), values));
};

/** Kernels the `cpu` backend does not have, registered for the native backend only. */
export const EXTRA_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [RELU_BIAS_GRAD]: reluBiasGrad,
  [SWISH]: swish,
  [SWISH_GRAD]: swishGrad,
  [BATCH_NORM_TRAIN]: batchNormTrain,
  [BATCH_NORM_TRAIN_GRAD]: batchNormTrainGrad,
  [ADAMW_UPDATE]: adamWUpdate,
};

/** Native elementwise and reduction kernels by tfjs kernel name. */
export const ELEMENTWISE_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [tf.Add]: binary(0),
  [tf.Sub]: binary(1),
  [tf.Multiply]: binary(2),
  [tf.RealDiv]: binary(3),
  [tf.Relu]: unary(0),
  [tf.Step]: unary(1),
  [tf.Sqrt]: unary(2),
  [tf.Square]: unary(3),
  [tf.Sigmoid]: unary(4),
  [tf.Sum]: reduce(false),
  [tf.Mean]: reduce(true),
  [tf.FusedBatchNorm]: fusedBatchNorm,
};
