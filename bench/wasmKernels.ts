// Training speed on the wasm backend with zoobot-ts's composed gradient kernels, against tfjs's cpu
// backend, plus per-kernel timings of the composed backprops next to the forward op of the same
// geometry, and of the replaced kernels (Conv2DBackpropInput, Tile) next to the ones wasm ships. `npm run bench -- wasmKernels`. ZOOBOT_BENCH_CPU_STEPS=0 skips the (slow) cpu steps.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, wasmCapabilities } from '../src/wasm/index.js';
import { timeMs, useBackend } from './util.js';

const BATCH = 16;
const SIZE = 64;
const OUTPUTS = 34;

/** The small convnet of docs/environment.md: conv 16-16-pool-32-32-pool, Dense 64, Dense 34. */
function smallConvnet(): tf.Sequential {
  const conv = (filters: number, first = false): tf.layers.Layer =>
    tf.layers.conv2d({ ...(first ? { inputShape: [SIZE, SIZE, 1] } : {}), filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  return tf.sequential({
    layers: [
      conv(16, true),
      conv(16),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(32),
      conv(32),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: OUTPUTS }),
    ],
  });
}

/** Images/s of optimizer.minimize steps on the current backend. */
async function trainImagesPerSecond(backend: string, steps: number, warmup: number): Promise<number> {
  await useBackend(backend);
  const model = smallConvnet();
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([BATCH, OUTPUTS], 0, 1, 'float32', 2);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar, true);
    await loss?.data();
    loss?.dispose();
  };
  const ms = await timeMs(step, { warmup, repeats: steps });
  tf.dispose([x, y]);
  optimizer.dispose();
  model.layers.forEach((l) => l.dispose());
  return (BATCH * 1000) / ms;
}

interface KernelShape {
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  depthwise: boolean;
}

// Representative layers: a VGG 3x3 conv, an EfficientNet stem, a 1x1 expansion, depthwise 3x3 (stride 1 and 2) and 5x5.
const SHAPES: KernelShape[] = [
  { label: 'vgg conv3x3 64px 16->16', x: [16, 64, 64, 16], filter: [3, 3, 16, 16], strides: 1, depthwise: false },
  { label: 'stem conv3x3/2 128px 1->32', x: [4, 128, 128, 1], filter: [3, 3, 1, 32], strides: 2, depthwise: false },
  { label: 'expand conv1x1 28px 40->240', x: [4, 28, 28, 40], filter: [1, 1, 40, 240], strides: 1, depthwise: false },
  { label: 'depthwise 3x3 56px x144', x: [4, 56, 56, 144], filter: [3, 3, 144, 1], strides: 1, depthwise: true },
  { label: 'depthwise 3x3/2 56px x144', x: [4, 56, 56, 144], filter: [3, 3, 144, 1], strides: 2, depthwise: true },
  { label: 'depthwise 5x5 14px x480', x: [4, 14, 14, 480], filter: [5, 5, 480, 1], strides: 1, depthwise: true },
];

/**
 * Median ms of the forward op and of both backprops for one shape on wasm, and for convolutions
 * also of the Conv2DBackpropInput that wasm ships (`shipped`), which the registration replaces at stride 1.
 */
function timeKernels(s: KernelShape, shipped: tf.KernelFunc): Promise<Record<string, number | string>> {
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
  const runShipped = (): void => {
    const backend = tf.backend();
    const out = shipped({ inputs: { dy, filter }, backend, attrs: { ...geometry, inputShape: s.x } }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  };
  return (async () => {
    const result = {
      shape: s.label,
      forwardMs: await timeMs(run(names.forward, { x, filter }, {})),
      backpropFilterMs: await timeMs(run(names.filter, { x, dy }, { filterShape: s.filter })),
      backpropInputMs: await timeMs(run(names.input, { dy, filter }, { inputShape: s.x })),
      ...(s.depthwise ? {} : { shippedBackpropInputMs: await timeMs(runShipped) }),
    };
    tf.dispose([x, filter, y, dy]);
    return result;
  })();
}

/** Median ms of batch-norm's gradient tile ([1, 1, 1, C] to [n, h, w, C]) with wasm's Tile and the replacement. */
async function timeTile(shipped: tf.KernelFunc): Promise<Record<string, number | string>> {
  const x = tf.randomNormal([1, 1, 1, 96]);
  const attrs = { reps: [4, 64, 64, 1] };
  const result = {
    shape: 'tile [1,1,1,96] to [4,64,64,96]',
    replacementMs: await timeMs(async () => {
      const out = tf.engine().runKernel('Tile', { x }, attrs) as tf.Tensor;
      await out.data();
      out.dispose();
    }),
    shippedMs: await timeMs(() => {
      const backend = tf.backend();
      backend.disposeData((shipped({ inputs: { x }, backend, attrs }) as tf.TensorInfo).dataId);
    }),
  };
  x.dispose();
  return result;
}

/** The kernel function wasm ships for `name`, before any replacement. */
function shippedKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`bench: wasm ships no ${name} (tfjs-backend-wasm changed?)`);
  return kernel.kernelFunc;
}

/** @returns Training images/s (wasm, cpu), per-kernel ms on wasm, and the wasm module's features. */
export async function run(): Promise<unknown> {
  const shipped = shippedKernel('Conv2DBackpropInput');
  const shippedTile = shippedKernel('Tile');
  registerWasmTrainingKernels();
  const cpuSteps = Number(process.env.ZOOBOT_BENCH_CPU_STEPS ?? 1);
  const wasmImagesPerSecond = await trainImagesPerSecond('wasm', 5, 2);
  const capabilities = await wasmCapabilities();
  const kernels = [];
  for (const shape of SHAPES) kernels.push(await timeKernels(shape, shipped));
  kernels.push(await timeTile(shippedTile));
  const cpuImagesPerSecond = cpuSteps > 0 ? await trainImagesPerSecond('cpu', cpuSteps, 0) : null;
  return {
    model: `conv 16-16-pool-32-32-pool, Dense 64, Dense ${OUTPUTS}; ${SIZE}x${SIZE}x1, batch ${BATCH}, adam`,
    trainImagesPerSecond: { wasm: wasmImagesPerSecond, cpu: cpuImagesPerSecond, cpuSteps },
    wasm: capabilities,
    kernelsMs: kernels,
  };
}
