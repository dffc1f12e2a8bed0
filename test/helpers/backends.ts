import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe } from 'vitest';

const require = createRequire(import.meta.url);
// In Node the wasm backend reads its .wasm binaries from the package's dist folder.
setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);

/** Backends every backend-sensitive test runs on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Switches tfjs to `name` and waits until it is ready. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`could not initialise tfjs backend '${name}'`);
  await tf.ready();
}

/**
 * `describe` once per backend in {@link TEST_BACKENDS}; each test runs inside an engine
 * scope so tensors it forgets are freed (leak checks still compare `tf.memory()` explicitly).
 */
export function describeBackends(name: string, body: (backend: TestBackend) => void): void {
  describe.each(TEST_BACKENDS)(`${name} [%s]`, (backend) => {
    beforeAll(async () => useBackend(backend));
    beforeEach(() => tf.engine().startScope());
    afterEach(() => tf.engine().endScope());
    body(backend);
  });
}

/** Number of live tensors after running `fn` minus before it (0 means no leak). */
export function leakedTensors(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}
