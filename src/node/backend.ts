/**
 * Backend selection for Node hosts (the CLI, scripts). The library itself never imports a
 * backend; these helpers load one on request, only if its package is installed.
 *
 * @module node/backend
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendError, ConfigError } from '../errors.js';
import { registerWasmTrainingKernels } from '../wasm/index.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../native/index.js';

/**
 * Backends a Node host can ask for by name. `tensorflow` is tfjs-node(-gpu), when installed;
 * `zoobot-native` is zoobot-ts's oneDNN addon, when built (`npm run build:native`).
 */
export const NODE_BACKENDS = ['wasm', 'cpu', 'tensorflow', NATIVE_BACKEND] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

const require = createRequire(import.meta.url);

/** Whether a package can be resolved from here. */
export function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads, registers and activates a backend by name, and reports what is in use.
 * `wasm` also registers zoobot-ts's training kernels, so convnets can train on it.
 *
 * @throws `BackendError` naming the package to install when it is missing.
 */
export async function useNodeBackend(name: string): Promise<string> {
  if (!(NODE_BACKENDS as readonly string[]).includes(name)) {
    throw new ConfigError(`useNodeBackend: unsupported backend "${name}". Should be one of: ${NODE_BACKENDS.join(', ')}`);
  }
  if (name === 'wasm') {
    const pkg = '@tensorflow/tfjs-backend-wasm';
    if (!isInstalled(pkg)) throw new BackendError(`backend 'wasm' needs the package ${pkg}: npm install ${pkg}@4.22.0`);
    const wasm = (await import(pkg)) as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the backend reads its .wasm binaries from the package's dist folder.
    wasm.setWasmPaths(`${join(dirname(require.resolve(`${pkg}/package.json`)), 'dist')}/`);
  } else if (name === 'tensorflow') {
    const pkg = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].find(isInstalled);
    if (pkg === undefined) {
      throw new BackendError("backend 'tensorflow' needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node; neither is installed");
    }
    await import(pkg);
  } else if (name === NATIVE_BACKEND) {
    const native = registerNativeBackend();
    if (!native.ok) throw new BackendError(`backend '${NATIVE_BACKEND}' is not available: ${native.reason}`);
  }
  if (!(await tf.setBackend(name))) throw new BackendError(`backend '${name}' failed to initialise`);
  await tf.ready();
  if (name === 'wasm') registerWasmTrainingKernels();
  return tf.getBackend();
}
