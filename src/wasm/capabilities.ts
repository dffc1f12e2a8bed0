import * as tf from '@tensorflow/tfjs';
import { missingWasmKernelNames } from './register.js';

/** What the host's tfjs `wasm` backend can do here, as tfjs itself detects it. */
export interface WasmCapabilities {
  /** Whether a `wasm` backend is registered with tfjs (the host imported `@tensorflow/tfjs-backend-wasm`). */
  readonly registered: boolean;
  /** tfjs's `WASM_HAS_SIMD_SUPPORT` flag; `null` when the backend package (which defines it) is not loaded. */
  readonly simd: boolean | null;
  /**
   * tfjs's `WASM_HAS_MULTITHREAD_SUPPORT` flag; `null` when not defined. tfjs 4.22 sets it to false in
   * Node (tensorflow/tfjs#3830); browsers need cross-origin isolation (SharedArrayBuffer) for it.
   */
  readonly multithread: boolean | null;
  /** Threads the initialised WebAssembly module runs with; `null` before `tf.setBackend('wasm')` resolves. */
  readonly threads: number | null;
  /** Gradient kernels {@link registerWasmTrainingKernels} can add that are not (yet) registered for wasm. */
  readonly missingTrainingKernels: readonly string[];
}

async function flag(name: string): Promise<boolean | null> {
  try {
    return Boolean(await tf.env().getAsync(name));
  } catch {
    return null; // flag not registered: the wasm backend package is not loaded
  }
}

/** The thread count of an initialised wasm backend, read the way tfjs's own `getThreadsCount` does. */
function threadCount(): number | null {
  const backend = tf.findBackend('wasm') as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | null;
  return backend?.wasm?.tfjs?.getThreadsCount?.() ?? null;
}

/**
 * Reports the wasm backend's SIMD and threading support and which training kernels are missing.
 * Threads need the `tfjs-backend-wasm-threaded-simd.wasm` binary, a browser with SharedArrayBuffer
 * (pages served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`) and, optionally, `setThreadsCount(n)` from
 * `@tensorflow/tfjs-backend-wasm` before `tf.setBackend('wasm')`; in Node tfjs 4.22 runs one thread unless the
 * backend is started with `initWasmWithNodeThreads` (from `zoobot-ts/node`).
 *
 * @returns The capabilities; never throws, whether or not the backend is loaded.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * console.log(await wasmCapabilities()); // { registered: true, simd: true, multithread: false, threads: 1, ... }
 * ```
 */
export async function wasmCapabilities(): Promise<WasmCapabilities> {
  return {
    registered: tf.findBackendFactory('wasm') != null,
    simd: await flag('WASM_HAS_SIMD_SUPPORT'),
    multithread: await flag('WASM_HAS_MULTITHREAD_SUPPORT'),
    threads: threadCount(),
    missingTrainingKernels: missingWasmKernelNames().filter((name) => tf.getKernel(name, 'wasm') === undefined),
  };
}
