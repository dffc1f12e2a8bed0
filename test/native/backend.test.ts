// How hosts reach the native backend: selectBackend() picks it when built (before wasm) and says why
// when not; useNodeBackend('zoobot-native') (the CLI's --backend) activates it or throws the reason.
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/backend/index.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/native/index.js';
import { useNodeBackend } from '../../src/node/backend.js';

// One oneDNN thread: test files run in parallel workers that share the cores.
const native = registerNativeBackend({ threads: 1 });
const reason = native.ok ? '' : ` (skipped: ${native.reason})`;

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!native.ok)(`zoobot-native as a host's backend${reason}`, () => {
  it('selectBackend() picks it before wasm, and it computes', async () => {
    const { backend, tried } = await selectBackend({ prefer: ['webgl', NATIVE_BACKEND, 'wasm', 'cpu'] });
    expect(backend).toBe(NATIVE_BACKEND);
    expect(tried.map((t) => [t.name, t.ok])).toEqual([['webgl', false], [NATIVE_BACKEND, true]]);
    // A 2x2 convolution of a 3x3 image with a 2x2 filter of ones: window sums, by hand.
    const y = tf.tidy(() => tf.conv2d(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid').arraySync());
    expect(y).toEqual([[[[12], [16]], [[24], [28]]]]);
  });

  it("useNodeBackend('zoobot-native') activates it", async () => {
    expect(await useNodeBackend(NATIVE_BACKEND)).toBe(NATIVE_BACKEND);
    expect(tf.getBackend()).toBe(NATIVE_BACKEND);
  });
});

describe('zoobot-native when the addon is absent', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('reports the missing file and the command that builds it, and useNodeBackend throws that reason', async () => {
    vi.stubEnv('ZOOBOT_NATIVE_ADDON', '/nonexistent/zoobot_native.node');
    vi.resetModules(); // a fresh loader, which has not cached the real addon
    const fresh = await import('../../src/native/index.js');
    const outcome = fresh.registerNativeBackend();
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(/not built \(\/nonexistent\/zoobot_native\.node is missing\).*libdnnl-dev.*npm run build:native/);
    const { useNodeBackend: freshUse } = await import('../../src/node/backend.js');
    const { BackendError: FreshBackendError } = await import('../../src/errors.js');
    await expect(freshUse(NATIVE_BACKEND)).rejects.toThrow(FreshBackendError);
    await expect(freshUse(NATIVE_BACKEND)).rejects.toThrow(/zoobot-native' is not available: .*npm run build:native/);
  });

  it('reports a file that is not a loadable addon', async () => {
    vi.stubEnv('ZOOBOT_NATIVE_ADDON', new URL(import.meta.url).pathname); // this test file: exists, cannot load
    vi.resetModules();
    const fresh = await import('../../src/native/index.js');
    const outcome = fresh.loadNativeAddon();
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(/failed to load: .*npm run build:native/);
  });
});
