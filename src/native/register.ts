/**
 * The `zoobot-native` tfjs backend: a `cpu` backend instance whose hot kernels (convolutions and
 * their gradients, depthwise convolutions, matrix products, pooling, and the elementwise kernels,
 * reductions and copies that dominate once those are fast) run in the oneDNN addon (or, for plain
 * copies, in one JavaScript pass), and
 * whose every other kernel is the `cpu` backend's own. Tensors live in the `cpu` backend's
 * Float32Arrays, which the addon reads and writes in place.
 *
 * @module native/register
 */
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import { CONV_KERNELS, type NativeKernel } from './convKernels.js';
import { COPY_KERNELS } from './copyKernels.js';
import { ELEMENTWISE_KERNELS, EXTRA_KERNELS } from './elementwiseKernels.js';
import { MATMUL_KERNELS } from './matMulKernels.js';
import { POOL_KERNELS } from './poolKernels.js';
import { attachOutputPool } from './outputPool.js';
import type { KernelArgs } from '../wasm/kernelScope.js';

/** The name tfjs knows the native backend by (`tf.setBackend(NATIVE_BACKEND)`). */
export const NATIVE_BACKEND = 'zoobot-native';

/** Kernel names the addon implements; all other kernels are the `cpu` backend's. */
export const NATIVE_KERNEL_NAMES: readonly string[] = Object.freeze(Object.keys({ ...CONV_KERNELS, ...MATMUL_KERNELS, ...POOL_KERNELS, ...ELEMENTWISE_KERNELS, ...COPY_KERNELS, ...EXTRA_KERNELS }));

/** Options of {@link registerNativeBackend}. */
export interface NativeBackendOptions {
  /**
   * oneDNN's thread count (OpenMP). Default: OpenMP's own, the `OMP_NUM_THREADS` environment
   * variable or else every core. Use 1 where other processes share the cores (parallel test
   * workers): OpenMP's barriers then wait on descheduled threads, measured 2-5x slower per step.
   */
  threads?: number;
  /**
   * At most this many bytes of large kernel outputs that no tensor holds any longer are kept for
   * reuse by the next outputs of the same size (see `native/outputPool`); 0 turns recycling off.
   * Whatever the bound, the pool keeps no more than the larger of 1 GiB and twice the most its
   * arrays ever held at once (with `enableEarlyTapeRelease`, 0.36 GiB for a W+20 VGG training step
   * at batch 32 and 1.2 GiB for EfficientNetB0 at batch 16). Applies to backends created after the call.
   * @defaultValue no bound beyond that
   */
  outputPoolBytes?: number;
}

/** The outcome of {@link registerNativeBackend}. */
export type NativeRegistration =
  | { ok: true; backend: typeof NATIVE_BACKEND; onednnVersion: string; addonPath: string; threads: number }
  | { ok: false; reason: string };

/**
 * Registers the `zoobot-native` backend when the oneDNN addon loads (idempotent), without
 * activating it: call `tf.setBackend('zoobot-native')` next. Never throws; when the addon is absent
 * the result says why (not built, oneDNN missing, not Node) and nothing is registered.
 *
 * @param options - oneDNN's thread count.
 * @returns `{ ok: true, ... }` with the oneDNN version and thread count, or `{ ok: false, reason }`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { registerNativeBackend } from 'zoobot-ts/node';
 *
 * const native = registerNativeBackend();
 * await tf.setBackend(native.ok ? 'zoobot-native' : 'cpu');
 * ```
 */
export function registerNativeBackend(options: NativeBackendOptions = {}): NativeRegistration {
  const load = loadNativeAddon();
  if (!load.ok) return load;
  if (options.outputPoolBytes !== undefined) poolBytes = options.outputPoolBytes;
  if (tf.findBackendFactory(NATIVE_BACKEND) === null) register(load.addon);
  const threads = load.addon.threads(options.threads);
  return { ok: true, backend: NATIVE_BACKEND, onednnVersion: load.addon.onednnVersion, addonPath: load.path, threads };
}

let poolBytes = Number.POSITIVE_INFINITY;

function register(addon: NativeAddon): void {
  const cpuFactory = tf.findBackendFactory('cpu');
  if (cpuFactory === null) throw new Error("zoobot-native: tfjs's cpu backend is not registered");
  // Priority 0, below cpu's: registering never changes which backend tfjs picks by itself.
  tf.registerBackend(NATIVE_BACKEND, async () => {
    const backend = await cpuFactory();
    if (poolBytes > 0) attachOutputPool(backend, poolBytes);
    return backend;
  }, 0);
  const native: Record<string, NativeKernel> = { ...CONV_KERNELS, ...MATMUL_KERNELS, ...POOL_KERNELS, ...ELEMENTWISE_KERNELS, ...COPY_KERNELS };
  for (const config of tf.getKernelsForBackend('cpu')) {
    const nativeKernel = native[config.kernelName];
    const kernelFunc = nativeKernel === undefined
      ? config.kernelFunc
      : (args: KernelArgs) => nativeKernel(args, addon) ?? config.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  for (const [kernelName, nativeKernel] of Object.entries(EXTRA_KERNELS)) {
    tf.registerKernel({ kernelName, backendName: NATIVE_BACKEND, kernelFunc: ((args: KernelArgs) => nativeKernel(args, addon)) as tf.KernelFunc });
  }
}
