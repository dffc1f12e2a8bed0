// Each wasm gradient kernel against the cpu backend's (independent, loop-based) kernel of the same
// name, on random small geometries: 'same', 'valid' and explicit padding, strides 1-3. The depthwise
// kernels also take dilations, which tfjs's cpu kernels ignore (tfjs never asks for dilated
// gradients), so those are checked against a float64 loop written from the forward definition.
// Tolerance: 1e-4 of the largest |expected value|.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { conv2dBackpropInput, registerWasmTrainingKernels } from '../../src/wasm/index.js';
import {
  convCaseArb,
  convInfo,
  depthwiseGradReference,
  randomInput,
  relativeError,
  runKernelOn,
  type ConvCase,
  type InputSpec,
} from './helpers.js';

const TOLERANCE = 1e-4;
const RUNS = 25;

// Registering before the wasm backend first initialises (it does so in the first runKernelOn('wasm'))
// also checks that the replaced Conv2DBackpropInput keeps the setup its strided fallback needs.
beforeAll(() => {
  registerWasmTrainingKernels();
});

/** Runs `name` on cpu and wasm and checks shapes agree and values within {@link TOLERANCE}. */
async function expectWasmMatchesCpu(name: string, inputs: Record<string, InputSpec>, attrs: tf.NamedAttrMap): Promise<void> {
  const cpu = await runKernelOn('cpu', name, inputs, attrs);
  const wasm = await runKernelOn('wasm', name, inputs, attrs);
  expect(wasm.shape).toEqual(cpu.shape);
  expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
}

/** Runs `name` on wasm and checks it against float64 reference values of the given shape. */
async function expectWasmMatches(
  name: string,
  inputs: Record<string, InputSpec>,
  attrs: tf.NamedAttrMap,
  expected: { shape: number[]; values: ArrayLike<number> },
): Promise<void> {
  const wasm = await runKernelOn('wasm', name, inputs, attrs);
  expect(wasm.shape).toEqual(expected.shape);
  expect(relativeError(wasm.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
}

function conv2dGradInputs(k: ConvCase): { x: InputSpec; dy: InputSpec; filter: InputSpec } {
  const info = convInfo(k, false);
  return {
    x: randomInput([k.n, k.h, k.w, k.c], k.seed),
    dy: randomInput([k.n, info.outHeight, info.outWidth, k.out], k.seed + 1),
    filter: randomInput([k.kh, k.kw, k.c, k.out], k.seed + 2),
  };
}

function depthwiseGradInputs(k: ConvCase): { x: InputSpec; dy: InputSpec; filter: InputSpec } {
  const info = convInfo(k, true);
  return {
    x: randomInput([k.n, k.h, k.w, k.c], k.seed),
    dy: randomInput([k.n, info.outHeight, info.outWidth, k.c * k.out], k.seed + 1),
    filter: randomInput([k.kh, k.kw, k.c, k.out], k.seed + 2),
  };
}

describe('wasm convolution gradient kernels match cpu', () => {
  it('Conv2DBackpropFilter (composed)', async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(false), async (k) => {
        const { x, dy } = conv2dGradInputs(k);
        const attrs = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', filterShape: [k.kh, k.kw, k.c, k.out] };
        await expectWasmMatchesCpu('Conv2DBackpropFilter', { x, dy }, attrs);
      }),
      { numRuns: RUNS },
    );
  });

  it("Conv2DBackpropInput (composed at stride 1, the backend's otherwise)", async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(false), async (k) => {
        const { dy, filter } = conv2dGradInputs(k);
        const attrs = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', inputShape: [k.n, k.h, k.w, k.c] };
        await expectWasmMatchesCpu('Conv2DBackpropInput', { dy, filter }, attrs);
      }),
      { numRuns: RUNS },
    );
  });

  it('DepthwiseConv2dNativeBackpropFilter (composed)', async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(false), async (k) => {
        const { x, dy } = depthwiseGradInputs(k);
        const attrs = { strides: k.strides, dilations: k.dilations, pad: k.pad, filterShape: [k.kh, k.kw, k.c, k.out] };
        await expectWasmMatchesCpu('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs);
      }),
      { numRuns: RUNS },
    );
  });

  it('DepthwiseConv2dNativeBackpropInput (composed)', async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(false), async (k) => {
        const { dy, filter } = depthwiseGradInputs(k);
        const attrs = { strides: k.strides, dilations: k.dilations, pad: k.pad, inputShape: [k.n, k.h, k.w, k.c] };
        await expectWasmMatchesCpu('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs);
      }),
      { numRuns: RUNS },
    );
  });

  it('both depthwise gradients with dilations (composed) match a float64 reference', async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(true), async (k) => {
        const { x, dy, filter } = depthwiseGradInputs(k);
        const ref = depthwiseGradReference(k, x.values, dy.values, filter.values);
        const geometry = { strides: k.strides, dilations: k.dilations, pad: k.pad };
        await expectWasmMatches('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...geometry, filterShape: filter.shape }, {
          shape: filter.shape,
          values: ref.dFilter,
        });
        await expectWasmMatches('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...geometry, inputShape: x.shape }, {
          shape: x.shape,
          values: ref.dx,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('conv2dBackpropInput itself (composed) at every stride', async () => {
    await fc.assert(
      fc.asyncProperty(convCaseArb(false), async (k) => {
        const { dy, filter } = conv2dGradInputs(k);
        const attrs = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', inputShape: [k.n, k.h, k.w, k.c] };
        const cpu = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
        await useBackend('wasm');
        const inputs = { dy: tf.tensor(dy.values, dy.shape), filter: tf.tensor(filter.values, filter.shape) };
        const backend = tf.backend();
        const out = conv2dBackpropInput({ inputs, backend, attrs });
        const values = backend.readSync(out.dataId) as Float32Array;
        backend.disposeData(out.dataId);
        tf.dispose(Object.values(inputs));
        expect(out.shape).toEqual(cpu.shape);
        expect(relativeError(values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('wasm Tile (broadcast) matches cpu', () => {
  const tileCase = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 5 })
    .chain((axes) => fc.record({ axes: fc.constant(axes), dtype: fc.constantFrom('float32' as const, 'int32' as const), seed: fc.integer() }));

  it('on float32 and int32 tensors of rank 1-5', async () => {
    await fc.assert(
      fc.asyncProperty(tileCase, async ({ axes, dtype, seed }) => {
        const shape = axes.map(([s]) => s);
        const reps = axes.map(([, r]) => r);
        const x = randomInput(shape, seed);
        const values = dtype === 'int32' ? x.values.map((v) => Math.round(v * 100)) : x.values;
        const run = async (backend: string) => {
          await useBackend(backend);
          const input = tf.tensor(values, shape, dtype);
          const out = tf.tile(input, reps);
          const result = { shape: out.shape, dtype: out.dtype, values: Array.from(await out.data()) };
          tf.dispose([input, out]);
          return result;
        };
        const cpu = await run('cpu');
        expect(await run('wasm')).toEqual(cpu); // a copy: exact
      }),
      { numRuns: RUNS },
    );
  });
});
