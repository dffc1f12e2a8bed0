import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BackendError, ConfigError } from '../errors.js';

/** Threads tfjs-backend-wasm 4.22 preallocates workers for, and so the most its thread pool uses. */
export const MAX_WASM_THREADS = 8;

/**
 * Names the bundled factory of tfjs-backend-wasm's Node build refers to but does not define once
 * it is turned into a standalone script (rollup's renamed `require`s and its global alias).
 */
const FACTORY_PRELUDE =
  "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis;\n";
const FACTORY_MARK = 'var WasmBackendModuleThreadedSimd';

/**
 * Runs `init` (which must call `tf.setBackend('wasm')`) with tfjs-backend-wasm's multi-threaded
 * SIMD binary in Node, so that XNNPACK's convolutions and matrix products use `threads` threads.
 *
 * tfjs 4.22 turns threads off in Node (its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false there,
 * tensorflow/tfjs#3830) although the threaded binary runs on Node's worker_threads. Three things
 * stand in the way, and this function works around each for the duration of `init` only:
 * the flag (set to true); the pthread worker and its main script, which tfjs hands Emscripten as
 * Blob URLs that Node's `Worker` cannot open (written to a temporary folder instead, removed at
 * exit); and the backend's cap of half of `os.cpus().length` threads (it assumes two hyperthreads
 * per core: `os.cpus` reports `2·threads` while the module starts). It relies on tfjs-backend-wasm
 * 4.22's bundle layout and throws a {@link BackendError} when the pool does not come up with the
 * requested size. Node only; call it once, before any other use of the wasm backend.
 *
 * @param threads - Threads for XNNPACK, 1 to {@link MAX_WASM_THREADS}.
 * @param setThreadsCount - `setThreadsCount` from `@tensorflow/tfjs-backend-wasm` (passed in
 *   because zoobot-ts never imports a backend package).
 * @param init - Initialises the backend, e.g. `() => tf.setBackend('wasm')`.
 * @returns The thread count the initialised backend reports.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
 * import { initWasmWithNodeThreads } from 'zoobot-ts/node';
 * await initWasmWithNodeThreads(2, setThreadsCount, () => tf.setBackend('wasm'));
 * ```
 */
export async function initWasmWithNodeThreads(
  threads: number,
  setThreadsCount: (threads: number) => void,
  init: () => Promise<boolean>,
): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new ConfigError(`initWasmWithNodeThreads: threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'zoobot-wasm-threads-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const restore = patchForThreads(dir, threads);
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    setThreadsCount(threads);
    if (!(await init())) throw new BackendError('initWasmWithNodeThreads: the wasm backend failed to initialise');
  } finally {
    restore();
  }
  const backend = tf.findBackend('wasm') as ThreadedBackend | null;
  const actual = backend?.wasm?.tfjs?.getThreadsCount?.() ?? 0;
  // The pool's threads wait for work forever; unreferenced, they no longer keep Node from exiting.
  for (const worker of [...(backend?.wasm?.PThread?.runningWorkers ?? []), ...(backend?.wasm?.PThread?.unusedWorkers ?? [])]) worker.unref?.();
  if (actual !== threads) {
    throw new BackendError(`initWasmWithNodeThreads: asked for ${threads} wasm threads, the backend runs ${actual}. Was the wasm backend already initialised?`);
  }
  return actual;
}

/** The parts of tfjs-backend-wasm's Emscripten module this file reads. */
interface ThreadedBackend {
  wasm?: {
    tfjs?: { getThreadsCount?: () => number };
    PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] };
  };
}

/** Installs the Blob, object-URL and cpu-count substitutes; returns a function that removes them. */
function patchForThreads(dir: string, threads: number): () => void {
  const NativeBlob = globalThis.Blob;
  const nativeCreate = URL.createObjectURL;
  const nativeCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  let mainScript = '';
  let files = 0;
  class TextBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      const text = (parts ?? []).map(String).join('');
      texts.set(this, text);
      if (text.startsWith(FACTORY_MARK)) {
        mainScript = join(dir, 'threaded-simd.js');
        writeFileSync(mainScript, FACTORY_PRELUDE + text);
      }
    }
  }
  globalThis.Blob = TextBlob;
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob);
    if (text === undefined) return nativeCreate(blob);
    // The pthread worker script; inside the worker, its main script's "Blob URL" is that file.
    const path = join(dir, `worker${files++}.js`);
    writeFileSync(path, `URL.createObjectURL=()=>${JSON.stringify(mainScript)};URL.revokeObjectURL=()=>{};\n${text}`);
    return path;
  };
  const first = nativeCpus()[0];
  os.cpus = () => (first === undefined ? nativeCpus() : Array.from({ length: 2 * threads }, () => first));
  return () => {
    globalThis.Blob = NativeBlob;
    URL.createObjectURL = nativeCreate;
    os.cpus = nativeCpus;
  };
}
