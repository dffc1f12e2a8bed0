// Each oneDNN kernel of the zoobot-native backend against the cpu backend's (independent, loop-based)
// kernel of the same name, on random small geometries: 'same', 'valid' and explicit padding, strides
// 1-3, dilations 1-2 where tfjs's ops allow them. Tolerance: 1e-4 of the largest |expected value|.
// Skipped, saying why, when the addon is not built (`apt-get install -y libdnnl-dev && npm run build:native`).
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NATIVE_BACKEND, NATIVE_KERNEL_NAMES, registerNativeBackend } from '../../src/native/index.js';
import { RELU_BIAS_GRAD } from '../../src/architectures/fusedReluConv.js';
import { SWISH, SWISH_GRAD } from '../../src/architectures/fusedSwish.js';
import { batchNormTraining, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type NormActivation } from '../../src/architectures/fusedBatchNorm.js';
import { useBackend } from '../helpers/backends.js';
import { AdamW, ADAMW_UPDATE } from '../../src/training/adamw.js';
import { convCaseArb, convInfo, depthwiseGradReference, randomInput, relativeError, runKernelOn, type ConvCase, type InputSpec } from '../wasm/helpers.js';

const TOLERANCE = 1e-4;
const RUNS = 20;
// One oneDNN thread: test files run in parallel workers that share the cores.
const native = registerNativeBackend({ threads: 1 });
const suite = native.ok ? 'zoobot-native kernels match cpu' : `zoobot-native kernels (skipped: ${native.reason})`;

