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

describe('wasm replacements of Sum, Mean, BatchMatMul and MaxPoolGrad match cpu', () => {
  it('Sum and Mean over leading axes (and other axes, which keep wasm’s kernels)', async () => {
    const sumCase = fc
      .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          axis: fc.subarray(shape.map((_, i) => (i % 2 === 0 ? i : i - shape.length)), { minLength: 1 }),
          keepDims: fc.boolean(),
          seed: fc.integer(),
        }),
      );
    await fc.assert(
      fc.asyncProperty(sumCase, async ({ shape, axis, keepDims, seed }) => {
        await expectWasmMatchesCpu('Sum', { x: randomInput(shape, seed) }, { axis, keepDims });
        await expectWasmMatchesCpu('Mean', { x: randomInput(shape, seed) }, { axis, keepDims });
      }),
      { numRuns: RUNS },
    );
  });

  it('BatchMatMul with transposed operands, rank 2 and 3', async () => {
    const matMulCase = fc.record({
      m: fc.integer({ min: 1, max: 6 }),
      k: fc.integer({ min: 1, max: 6 }),
      n: fc.integer({ min: 1, max: 6 }),
      batch: fc.constantFrom(0, 1, 2), // 0: rank-2 operands; 2 keeps wasm's own kernel
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(matMulCase, async ({ m, k, n, batch, transposeA, transposeB, seed }) => {
        const lead = batch === 0 ? [] : [batch];
        const a = randomInput([...lead, ...(transposeA ? [k, m] : [m, k])], seed);
        const b = randomInput([...lead, ...(transposeB ? [n, k] : [k, n])], seed + 1);
        await expectWasmMatchesCpu('BatchMatMul', { a, b }, { transposeA, transposeB });
      }),
      { numRuns: RUNS },
    );
  });

  it('MaxPoolGrad, with ties (values drawn from a few levels) broken as cpu breaks them', async () => {
    const poolCase = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 8 }),
      w: fc.integer({ min: 1, max: 8 }),
      c: fc.integer({ min: 1, max: 3 }),
      size: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pad: fc.constantFrom('same' as const, 'valid' as const),
      levels: fc.integer({ min: 1, max: 4 }),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(poolCase, async (p) => {
        const info = tf.backend_util.computePool2DInfo([p.n, p.h, p.w, p.c], p.size, p.strides, 1, p.pad);
        fc.pre(info.outHeight > 0 && info.outWidth > 0);
        const x = randomInput([p.n, p.h, p.w, p.c], p.seed);
        const input = { shape: x.shape, values: x.values.map((v) => Math.floor((v + 1) * p.levels)) };
        const dy = randomInput(info.outShape, p.seed + 1);
        // MaxPoolGrad reads only dy and input; `output` must merely have the pooled shape.
        const output = randomInput(info.outShape, p.seed + 2);
        await expectWasmMatchesCpu('MaxPoolGrad', { dy, input, output }, { filterSize: p.size, strides: p.strides, pad: p.pad });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Conv2DBackpropFilter at stride 1 over many positions', () => {
  it('matches cpu when the positions span several matrix-multiplication chunks', async () => {
    const bigCase = fc.record({
      h: fc.integer({ min: 20, max: 30 }),
      w: fc.integer({ min: 20, max: 30 }),
      c: fc.integer({ min: 1, max: 3 }),
      out: fc.integer({ min: 64, max: 80 }),
      kernel: fc.integer({ min: 1, max: 4 }),
      pad: fc.constantFrom('same' as const, 'valid' as const),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(bigCase, async (b) => {
        const k: ConvCase = { n: 2, h: b.h, w: b.w, c: b.c, out: b.out, kh: b.kernel, kw: b.kernel, strides: [1, 1], dilations: [1, 1], pad: b.pad, seed: b.seed };
        const { x, dy } = conv2dGradInputs(k);
        const attrs = { strides: 1, pad: b.pad, dataFormat: 'NHWC', filterShape: [k.kh, k.kw, k.c, k.out] };
        await expectWasmMatchesCpu('Conv2DBackpropFilter', { x, dy }, attrs);
      }),
      { numRuns: 5 },
    );
  });
});
