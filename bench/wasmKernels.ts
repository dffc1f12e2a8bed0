// Training speed of the W+20 VGG (64 px, batch 32, Adam, Dirichlet-multinomial loss) on the wasm
// backend with zoobot-ts's kernels, against the kernels it registered before the matrix-multiplication
// and heap versions (Conv2DBackpropFilter as a convolution; wasm's own Sum, Mean, BatchMatMul, MaxPoolGrad and Identity),
// measured alternately in the same process; a per-kernel table of one step of each; and per-kernel
// timings of the composed convolution backprops next to the forward op of the same geometry.
// Speeds and per-shape times are of CPU time (see bestCpuMs); the per-kernel tables are tf.profile's
// wall times. `npm run bench -- wasmKernels`.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decalsDr5Schema } from '../src/decisionTree/index.js';
import { dirichletMultinomialNLL } from '../src/losses/index.js';
import { zoobotModel } from '../src/architectures/index.js';
import { registerWasmTrainingKernels, wasmCapabilities } from '../src/wasm/index.js';
import { conv2dBackpropFilterByConvolution } from '../src/wasm/conv2dBackpropFilter.js';
import { useBackend } from './util.js';

const BATCH = 32;
const SIZE = 64;
const ROUNDS = 3;
const REPEATS = 5;

/**
 * Least CPU time (user + system, ms) of `repeats` runs of `fn` after one warm-up. The wasm backend
 * runs on one thread in Node, so its CPU time is its work; on a shared machine, wall time also
 * counts the waits for a core (it varied 2× between runs here) and other processes only ever add
 * time, hence the minimum.
 */
async function bestCpuMs(fn: () => Promise<void>, repeats: number): Promise<number> {
  await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i += 1) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** Kernels whose implementation changed; `previous` maps each to what ran before. */
const CHANGED = ['Conv2DBackpropFilter', 'Sum', 'Mean', 'BatchMatMul', 'MaxPoolGrad', 'Identity'] as const;
type KernelSet = Map<string, tf.KernelFunc>;

/** Registers `set`'s kernel functions for wasm, keeping each kernel's setup and dispose hooks. */
function useKernels(set: KernelSet): void {
  for (const [kernelName, kernelFunc] of set) {
    const current = tf.getKernel(kernelName, 'wasm');
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...current, kernelName, backendName: 'wasm', kernelFunc });
  }
}

function currentKernels(): KernelSet {
  return new Map(CHANGED.map((name) => [name, tf.getKernel(name, 'wasm')?.kernelFunc as tf.KernelFunc]));
}

interface Trainer {
  step: () => Promise<void>;
  dispose: () => void;
}

function vggTrainer(): Trainer {
  const model = zoobotModel({ schema: decalsDr5Schema, architecture: 'vgg', inputShape: [SIZE, SIZE, 1], seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 1], 0, 1, 'float32', 1);
  const counts = tf.floor(tf.randomUniform([BATCH, decalsDr5Schema.answerCount], 0, 10, 'float32', 2));
  return {
    step: async () => {
      const loss = optimizer.minimize(
        () => tf.mean(dirichletMultinomialNLL(counts, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        true,
      );
      await loss?.data();
      loss?.dispose();
    },
    dispose: () => {
      tf.dispose([x, counts]);
      optimizer.dispose();
      model.layers.forEach((l) => l.dispose());
    },
  };
}

/**
 * Per kernel name: total ms (tf.profile's wall time) and calls in one step, the least over `runs`
 * profiled steps (so that another process's burst inflates no entry), largest first.
 */
async function kernelTable(step: () => Promise<void>, runs = 3): Promise<Record<string, string>> {
  const totals = new Map<string, { ms: number; calls: number }>();
  for (let run = 0; run < runs; run += 1) {
    const profile = await tf.profile(step);
    const once = new Map<string, { ms: number; calls: number }>();
    for (const k of profile.kernels) {
      const entry = once.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += Number(k.kernelTimeMs);
      entry.calls += 1;
      once.set(k.name, entry);
    }
    for (const [name, entry] of once) if (entry.ms < (totals.get(name)?.ms ?? Number.POSITIVE_INFINITY)) totals.set(name, entry);
  }
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  return Object.fromEntries(rows.map(([name, e]) => [name, `${e.ms.toFixed(1)} ms / ${e.calls} calls`]));
}

/** VGG training images/s with the previous and current kernels, alternating, plus a kernel table of each. */
async function vggComparison(previous: KernelSet, current: KernelSet): Promise<Record<string, unknown>> {
  const trainer = vggTrainer();
  const images: Record<'previous' | 'current', number[]> = { previous: [], current: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, set] of [['previous', previous], ['current', current]] as const) {
      useKernels(set);
      images[name].push((BATCH * 1000) / (await bestCpuMs(trainer.step, REPEATS - 2)));
    }
  }
  useKernels(previous);
  const previousKernels = await kernelTable(trainer.step);
  useKernels(current);
  const currentKernels = await kernelTable(trainer.step);
  trainer.dispose();
  const best = (xs: number[]): number => Math.max(...xs);
  return {
    model: `zoobot VGG (W+20) ${SIZE}x${SIZE}x1, batch ${BATCH}, Adam, Dirichlet-multinomial loss`,
    trainImagesPerSecondOfCpuTime: { previous: images.previous, current: images.current, speedup: best(images.current) / best(images.previous) },
    kernelsMs: { previous: previousKernels, current: currentKernels },
  };
}

