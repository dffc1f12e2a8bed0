import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NATIVE_BACKEND, registerNativeBackend } from '../src/native/index.js';

const require = createRequire(import.meta.url);
setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);

/** Switches tfjs to `name` (cpu, wasm, zoobot-native, ...) and waits until it is ready. */
export async function useBackend(name: string): Promise<void> {
  if (name === NATIVE_BACKEND) {
    const native = registerNativeBackend();
    if (!native.ok) throw new Error(`bench: backend '${name}' is not available: ${native.reason}`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`bench: could not initialise backend '${name}'`);
  await tf.ready();
}

/** Median wall time in ms of `fn` over `repeats` runs after `warmup` runs (awaiting async results). */
export async function timeMs(fn: () => unknown, { warmup = 2, repeats = 5 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}
