import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './conv2dBackpropFilter.js';
import { conv2dBackpropInput } from './conv2dBackpropInput.js';
import { depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwiseBackprop.js';
import type { KernelArgs } from './kernelScope.js';
import { batchMatMulTransposed, isTransposedSingleMatMul } from './batchMatMul.js';
import { identity, identityShareApplies } from './identity.js';
import { maxPoolGrad, maxPoolGradApplies } from './maxPoolGrad.js';
import { meanLeadingAxes, sumLeadingAxes, sumsLeadingAxes } from './sum.js';
import { tile, tileBroadcastApplies } from './tile.js';

type ComposedKernel = Pick<tf.KernelConfig, 'kernelName' | 'kernelFunc'>;

/**
 * Gradient kernels that tfjs-backend-wasm 4.22 lacks for training zoobot's convnets, each composed
 * from the backend's own fast forward kernels. (Found by running VGG- and EfficientNet-like training
 * steps on wasm: every other kernel those steps need, MaxPoolGrad and AvgPoolGrad included, ships
 * with the backend.)
 */
const MISSING_KERNELS: readonly ComposedKernel[] = [
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilter },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, kernelFunc: depthwiseConv2dBackpropFilter },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, kernelFunc: depthwiseConv2dBackpropInput },
];

/**
 * Kernels wasm ships but runs far slower than a composition of its other kernels (or one pass over
 * its heap in JavaScript), and when the replacement wins (bench/wasmKernels.ts). wasm's
 * Conv2DBackpropInput is a plain loop: at stride 1 the composed kernel is 7-12× faster; at stride 2 spreading dy with zeros costs it its lead. Its Tile
 * (batch-norm gradients) is about 20× slower than a broadcasting Add. Its Sum over leading axes
 * (bias gradients) transposes first, 2-3× slower than one pass in JavaScript, and so does its Mean
 * (batch-norm moments); its BatchMatMul sends
 * transposed operands (Dense gradients) to a scalar loop instead of XNNPACK (3-5× slower); its
 * MaxPoolGrad is about 2.5× slower than one pass in JavaScript (VGG at 64 px, batch 32). Its Identity copies
 * the tensor where sharing the buffer suffices (about 1,900 copies in an EfficientNetB0 training step).
 */
const FASTER_KERNELS: readonly (ComposedKernel & { prefer: (args: KernelArgs) => boolean })[] = [
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInput, prefer: hasUnitStrides },
  { kernelName: tf.Tile, kernelFunc: tile, prefer: tileBroadcastApplies },
  { kernelName: tf.Sum, kernelFunc: sumLeadingAxes, prefer: sumsLeadingAxes },
  { kernelName: tf.Mean, kernelFunc: meanLeadingAxes, prefer: sumsLeadingAxes },
  { kernelName: tf.BatchMatMul, kernelFunc: batchMatMulTransposed, prefer: isTransposedSingleMatMul },
  { kernelName: tf.MaxPoolGrad, kernelFunc: maxPoolGrad, prefer: maxPoolGradApplies },
  { kernelName: tf.Identity, kernelFunc: identity, prefer: identityShareApplies },
];

function hasUnitStrides(args: KernelArgs): boolean {
  const strides = args.attrs?.['strides'] as number | number[];
  return Array.isArray(strides) ? strides.every((s) => s === 1) : strides === 1;
}

/** Kernel functions this module registered, so that a second call recognises its own replacements. */
const ours = new WeakSet<tf.KernelFunc>();

/** Options of {@link registerWasmTrainingKernels}. */
export interface WasmTrainingKernelOptions {
  /**
   * Also replace wasm's own `Conv2DBackpropInput` (a plain loop) with one composed from its XNNPACK
   * forward convolution for stride-1 convolutions (same results within float32 rounding, 7-12× faster
   * on VGG and 1×1 layers; strided ones still use wasm's kernel), and its `Tile` on float32/int32 with
   * a broadcasting Add (exact; about 20× faster on batch-norm gradients), its float32 `Sum` and `Mean` over
   * leading axes with one pass over the heap (bias gradients, batch-norm moments), and its `BatchMatMul` with
   * transposed single matrices with explicit transposes and XNNPACK (Dense gradients), and its
   * float32 `MaxPoolGrad` with one pass over the heap (same tie-breaking as the cpu backend), and its
   * copying `Identity` with a shared, reference-counted buffer.
   *
   * @defaultValue true
   */
  readonly replaceSlowKernels?: boolean;
}

const registered = new Set<string>();

/**
 * Registers, for the `wasm` backend, every kernel a training step of zoobot's VGG and EfficientNet
 * models needs that the backend does not ship (convolution and depthwise-convolution gradients),
 * and by default replaces its slow `Conv2DBackpropInput`, `Tile`, `Sum`, `Mean`, `BatchMatMul`,
 * `MaxPoolGrad` and `Identity` where the replacement wins. Idempotent: kernels the backend already has are left
 * alone, and a second call registers nothing. It may be called before or after
 * `tf.setBackend('wasm')`, and needs nothing from the host beyond the wasm backend itself. A later
 * call with `replaceSlowKernels: false` does not undo an earlier replacement.
 *
 * @param options - See {@link WasmTrainingKernelOptions}.
 * @returns The kernel names this call registered (empty when there was nothing left to do).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'zoobot-ts/wasm';
 *
 * setWasmPaths('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/'); // or a local folder ending in '/'
 * await tf.setBackend('wasm');
 * await tf.ready();
 * registerWasmTrainingKernels();
 * await model.fit(xs, ys); // convolution gradients now run on wasm
 * ```
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): string[] {
  const added: string[] = [];
  const register = (kernelName: string, kernelFunc: tf.KernelFunc, shipped?: tf.KernelConfig): void => {
    // The shipped kernel's setup/dispose hooks stay: wasm runs them when it initialises, and the
    // fallback path below needs them.
    tf.registerKernel({ ...shipped, kernelName, backendName: 'wasm', kernelFunc });
    ours.add(kernelFunc);
    registered.add(kernelName);
    added.push(kernelName);
  };
  for (const { kernelName, kernelFunc } of MISSING_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) register(kernelName, kernelFunc);
  }
  if (options.replaceSlowKernels ?? true) {
    for (const { kernelName, kernelFunc, prefer } of FASTER_KERNELS) {
      const shipped = tf.getKernel(kernelName, 'wasm');
      if (shipped !== undefined && ours.has(shipped.kernelFunc)) continue;
      if (shipped === undefined) {
        register(kernelName, kernelFunc);
        continue;
      }
      tf.unregisterKernel(kernelName, 'wasm');
      register(kernelName, (args) => (prefer(args) ? kernelFunc(args) : shipped.kernelFunc(args)), shipped);
    }
  }
  return added;
}

/**
 * The kernels zoobot-ts has registered for `wasm` so far (by {@link registerWasmTrainingKernels}).
 *
 * @returns Kernel names, e.g. `['Conv2DBackpropFilter', ...]`; empty before the first registration.
 */
export function wasmTrainingKernelNames(): string[] {
  return [...registered];
}

/**
 * Every kernel {@link registerWasmTrainingKernels} can provide, whether or not it is registered.
 *
 * @returns Kernel names.
 */
export function composedWasmKernelNames(): string[] {
  return [...MISSING_KERNELS, ...FASTER_KERNELS].map((k) => k.kernelName);
}

/**
 * The gradient kernels a training step needs that the wasm backend does not ship.
 *
 * @returns Kernel names (a subset of {@link composedWasmKernelNames}).
 */
export function missingWasmKernelNames(): string[] {
  return MISSING_KERNELS.map((k) => k.kernelName);
}
