import * as tf from '@tensorflow/tfjs';
import { forwardConvInfo, type ConvGradAttrs } from './convGeometry.js';
import { composeKernels, type KernelArgs } from './kernelScope.js';
import { convolveSpreadGradient } from './transposedConv.js';

/**
 * `Conv2DBackpropInput` for the wasm backend, composed from its forward `Conv2D` (XNNPACK): a
 * stride-1 convolution of the stride-spread dy with the spatially flipped filter whose in/out
 * channels are swapped. wasm 4.22 ships its own kernel, a plain loop 7-12× slower at stride 1 than
 * this, which {@link registerWasmTrainingKernels} replaces for stride-1 convolutions.
 *
 * @param args - `inputs: {dy: [n, Ho, Wo, co], filter: [kh, kw, ci, co]}`, `attrs` as tfjs's
 *   `Conv2DBackpropInputAttrs` (`inputShape`, `strides`, `pad`, `dimRoundingMode`, `dataFormat`).
 * @returns The input gradient `[n, H, W, ci]`.
 */
export function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: number[] };
  const info = forwardConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs, false);
  return composeKernels(args.backend, 'wasm', (k) => {
    const flipped = k.transpose(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return convolveSpreadGradient(k, dy, info, (spread, pad) =>
      k.run('Conv2D', { x: spread, filter: flipped }, { strides: [1, 1], dilations: [1, 1], pad, dataFormat: 'NHWC' }),
    );
  });
}
