// The wasm backend runs XNNPACK on 2 threads in Node once initWasmWithNodeThreads starts it (tfjs 4.22
// runs 1 there), and its convolutions still match the cpu backend. Runs in its own process (vitest
// forks per file), because the thread pool is fixed when the backend first initialises.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import '../helpers/backends.js'; // sets the wasm binaries' folder
import { ConfigError } from '../../src/errors.js';
import { initWasmWithNodeThreads, MAX_WASM_THREADS } from '../../src/wasm/nodeThreads.js';
import { wasmCapabilities } from '../../src/wasm/index.js';

describe('initWasmWithNodeThreads', () => {
  it('rejects thread counts outside 1..8 before touching the backend', async () => {
    for (const threads of [0, 1.5, MAX_WASM_THREADS + 1]) {
      await expect(initWasmWithNodeThreads(threads, setThreadsCount, () => tf.setBackend('wasm'))).rejects.toThrow(ConfigError);
    }
  });

  it('starts wasm with 2 threads whose convolutions equal the cpu backend', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([2, 17, 19, 8], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', 2);
    const onCpu = await tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same').data();
    const [xv, fv] = [await x.data(), await filter.data()];
    tf.dispose([x, filter]);

    expect(await initWasmWithNodeThreads(2, setThreadsCount, () => tf.setBackend('wasm'))).toBe(2);
    expect(tf.getBackend()).toBe('wasm');
    expect((await wasmCapabilities()).threads).toBe(2);
    expect(globalThis.Blob).toBe(Blob); // the Blob substitute is removed again
    const onWasm = tf.tidy(() => tf.conv2d(tf.tensor4d(xv, [2, 17, 19, 8]), tf.tensor4d(fv, [3, 3, 8, 16]), 1, 'same'));
    const values = await onWasm.data();
    onWasm.dispose();
    let scale = 0;
    let diff = 0;
    onCpu.forEach((v, i) => { scale = Math.max(scale, Math.abs(v)); diff = Math.max(diff, Math.abs(v - (values[i] ?? Number.NaN))); });
    expect(diff / scale).toBeLessThan(1e-5);
  });
});
