import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/backend/index.js';
import { BackendError, ConfigError } from '../../src/errors.js';
import { missingWasmKernelNames } from '../../src/wasm/index.js';

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};
const tfjsNodeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
// In Node the wasm backend reads its binaries from the package's dist folder.
const wasmPaths = `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;

describe('selectBackend in Node', () => {
  // Whether or not the oneDNN addon is built here, these tests see it as absent (test/native covers it).
  beforeAll(() => {
    vi.stubEnv('ZOOBOT_NATIVE_ADDON', join(dirname(require.resolve('@tensorflow/tfjs/package.json')), 'absent.node'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await tf.setBackend('cpu');
  });

  it.skipIf(tfjsNodeInstalled)('passes over missing tfjs-node and browser-only backends and picks wasm', async () => {
    const { backend, tried } = await selectBackend({ wasmPaths });
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tried.map((t) => [t.name, t.ok])).toEqual([
      ['tfjs-node-gpu', false], ['tfjs-node', false], ['webgpu', false], ['webgl', false], ['zoobot-native', false], ['wasm', true],
    ]);
    expect(tried[0]?.reason).toBe('package @tensorflow/tfjs-node-gpu is not installed');
    expect(tried[1]?.reason).toBe('package @tensorflow/tfjs-node is not installed');
    expect(tried[2]?.reason).toMatch(/needs a browser/);
    expect(tried[3]?.reason).toMatch(/needs a browser/);
    expect(tried[4]?.reason).toMatch(/oneDNN addon is not built .*absent\.node is missing.*npm run build:native/);
    // Choosing wasm registers the training kernels the backend lacks.
    for (const kernel of missingWasmKernelNames()) expect(tf.getKernel(kernel, 'wasm'), kernel).toBeDefined();
    // And it computes: a 2x2 matrix product checked by hand.
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).arraySync());
    expect(product).toEqual([[19, 22], [43, 50]]);
  });

  it("picks cpu when asked for cpu only", async () => {
    const { backend, tried } = await selectBackend({ prefer: ['cpu'] });
    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(tried).toEqual([{ name: 'cpu', ok: true, reason: "selected backend 'cpu'" }]);
  });

  it.skipIf(tfjsNodeInstalled)("expands 'tensorflow' to both tfjs-node packages and tries each name once", async () => {
    const { backend, tried } = await selectBackend({ prefer: ['tensorflow', 'tfjs-node', 'cpu'] });
    expect(backend).toBe('cpu');
    expect(tried.map((t) => t.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'cpu']);
  });

  it('rejects an unknown name, naming it', async () => {
    await expect(selectBackend({ prefer: ['cuda'] })).rejects.toThrow(ConfigError);
    await expect(selectBackend({ prefer: ['cuda'] })).rejects.toThrow(/"cuda"/);
  });

  it('throws a BackendError with every reason when nothing initialises, leaving the backend unchanged', async () => {
    const before = tf.getBackend();
    const failure = selectBackend({ prefer: ['webgpu', 'webgl'] });
    await expect(failure).rejects.toThrow(BackendError);
    await expect(failure).rejects.toThrow(/webgpu: needs a browser.*webgl: needs a browser/);
    expect(tf.getBackend()).toBe(before);
  });
});
