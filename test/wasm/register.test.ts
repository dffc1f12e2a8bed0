// Registration is idempotent and composed kernels free every intermediate buffer they make.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { BackendError } from '../../src/errors.js';
import {
  composedWasmKernelNames,
  missingWasmKernelNames,
  registerWasmTrainingKernels,
  wasmCapabilities,
  wasmTrainingKernelNames,
} from '../../src/wasm/index.js';
import { KernelScope } from '../../src/wasm/kernelScope.js';
import { randomInput } from './helpers.js';

describe('registerWasmTrainingKernels', () => {
  beforeAll(async () => useBackend('wasm'));

  it('registers exactly the kernels wasm lacks, then the faster replacements, then nothing', () => {
    const shipped = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const shippedTile = tf.getKernel('Tile', 'wasm');
    expect(shipped).toBeDefined();
    expect(missingWasmKernelNames().every((name) => tf.getKernel(name, 'wasm') === undefined)).toBe(true);

    expect(registerWasmTrainingKernels({ replaceSlowKernels: false })).toEqual(missingWasmKernelNames());
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(shipped?.kernelFunc);

    expect(registerWasmTrainingKernels()).toEqual(['Conv2DBackpropInput', 'Tile', 'Sum', 'Mean', 'BatchMatMul', 'MaxPoolGrad', 'Identity']);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(shipped?.kernelFunc);
    expect(tf.getKernel('Tile', 'wasm')?.kernelFunc).not.toBe(shippedTile?.kernelFunc);
    expect(registerWasmTrainingKernels()).toEqual([]);

    expect(wasmTrainingKernelNames().sort()).toEqual(composedWasmKernelNames().sort());
    for (const name of composedWasmKernelNames()) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });
});

describe('composed kernels leak nothing', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
  });

  // Strided, padded geometries that exercise the spread, pad and crop paths.
  const x = randomInput([2, 7, 6, 3], 1);
  const cases: [string, Record<string, { shape: number[]; values: Float32Array }>, tf.NamedAttrMap][] = [
    ['Conv2DBackpropFilter', { x, dy: randomInput([2, 3, 3, 4], 2) }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 3, 4] }],
    ['DepthwiseConv2dNativeBackpropFilter', { x, dy: randomInput([2, 4, 3, 6], 3) }, { strides: 2, dilations: 1, pad: 'same', filterShape: [3, 3, 3, 2] }],
    ['Conv2DBackpropInput', { dy: randomInput([2, 3, 3, 4], 6), filter: randomInput([2, 2, 3, 4], 7) }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', inputShape: [2, 7, 6, 3] }],
    ['Tile', { x: randomInput([1, 1, 1, 3], 8) }, { reps: [2, 4, 5, 1] }],
    ['DepthwiseConv2dNativeBackpropInput', { dy: randomInput([2, 3, 3, 6], 4), filter: randomInput([2, 2, 3, 2], 5) }, { strides: 2, dilations: 1, pad: 'valid', inputShape: [2, 7, 6, 3] }],
    // Stride 1 with more positions than one chunk of the matrix-multiplication path holds.
    ['Conv2DBackpropFilter', { x: randomInput([2, 30, 30, 2], 9), dy: randomInput([2, 30, 30, 70], 10) }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 70] }],
    ['Sum', { x }, { axis: [0, 1, 2], keepDims: false }],
    ['Mean', { x }, { axis: [0, 1, 2], keepDims: true }],
    ['BatchMatMul', { a: randomInput([1, 5, 3], 11), b: randomInput([1, 4, 5], 12) }, { transposeA: true, transposeB: true }],
    ['MaxPoolGrad', { dy: randomInput([2, 4, 3, 3], 13), input: x, output: randomInput([2, 4, 3, 3], 14) }, { filterSize: 2, strides: 2, pad: 'same' }],
  ];

  it('Identity shares the buffer: the copy reads the same values and outlives the original', async () => {
    const backend = tf.engine().backend;
    const buffersBefore = backend.numDataIds();
    const original = tf.tensor([1.5, -2, 3, 4.25], [2, 2]);
    const copy = tf.clone(original);
    expect(backend.numDataIds()).toBe(buffersBefore + 1);
    original.dispose();
    expect(Array.from(await copy.data())).toEqual([1.5, -2, 3, 4.25]);
    expect(copy.shape).toEqual([2, 2]);
    copy.dispose();
    expect(backend.numDataIds()).toBe(buffersBefore);
    const ints = tf.tensor([1, 2, 3], [3], 'int32');
    const intsCopy = tf.clone(ints);
    expect(Array.from(await intsCopy.data())).toEqual([1, 2, 3]);
    tf.dispose([ints, intsCopy]);
  });

  it.each(cases)('%s frees its intermediates', (name, inputs, attrs) => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([key, s]) => [key, tf.tensor(s.values, s.shape)]));
    const backend = tf.engine().backend;
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(tensorsBefore + 1);
    expect(backend.numDataIds()).toBe(buffersBefore + 1);
    out.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(buffersBefore);
    tf.dispose(Object.values(tensors));
  });

  it('rejects NCHW with a BackendError and leaks nothing', () => {
    const [, inputs, attrs] = cases[0] ?? [];
    const tensors = Object.fromEntries(Object.entries(inputs ?? {}).map(([key, s]) => [key, tf.tensor(s.values, s.shape)]));
    const buffersBefore = tf.engine().backend.numDataIds();
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', tensors, { ...attrs, dataFormat: 'NCHW' })).toThrow(BackendError);
    expect(tf.engine().backend.numDataIds()).toBe(buffersBefore);
    tf.dispose(Object.values(tensors));
  });
});

describe('wasmCapabilities', () => {
  it("reports tfjs's own flags and the thread count of the running module", async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
    const caps = await wasmCapabilities();
    expect(caps.registered).toBe(true);
    expect(caps.simd).toBe(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    expect(caps.multithread).toBe(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    expect(caps.threads).toBeGreaterThanOrEqual(1);
    expect(caps.missingTrainingKernels).toEqual([]);
  });
});

describe('KernelScope heap buffers', () => {
  it('frees only buffers it made, and needs a backend with a heap', async () => {
    await useBackend('wasm');
    const x = tf.zeros([2, 3]);
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    const scope = new KernelScope(backend, 'wasm');
    const buffer = scope.alloc([4]);
    expect(scope.heap(buffer).length).toBe(4);
    expect(() => scope.free(x as unknown as tf.TensorInfo)).toThrow(BackendError);
    scope.free(buffer);
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
    await useBackend('cpu');
    expect(() => new KernelScope(tf.engine().backend, 'cpu').alloc([1])).toThrow(BackendError);
  });
});