interface KernelShape {
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  depthwise: boolean;
}

// VGG 3x3 convs at 64 px batch 32, an EfficientNet stem, a 1x1 expansion, depthwise 3x3 (stride 1 and 2) and 5x5.
const SHAPES: KernelShape[] = [
  { label: 'vgg conv3x3 64px 32->32', x: [32, 64, 64, 32], filter: [3, 3, 32, 32], strides: 1, depthwise: false },
  { label: 'vgg conv3x3 16px 64->128', x: [32, 16, 16, 64], filter: [3, 3, 64, 128], strides: 1, depthwise: false },
  { label: 'stem conv3x3/2 128px 1->32', x: [4, 128, 128, 1], filter: [3, 3, 1, 32], strides: 2, depthwise: false },
  { label: 'expand conv1x1 28px 40->240', x: [4, 28, 28, 40], filter: [1, 1, 40, 240], strides: 1, depthwise: false },
  { label: 'depthwise 3x3 56px x144', x: [4, 56, 56, 144], filter: [3, 3, 144, 1], strides: 1, depthwise: true },
  { label: 'depthwise 3x3/2 56px x144', x: [4, 56, 56, 144], filter: [3, 3, 144, 1], strides: 2, depthwise: true },
  { label: 'depthwise 5x5 14px x480', x: [4, 14, 14, 480], filter: [5, 5, 480, 1], strides: 1, depthwise: true },
];

/** Least CPU ms of the forward op and both backprops for one shape; for convolutions also of the convolution-composed filter gradient. */
async function timeKernels(s: KernelShape): Promise<Record<string, number | string>> {
  const x = tf.randomNormal(s.x);
  const filter = tf.randomNormal(s.filter);
  const y = s.depthwise ? tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s.strides, 'same') : tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s.strides, 'same');
  const dy = tf.randomNormal(y.shape);
  const geometry = { strides: s.strides, pad: 'same', dilations: 1, dataFormat: 'NHWC' };
  const names = s.depthwise
    ? { forward: 'DepthwiseConv2dNative', filter: 'DepthwiseConv2dNativeBackpropFilter', input: 'DepthwiseConv2dNativeBackpropInput' }
    : { forward: 'Conv2D', filter: 'Conv2DBackpropFilter', input: 'Conv2DBackpropInput' };
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => async () => {
    const out = tf.engine().runKernel(name, inputs, { ...geometry, ...attrs }) as tf.Tensor;
    await out.data();
    out.dispose();
  };
  const byConvolution = async (): Promise<void> => {
    const backend = tf.backend();
    backend.disposeData(conv2dBackpropFilterByConvolution({ inputs: { x, dy }, backend, attrs: { ...geometry, filterShape: s.filter } }).dataId);
  };
  const result = {
    shape: s.label,
    forwardMs: await bestCpuMs(run(names.forward, { x, filter }, {}), REPEATS),
    backpropFilterMs: await bestCpuMs(run(names.filter, { x, dy }, { filterShape: s.filter }), REPEATS),
    ...(s.depthwise ? {} : { backpropFilterByConvolutionMs: await bestCpuMs(byConvolution, REPEATS) }),
    backpropInputMs: await bestCpuMs(run(names.input, { dy, filter }, { inputShape: s.x }), REPEATS),
  };
  tf.dispose([x, filter, y, dy]);
  return result;
}

/** @returns VGG training images/s before and after, per-kernel tables, per-shape kernel ms, and the wasm module's features. */
export async function run(): Promise<unknown> {
  await useBackend('wasm');
  const shipped = currentKernels(); // Sum, Mean, BatchMatMul, MaxPoolGrad, Identity as wasm ships them (no Conv2DBackpropFilter yet)
  registerWasmTrainingKernels();
  const current = currentKernels();
  const previous: KernelSet = new Map([...current, ...[...shipped].filter(([, f]) => f !== undefined)]);
  previous.set('Conv2DBackpropFilter', conv2dBackpropFilterByConvolution);
  const vgg = await vggComparison(previous, current);
  const kernels = [];
  for (const shape of SHAPES) kernels.push(await timeKernels(shape));
  return { vgg, wasm: await wasmCapabilities(), kernelsCpuMs: kernels };
}
