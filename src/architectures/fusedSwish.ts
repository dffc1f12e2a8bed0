/**
 * Swish as one kernel each way. tfjs-layers computes `swish(x)` as `sigmoid(x * 1) * x`: three
 * passes over the activation forward and about eight backward, which for EfficientNetB0's wide
 * expansions (a [8, 112, 112, 96] activation is 37 MiB) cost more than its convolutions.
 * {@link swish} runs the backend's {@link SWISH} and {@link SWISH_GRAD} kernels where it registers
 * them, else `x * sigmoid(x)` and `dy * s * (1 + x * (1 - s))` composed from standard ops.
 *
 * @module architectures/fusedSwish
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernel, patchLayerCalls, runsPatchedCall } from './layerCallPatch.js';
import { singleTensor } from './layers/register.js';

/** Name of an optional kernel a backend may register: input `{ x }`, output `x * sigmoid(x)`. */
export const SWISH = 'ZoobotSwish';
/** Name of an optional kernel: inputs `{ x, dy }`, output the swish gradient `dy * s * (1 + x * (1 - s))`, s = sigmoid(x). */
export const SWISH_GRAD = 'ZoobotSwishGrad';

/**
 * `x * sigmoid(x)` (SiLU), with a gradient computed from x in one pass where the backend can.
 *
 * @param x - Any float32 tensor.
 * @returns A tensor of x's shape.
 */
export function swish<T extends tf.Tensor>(x: T): T {
  return tf.customGrad((xs, save) => {
    const input = xs as tf.Tensor;
    (save as tf.GradSaveFunc)([input]);
    const value = backendHasKernel(SWISH) ? tf.engine().runKernel(SWISH, { x: input }) as tf.Tensor : tf.tidy(() => tf.mul(input, tf.sigmoid(input)));
    const gradFunc = (dy: tf.Tensor, [saved]: tf.Tensor[]): tf.Tensor => {
      if (backendHasKernel(SWISH_GRAD)) return tf.engine().runKernel(SWISH_GRAD, { x: saved!, dy }) as tf.Tensor;
      return tf.tidy(() => {
        const s = tf.sigmoid(saved!);
        return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(saved!, tf.sub(1, s)))));
      });
    };
    return { value, gradFunc };
  })(x) as T;
}

/** Whether `layer` is a Keras `Activation` layer computing swish. */
export function isSwishActivation(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'Activation' && layer.getConfig()['activation'] === 'swish';
}

/** Outputs of fused batch norms that already applied the swish of the layer after them. */
const alreadySwished = new WeakSet<tf.Tensor>();

/**
 * Marks `y` as already passed through swish, for the swish layer that takes it next (which
 * {@link fuseSwishActivations} must have patched: see {@link passesOnSwished}).
 */
export function markSwished(y: tf.Tensor): tf.Tensor {
  alreadySwished.add(y);
  return y;
}

/** Whether the swish layer `layer` currently passes marked tensors on unchanged. */
export function passesOnSwished(layer: tf.layers.Layer): boolean {
  return isSwishActivation(layer) && runsPatchedCall(layer);
}

/**
 * Makes every `Activation` layer with `activation: 'swish'` in `model` (nested models included)
 * run {@link swish}, in place (idempotent; the model saves and loads as before), or pass on an
 * input that the batch norm before it already activated (see `fuseBatchNorms`). `train()` and
 * `zoobot-ts bench` call it; call it yourself before a custom training loop.
 *
 * @param model - Any layers model.
 * @returns How many layers now run fused.
 */
export function fuseSwishActivations(model: tf.LayersModel): number {
  return patchLayerCalls(model, isSwishActivation, (layer) => (inputs) => {
    const x = singleTensor(inputs, layer.name);
    return alreadySwished.has(x) ? x.clone() : swish(x);
  });
}