async function expectNativeMatchesCpu(name: string, inputs: Record<string, InputSpec>, attrs: tf.NamedAttrMap): Promise<void> {
  const cpu = await runKernelOn('cpu', name, inputs, attrs);
  const got = await runKernelOn(NATIVE_BACKEND, name, inputs, attrs);
  expect(got.shape).toEqual(cpu.shape);
  expect(relativeError(got.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
}

function convInputs(k: ConvCase, depthwise: boolean): { x: InputSpec; dy: InputSpec; filter: InputSpec } {
  const info = convInfo(k, depthwise);
  return {
    x: randomInput([k.n, k.h, k.w, k.c], k.seed),
    dy: randomInput([k.n, info.outHeight, info.outWidth, depthwise ? k.c * k.out : k.out], k.seed + 1),
    filter: randomInput([k.kh, k.kw, k.c, k.out], k.seed + 2),
  };
}

const activationArb = fc.constantFrom('linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu');

describe.skipIf(!native.ok)(suite, () => {
  it('replaces exactly the kernels it names, inherits every other cpu kernel and adds its fused kernels', () => {
    const cpu = tf.getKernelsForBackend('cpu');
    const ours = tf.getKernelsForBackend(NATIVE_BACKEND);
    expect(ours.map((k) => k.kernelName).sort()).toEqual([...cpu.map((k) => k.kernelName), RELU_BIAS_GRAD, SWISH, SWISH_GRAD, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, ADAMW_UPDATE].sort());
    for (const config of ours) {
      const cpuFunc = tf.getKernel(config.kernelName, 'cpu')?.kernelFunc;
      expect(config.kernelFunc === cpuFunc, config.kernelName).toBe(!NATIVE_KERNEL_NAMES.includes(config.kernelName));
    }
  });

  it('Conv2D, with strides or dilations', async () => {
    await fc.assert(fc.asyncProperty(convCaseArb(true), async (k) => {
      const { x, filter } = convInputs(k, false);
      await expectNativeMatchesCpu('Conv2D', { x, filter }, { strides: k.strides, dilations: k.dilations, pad: k.pad, dataFormat: 'NHWC' });
    }), { numRuns: RUNS });
  });

  it('FusedConv2D with bias and each activation', async () => {
    await fc.assert(fc.asyncProperty(convCaseArb(true), activationArb, async (k, activation) => {
      const { x, filter } = convInputs(k, false);
      const bias = randomInput([k.out], k.seed + 3);
      const attrs = { strides: k.strides, dilations: k.dilations, pad: k.pad, dataFormat: 'NHWC', activation, leakyreluAlpha: 0.3 };
      await expectNativeMatchesCpu('FusedConv2D', { x, filter, bias }, attrs);
    }), { numRuns: RUNS });
  });

  it('Conv2DBackpropInput', async () => {
    await fc.assert(fc.asyncProperty(convCaseArb(false), async (k) => {
      const { dy, filter } = convInputs(k, false);
      await expectNativeMatchesCpu('Conv2DBackpropInput', { dy, filter }, { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', inputShape: [k.n, k.h, k.w, k.c] });
    }), { numRuns: RUNS });
  });

  it('Conv2DBackpropFilter', async () => {
    await fc.assert(fc.asyncProperty(convCaseArb(false), async (k) => {
      const { x, dy } = convInputs(k, false);
      await expectNativeMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', filterShape: [k.kh, k.kw, k.c, k.out] });
    }), { numRuns: RUNS });
  });

  it('Conv2DBackpropFilter of strided 1x1 convolutions (a matrix product in the addon: oneDNN 2.6 corrupted the heap there)', async () => {
    const strided = convCaseArb(false).map((k) => ({ ...k, kh: 1, kw: 1 })).filter((k) => k.strides[0] > 1 || k.strides[1] > 1);
    await fc.assert(fc.asyncProperty(strided, async (k) => {
      const { x, dy } = convInputs(k, false);
      await expectNativeMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', filterShape: [1, 1, k.c, k.out] });
    }), { numRuns: 200 });
  });

  it('Conv2D, FusedConv2D and both gradients with 8-11 channels in and out (oneDNN blocked layouts, reordered in and out)', async () => {
    const blockedCase = convCaseArb(true).map((k) => ({ ...k, c: k.c + 7, out: k.out + 8 }));
    await fc.assert(fc.asyncProperty(blockedCase, async (k) => {
      const { x, dy, filter } = convInputs(k, false);
      const geometry = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC' };
      await expectNativeMatchesCpu('FusedConv2D', { x, filter, bias: randomInput([k.out], k.seed + 3) }, { ...geometry, dilations: k.dilations, activation: 'relu' });
      if (k.dilations[0] > 1 || k.dilations[1] > 1) return; // tfjs's gradients take no dilations
      await expectNativeMatchesCpu('Conv2D', { x, filter }, { ...geometry, dilations: 1 });
      await expectNativeMatchesCpu('Conv2DBackpropInput', { dy, filter }, { ...geometry, inputShape: [k.n, k.h, k.w, k.c] });
      await expectNativeMatchesCpu('Conv2DBackpropFilter', { x, dy }, { ...geometry, filterShape: [k.kh, k.kw, k.c, k.out] });
    }), { numRuns: RUNS });
  });

  it('DepthwiseConv2dNative (channel multiplier 1-3), with strides or dilations', async () => {
    await fc.assert(fc.asyncProperty(convCaseArb(true), async (k) => {
      const { x, filter } = convInputs(k, true);
      await expectNativeMatchesCpu('DepthwiseConv2dNative', { x, filter }, { strides: k.strides, dilations: k.dilations, pad: k.pad, dataFormat: 'NHWC' });
    }), { numRuns: RUNS });
  });

  const depthwiseCases = [
    ['', convCaseArb(true)],
    [' (64-67 channels, multiplier 1: the addon\'s own weight gradient)', convCaseArb(true).map((k) => ({ ...k, c: k.c + 63, out: 1 }))],
  ] as const;
  it.each(depthwiseCases)('both depthwise gradients match cpu, and a float64 reference with dilations%s', async (_, cases) => {
    await fc.assert(fc.asyncProperty(cases, async (k) => {
      const { x, dy, filter } = convInputs(k, true);
      const geometry = { strides: k.strides, dilations: k.dilations, pad: k.pad };
      const dilated = k.dilations.some((d) => d > 1);
      if (!dilated) {
        await expectNativeMatchesCpu('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...geometry, filterShape: filter.shape });
        await expectNativeMatchesCpu('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...geometry, inputShape: x.shape });
      }
      // tfjs's cpu kernels ignore dilations (tfjs never asks for dilated gradients): float64 loops instead.
      const ref = depthwiseGradReference(k, x.values, dy.values, filter.values);
      const dFilter = await runKernelOn(NATIVE_BACKEND, 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...geometry, filterShape: filter.shape });
      const dx = await runKernelOn(NATIVE_BACKEND, 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...geometry, inputShape: x.shape });
      expect(relativeError(dFilter.values, ref.dFilter)).toBeLessThanOrEqual(TOLERANCE);
      expect(relativeError(dx.values, ref.dx)).toBeLessThanOrEqual(TOLERANCE);
    }), { numRuns: RUNS });
  });

  it('BatchMatMul and _FusedMatMul: transposes, rank 2-4, broadcast single matrices', async () => {
    const matMulCase = fc.record({
      m: fc.integer({ min: 1, max: 6 }),
      k: fc.integer({ min: 1, max: 6 }),
      n: fc.integer({ min: 1, max: 6 }),
      leadA: fc.constantFrom([], [1], [2], [2, 3]),
      broadcastB: fc.boolean(),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      activation: activationArb,
      seed: fc.integer(),
    });
    await fc.assert(fc.asyncProperty(matMulCase, async ({ m, k, n, leadA, broadcastB, transposeA, transposeB, activation, seed }) => {
      const leadB = broadcastB ? [] : leadA;
      const a = randomInput([...leadA, ...(transposeA ? [k, m] : [m, k])], seed);
      const b = randomInput([...leadB, ...(transposeB ? [n, k] : [k, n])], seed + 1);
      await expectNativeMatchesCpu('BatchMatMul', { a, b }, { transposeA, transposeB });
      const bias = randomInput([n], seed + 2);
      await expectNativeMatchesCpu('_FusedMatMul', { a, b, bias }, { transposeA, transposeB, activation, leakyreluAlpha: 0.3 });
    }), { numRuns: RUNS });
  });

  const poolCase = fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 8 }),
    w: fc.integer({ min: 1, max: 8 }),
    c: fc.integer({ min: 1, max: 3 }),
    size: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.constantFrom('same' as const, 'valid' as const),
    seed: fc.integer(),
  }).filter((p) => {
    const info = tf.backend_util.computePool2DInfo([p.n, p.h, p.w, p.c], p.size, p.strides, 1, p.pad);
    return info.outHeight > 0 && info.outWidth > 0;
  });

  it('MaxPool, AvgPool and MaxPoolGrad', async () => {
    await fc.assert(fc.asyncProperty(poolCase, async (p) => {
      const x = randomInput([p.n, p.h, p.w, p.c], p.seed);
      const attrs = { filterSize: p.size, strides: p.strides, pad: p.pad };
      await expectNativeMatchesCpu('MaxPool', { x }, attrs);
      await expectNativeMatchesCpu('AvgPool', { x }, attrs);
      const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], p.size, p.strides, 1, p.pad);
      const dy = randomInput(info.outShape, p.seed + 1);
      // MaxPoolGrad reads dy and input; `output` must merely have the pooled shape.
      await expectNativeMatchesCpu('MaxPoolGrad', { dy, input: x, output: randomInput(info.outShape, p.seed + 2) }, attrs);
    }), { numRuns: RUNS });
  });

  it('MaxPoolGrad with ties and -Infinity routes each gradient to the element the cpu kernel picks', async () => {
    await fc.assert(fc.asyncProperty(poolCase, async (p) => {
      const random = randomInput([p.n, p.h, p.w, p.c], p.seed);
      // Three levels and -Infinity: most windows tie, some hold nothing but -Infinity.
      const x = { shape: random.shape, values: random.values.map((v) => (v < -0.75 ? -Infinity : Math.round(v))) };
      const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], p.size, p.strides, 1, p.pad);
      const attrs = { filterSize: p.size, strides: p.strides, pad: p.pad };
      await expectNativeMatchesCpu('MaxPoolGrad', { dy: randomInput(info.outShape, p.seed + 1), input: x, output: randomInput(info.outShape, p.seed + 2) }, attrs);
    }), { numRuns: RUNS });
  });

  it('Add, Sub, Multiply, RealDiv with any broadcast (scalars, biases, [n,1,1,c] against [n,h,w,c], both ways)', async () => {
    const binaryCase = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }).chain((shape) => fc.record({
      shape: fc.constant(shape),
      keepA: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), // false: that dim is 1
      keepB: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      dropA: fc.nat(shape.length), // leading dims left out entirely
      dropB: fc.nat(shape.length),
      op: fc.constantFrom('Add', 'Sub', 'Multiply', 'RealDiv'),
      seed: fc.integer(),
    }));
    await fc.assert(fc.asyncProperty(binaryCase, async ({ shape, keepA, keepB, dropA, dropB, op, seed }) => {
      const a = randomInput(shape.map((d, i) => (keepA[i] ? d : 1)).slice(dropA), seed);
      const b = randomInput(shape.map((d, i) => (keepB[i] ? d : 1)).slice(dropB), seed + 1);
      await expectNativeMatchesCpu(op, { a, b }, {});
    }), { numRuns: RUNS });
  });

  it('Relu, Step, Sqrt, Square, Sigmoid', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 }),
      fc.constantFrom('Relu', 'Step', 'Sqrt', 'Square', 'Sigmoid'),
      fc.integer(),
      async (shape, op, seed) => {
        const x = randomInput(shape, seed);
        // Sqrt of a negative is NaN on both backends, which relativeError would not compare: use |x|.
        const input = op === 'Sqrt' ? { shape, values: x.values.map(Math.abs) } : x;
        await expectNativeMatchesCpu(op, { x: input }, op === 'Step' ? { alpha: 0.25 } : {});
      },
    ), { numRuns: RUNS });
  });

  it(`${RELU_BIAS_GRAD}: the ReLU-masked gradient and its per-channel sum, as Step, Multiply and Sum on cpu`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 4, maxLength: 4 }), fc.integer(),
      async (shape, seed) => {
        const run = async (backend: string): Promise<Float32Array[]> => {
          await useBackend(backend);
          return tf.tidy(() => {
            const dy = tf.tensor(randomInput(shape, seed).values, shape);
            const y = tf.relu(tf.tensor(randomInput(shape, seed + 1).values, shape)); // half of it exactly 0
            const out = backend === 'cpu'
              ? [tf.mul(dy, tf.step(y)), tf.sum(tf.mul(dy, tf.step(y)), [0, 1, 2])]
              : tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }) as unknown as tf.Tensor[];
            return out.map((t) => t.dataSync() as Float32Array);
          });
        };
        const [want, got] = [await run('cpu'), await run(NATIVE_BACKEND)];
        expect(got.map((t) => t.length)).toEqual(want.map((t) => t.length));
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected)).toBeLessThanOrEqual(TOLERANCE));
      },
    ), { numRuns: RUNS });
  });

  it(`${SWISH} and ${SWISH_GRAD} equal x * sigmoid(x) and dy * s * (1 + x * (1 - s)) on cpu`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer(), fc.constantFrom(1, 10),
      async (shape, seed, scale) => {
        const run = async (backend: string): Promise<Float32Array[]> => {
          await useBackend(backend);
          return tf.tidy(() => {
            const x = tf.mul(tf.tensor(randomInput(shape, seed).values, shape), scale);
            const dy = tf.tensor(randomInput(shape, seed + 1).values, shape);
            const s = tf.sigmoid(x);
            const out = backend === 'cpu'
              ? [tf.mul(x, s), tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(x, tf.sub(1, s)))))]
              : [tf.engine().runKernel(SWISH, { x }) as tf.Tensor, tf.engine().runKernel(SWISH_GRAD, { x, dy }) as tf.Tensor];
            return out.map((t) => t.dataSync() as Float32Array);
          });
        };
        const [want, got] = [await run('cpu'), await run(NATIVE_BACKEND)];
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected)).toBeLessThanOrEqual(TOLERANCE));
      },
    ), { numRuns: RUNS });
  });

  it(`${BATCH_NORM_TRAIN} and ${BATCH_NORM_TRAIN_GRAD}: batchNormTraining's output, statistics and gradients as on cpu, without and with swish`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 2, maxLength: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer(), fc.constantFrom(0, 5),
      fc.constantFrom<NormActivation>('linear', 'swish'),
      async (outer, c, seed, offset, activation) => {
        const shape = [...outer, c];
        const run = async (backend: string): Promise<Float32Array[]> => {
          await useBackend(backend);
          return tf.tidy(() => {
            const x = tf.add(tf.tensor(randomInput(shape, seed).values, shape), offset);
            const gamma = tf.tensor1d(randomInput([c], seed + 1).values);
            const beta = tf.tensor1d(randomInput([c], seed + 2).values);
            const weights = tf.tensor(randomInput(shape, seed + 3).values, shape);
            const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
              const { y, mean, variance } = batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, activation);
              tf.dispose([mean, variance]); // kept out of every scope by batchNormTraining
              return tf.sum(tf.mul(y, weights));
            };
            const { grads } = tf.valueAndGrads(f)([x, gamma, beta]);
            // y itself, not the weighted sum: that scalar can cancel to near 0 and magnify rounding.
            const { y, mean, variance } = batchNormTraining(x, gamma, beta, 1e-3, activation);
            const out = [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
            tf.dispose([mean, variance]);
            return out;
          });
        };
        const [want, got] = [await run('cpu'), await run(NATIVE_BACKEND)];
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(TOLERANCE));
      },
    ), { numRuns: RUNS });
  });

  it(`${ADAMW_UPDATE}: three AdamW steps (weight decay on matrices only) give the variables and moments cpu's composed step gives`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), fc.integer(),
      async (shape, seed) => {
        const run = async (backend: string): Promise<Float32Array[]> => {
          await useBackend(backend);
          const variable = tf.variable(tf.tensor(randomInput(shape, seed).values, shape), true, `adamw_${backend}_${seed}_${shape.join('x')}`);
          const optimizer = new AdamW({ learningRate: 0.01, weightDecay: 0.05 });
          for (let step = 0; step < 3; step += 1) {
            const gradient = tf.tensor(randomInput(shape, seed + 1 + step).values, shape);
            optimizer.applyGradients({ [variable.name]: gradient });
            gradient.dispose();
          }
          const moments = await optimizer.getWeights();
          const out = [variable, ...moments.slice(1).map((w) => w.tensor)].map((t) => t.dataSync() as Float32Array);
          tf.dispose([moments[0]!.tensor]);
          optimizer.dispose();
          variable.dispose();
          return out;
        };
        const [want, got] = [await run('cpu'), await run(NATIVE_BACKEND)];
        expect(got.length).toBe(3);
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(1e-5));
      },
    ), { numRuns: RUNS });
  });

  it('Sum and Mean over a contiguous block of axes, with and without keepDims', async () => {
    const reduceCase = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) => fc.record({
      shape: fc.constant(shape),
      start: fc.nat(shape.length - 1),
      count: fc.integer({ min: 1, max: shape.length }),
      keepDims: fc.boolean(),
      op: fc.constantFrom('Sum', 'Mean'),
      seed: fc.integer(),
    }));
    await fc.assert(fc.asyncProperty(reduceCase, async ({ shape, start, count, keepDims, op, seed }) => {
      const axis = Array.from({ length: Math.min(count, shape.length - start) }, (_, i) => start + i);
      await expectNativeMatchesCpu(op, { x: randomInput(shape, seed) }, { axis, keepDims });
    }), { numRuns: RUNS });
  });

  it('FusedBatchNorm (inference) with and without offset and scale', async () => {
    const bnCase = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      withOffset: fc.boolean(),
      withScale: fc.boolean(),
      seed: fc.integer(),
    });
    await fc.assert(fc.asyncProperty(bnCase, async ({ shape, withOffset, withScale, seed }) => {
      const c = shape.at(-1)!;
      const variance = randomInput([c], seed + 2);
      const inputs: Record<string, InputSpec> = {
        x: randomInput(shape, seed), mean: randomInput([c], seed + 1), variance: { shape: [c], values: variance.values.map(Math.abs) },
      };
      if (withOffset) inputs['offset'] = randomInput([c], seed + 3);
      if (withScale) inputs['scale'] = randomInput([c], seed + 4);
      await expectNativeMatchesCpu('FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
    }), { numRuns: RUNS });
  });

  it('PadV2 with a constant, rank 1-4', async () => {
    const padCase = fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 4 }).chain((dims) => fc.record({
      dims: fc.constant(dims), constantValue: fc.constantFrom(0, 1.5), seed: fc.integer(),
    }));
    await fc.assert(fc.asyncProperty(padCase, async ({ dims, constantValue, seed }) => {
      const x = randomInput(dims.map(([d]) => d), seed);
      await expectNativeMatchesCpu('PadV2', { x }, { paddings: dims.map(([, before, after]) => [before, after]), constantValue });
    }), { numRuns: RUNS });
  });

  it('Slice and Tile, rank 1-4', async () => {
    const copyCase = fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(4), fc.nat(4), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 })
      .chain((dims) => fc.record({ dims: fc.constant(dims), seed: fc.integer() }));
    await fc.assert(fc.asyncProperty(copyCase, async ({ dims, seed }) => {
      const x = randomInput(dims.map(([d]) => d), seed);
      const begin = dims.map(([d, b]) => b % d);
      const size = dims.map(([d, b, s], i) => 1 + (s % (d - begin[i]!)));
      await expectNativeMatchesCpu('Slice', { x }, { begin, size });
      await expectNativeMatchesCpu('Tile', { x }, { reps: dims.map(([, , , r]) => r) });
    }), { numRuns: RUNS });
  });

  it('with two threads, passes over 4M+ elements split by rows equal the one-thread kernels (batch norm, ReLU-bias and max-pool gradients, broadcast arithmetic, sums, slices and padding)', async () => {
    // One thread is checked against cpu above; this checks that the row split and the per-part
    // sums change nothing but float64 summation order.
    const shape = [16, 64, 64, 64]; // 4.2M elements: above the addon's one-thread limit
    const x = randomInput(shape, 1), dy = randomInput(shape, 2);
    const run = (threads: number): Float32Array[] => {
      registerNativeBackend({ threads });
      // The tensors leave tf.tidy, not their arrays: tidy would walk every element of a typed array.
      const outputs = tf.tidy(() => {
        const xt = tf.add(tf.tensor(x.values, shape), 3);
        const dyt = tf.tensor(dy.values, shape);
        const gamma = tf.tensor1d(randomInput([64], 3).values);
        const beta = tf.tensor1d(randomInput([64], 4).values);
        const kernel = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
          [tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[]].flat();
        const [y, mean, variance] = kernel(BATCH_NORM_TRAIN, { x: xt, gamma, beta }, { varianceEpsilon: 1e-3 });
        const bnGrads = kernel(BATCH_NORM_TRAIN_GRAD, { dy: dyt, x: xt, gamma, beta, mean: mean!, variance: variance! }, { varianceEpsilon: 1e-3 });
        const swished = { varianceEpsilon: 1e-3, activation: 'swish' };
        const bnSwish = kernel(BATCH_NORM_TRAIN, { x: xt, gamma, beta }, swished);
        const bnSwishGrads = kernel(BATCH_NORM_TRAIN_GRAD, { dy: dyt, x: xt, gamma, beta, mean: mean!, variance: variance! }, swished);
        const reluBias = kernel(RELU_BIAS_GRAD, { dy: dyt, y: tf.relu(xt.sub(3)) });
        const pooled = tf.maxPool(xt as tf.Tensor4D, 2, 2, 'same');
        const poolGrad = kernel('MaxPoolGrad', { dy: tf.onesLike(pooled), input: xt, output: pooled }, { filterSize: 2, strides: 2, pad: 'same' });
        const binary = [tf.mul(xt, tf.reshape(tf.range(0, 16 * 64), [16, 1, 1, 64])), tf.div(dyt, xt)];
        const reductions = [tf.sum(dyt, [0, 1, 2]), tf.mean(dyt, [1, 2])];
        const inferenceNorm = tf.batchNorm(xt, mean!, variance!, beta, gamma, 1e-3);
        const copies = [tf.slice(xt, [1, 2, 3, 4], [14, 60, 50, 40]), tf.pad(dyt, [[0, 0], [1, 2], [2, 1], [0, 0]], 0.5)];
        return [y!, mean!, variance!, ...bnGrads, ...bnSwish, ...bnSwishGrads, ...reluBias, ...poolGrad, ...binary, ...reductions, inferenceNorm, ...copies];
      });
      const values = outputs.map((t) => t.dataSync() as Float32Array);
      tf.dispose(outputs);
      return values;
    };
    await useBackend(NATIVE_BACKEND);
    try {
      const [one, two] = [run(1), run(2)];
      expect(two.length).toBe(22);
      one.forEach((expected, i) => expect(relativeError(two[i]!, expected), `output ${i}`).toBeLessThanOrEqual(1e-5));
    } finally {
      registerNativeBackend({ threads: 1 });
    }
  });

  it('hands cases it does not take (NCHW, PReLU) to the cpu kernel', async () => {
    const x = randomInput([1, 2, 5, 5], 1);
    const filter = randomInput([3, 3, 2, 3], 2);
    await expectNativeMatchesCpu('Conv2D', { x, filter }, { strides: 1, dilations: 1, pad: 'same', dataFormat: 'NCHW' });
    const xh = randomInput([1, 5, 5, 2], 3);
    const alpha = randomInput([3], 4);
    await expectNativeMatchesCpu('FusedConv2D', { x: xh, filter, preluActivationWeights: alpha }, { strides: 1, dilations: 1, pad: 'same', dataFormat: 'NHWC', activation: 'prelu' });
  });
});
