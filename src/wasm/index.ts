/**
 * Training on tfjs's `wasm` backend. tfjs-backend-wasm 4.22 cannot run a convnet's training step
 * (it has no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter` or
 * `DepthwiseConv2dNativeBackpropInput`); {@link registerWasmTrainingKernels} adds them, composed
 * from the backend's own XNNPACK convolutions and matrix multiplications, and swaps kernels it runs
 * slowly (stride-1 `Conv2DBackpropInput`, `Tile`, `Sum` and `Mean` over leading axes, transposed `BatchMatMul`,
 * `MaxPoolGrad`, `Identity`) for compositions or single passes over its heap. {@link wasmCapabilities} reports SIMD and threads.
 *
 * Browser-safe (no Node imports), and it never imports a backend package: the host does. In Node,
 * where tfjs runs wasm on one thread, `initWasmWithNodeThreads` from `zoobot-ts/node` starts its
 * multi-threaded binary instead.
 *
 * @example Enabling wasm training in a host
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'; // registers the 'wasm' backend
 * import { registerWasmTrainingKernels, wasmCapabilities } from 'zoobot-ts/wasm';
 *
 * // Where the .wasm binaries are served from (a URL or path ending in '/'). In Node, point it at
 * // node_modules/@tensorflow/tfjs-backend-wasm/dist/.
 * setWasmPaths('/static/tfjs-backend-wasm/');
 * await tf.setBackend('wasm');
 * await tf.ready();
 * registerWasmTrainingKernels();
 * console.log(await wasmCapabilities()); // { simd: true, multithread: false, threads: 1, ... }
 * await model.fit(xs, ys);
 * ```
 *
 * @module wasm
 */
export {
  registerWasmTrainingKernels,
  wasmTrainingKernelNames,
  composedWasmKernelNames,
  missingWasmKernelNames,
  type WasmTrainingKernelOptions,
} from './register.js';
export { conv2dBackpropFilter } from './conv2dBackpropFilter.js';
export { conv2dBackpropInput } from './conv2dBackpropInput.js';
export { depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwiseBackprop.js';
export { tile } from './tile.js';
export { wasmCapabilities, type WasmCapabilities } from './capabilities.js';
export type { KernelArgs } from './kernelScope.js';
