/**
 * Training-mode batch normalisation as one kernel each way. tfjs-layers normalises a training
 * batch with `moments` (Mean, Sub, Square, Mean) and `batchNorm`, and autodiff turns that into
 * about fifteen passes over the activation backward: in an EfficientNetB0 step they cost more
 * than all its convolutions. {@link batchNormTraining} computes the batch statistics and the
 * normalised output in the backend's {@link BATCH_NORM_TRAIN} kernel and the gradient in
 * {@link BATCH_NORM_TRAIN_GRAD} where the backend registers them, else from standard ops with the
 * closed-form gradient:
 * `dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat))`,
 * `dgamma = sum(dy * xhat)`, `dbeta = sum(dy)`, sums over every axis but the last.
 *
 * @module architectures/fusedBatchNorm
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernel, patchLayerCalls } from './layerCallPatch.js';
import { isSwishActivation, markSwished, passesOnSwished } from './fusedSwish.js';
import { flattenLayers } from './layers/flattenLayers.js';
import { singleTensor } from './layers/register.js';

/**
 * Name of an optional kernel: inputs `{ x, gamma, beta }`, attrs `varianceEpsilon` and
 * `activation` (`'linear'` or `'swish'`, applied to the normalised value); outputs
 * `[y, mean, variance]`, the batch statistics (biased variance) over every axis but the last.
 */
export const BATCH_NORM_TRAIN = 'ZoobotBatchNormTrain';
/**
 * Name of an optional kernel: inputs `{ dy, x, gamma, beta, mean, variance }`, attrs
 * `varianceEpsilon` and `activation`; outputs `[dx, dgamma, dbeta]` of training-mode batch
 * normalisation (and the activation, recomputed from x).
 */
export const BATCH_NORM_TRAIN_GRAD = 'ZoobotBatchNormTrainGrad';

/** What {@link batchNormTraining} applies to the normalised value. */
export type NormActivation = 'linear' | 'swish';

function leadingAxes(x: tf.Tensor): number[] {
  return [...Array(x.rank - 1).keys()];
}

function forward(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, varianceEpsilon: number, activation: NormActivation): tf.Tensor[] {
  if (backendHasKernel(BATCH_NORM_TRAIN)) return tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { varianceEpsilon, activation }) as unknown as tf.Tensor[];
  const { mean, variance } = tf.moments(x, leadingAxes(x));
  const y = tf.tidy(() => {
    const z = tf.batchNorm(x, mean, variance, beta, gamma, varianceEpsilon);
    return activation === 'swish' ? tf.mul(z, tf.sigmoid(z)) : z;
  });
  return [y, mean, variance];
}

function backward(
  dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, varianceEpsilon: number, activation: NormActivation,
): tf.Tensor[] {
  if (backendHasKernel(BATCH_NORM_TRAIN_GRAD)) {
    return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x, gamma, beta, mean, variance }, { varianceEpsilon, activation }) as unknown as tf.Tensor[];
  }
  return tf.tidy(() => {
    const axes = leadingAxes(x);
    const invStd = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const xHat = tf.mul(tf.sub(x, mean), invStd);
    // The gradient reaching the normalised value: through swish at z = gamma * xhat + beta.
    let dz = dy;
    if (activation === 'swish') {
      const z = tf.add(tf.mul(xHat, gamma), beta);
      const s = tf.sigmoid(z);
      dz = tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s)))));
    }
    const dbeta = tf.sum(dz, axes);
    const dgamma = tf.sum(tf.mul(dz, xHat), axes);
    const count = x.size / (x.shape.at(-1) ?? 1);
    const centred = tf.sub(tf.sub(dz, tf.div(dbeta, count)), tf.mul(xHat, tf.div(dgamma, count)));
    return [tf.mul(centred, tf.mul(gamma, invStd)), dgamma, dbeta];
  });
}

/**
 * Batch normalisation in training mode over every axis but the last (channels last): the
 * normalised, scaled and shifted `x` (passed through swish if asked), with the batch mean and
 * (biased) variance for the moving averages. Gradients flow to `x`, `gamma` and `beta` through `y`
 * only. `mean` and `variance` are kept out of every `tf.tidy` scope: the caller disposes them.
 *
 * @param x - The activation, channels last.
 * @param gamma - Per-channel scale.
 * @param beta - Per-channel shift.
 * @param varianceEpsilon - Added to the variance.
 * @param activation - `'swish'` returns `z * sigmoid(z)` of the normalised `z`, in the same kernel
 *   where the backend has the kernels (whose gradient recomputes `z` from `x` instead of keeping it).
 * @returns `y`, and `mean` and `variance` of shape `[channels]`.
 */
export function batchNormTraining(
  x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, varianceEpsilon: number, activation: NormActivation = 'linear',
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let stats: tf.Tensor[] = [];
  const y = tf.customGrad((xs, g, b, save) => {
    const [value, mean, variance] = forward(xs as tf.Tensor, g as tf.Tensor1D, b as tf.Tensor1D, varianceEpsilon, activation);
    // customGrad runs this in a scope of its own, which would dispose the statistics on return.
    stats = [tf.keep(mean!), tf.keep(variance!)];
    (save as tf.GradSaveFunc)([xs as tf.Tensor, g as tf.Tensor, b as tf.Tensor, mean!, variance!]);
    const gradFunc = (dy: tf.Tensor, [sx, sg, sb, sm, sv]: tf.Tensor[]): tf.Tensor[] => backward(dy, sx!, sg!, sb!, sm!, sv!, varianceEpsilon, activation);
    return { value: value!, gradFunc };
  })(x, gamma, beta);
  return { y, mean: stats[0] as tf.Tensor1D, variance: stats[1] as tf.Tensor1D };
}

/** The parts of tfjs-layers' `BatchNormalization` the fused call reads and updates. */
interface BatchNormInternals {
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
  movingMean: { read(): tf.Tensor; write(value: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(value: tf.Tensor): void };
  momentum: number;
  epsilon: number;
  trainable: boolean;
}

function fusable(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const config = layer.getConfig();
  return (config['axis'] === -1 || config['axis'] === (layer.inputSpec?.[0]?.ndim ?? 0) - 1) && config['center'] !== false && config['scale'] !== false;
}

/** Keras's moving-average update, as tfjs-layers does it: v - (v - value) * (1 - momentum). */
function updateMovingAverage(variable: BatchNormInternals['movingMean'], value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

/**
 * The swish `Activation` layer that alone takes `layer`'s output, where `layer` is called once and
 * its output is no model's output (so nothing else sees the normalised value).
 */
function swishAfter(layer: tf.layers.Layer, modelOutputLayers: ReadonlySet<tf.layers.Layer>): tf.layers.Layer | undefined {
  if (layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1 || modelOutputLayers.has(layer)) return undefined;
  const next = layer.outboundNodes[0]!.outboundLayer;
  return next !== undefined && isSwishActivation(next) && next.inboundNodes.length === 1 ? next : undefined;
}

/**
 * Makes every channels-last `BatchNormalization` layer of `model` (nested models included) run
 * {@link batchNormTraining} when called in training mode, in place (idempotent; inference mode,
 * frozen layers and the saved model are as before). A batch norm whose only consumer is a swish
 * `Activation` that {@link fuseSwishActivations} patched also applies that swish, and the
 * activation passes its output on (EfficientNet's pairs: one kernel each way instead of two, and
 * the normalised value is never kept). The pairs are found in the graph as it is when this runs: a
 * model built later that ends at such a batch norm would get the swish too in training mode, so
 * build sub-models of the normalised values before fusing (or from a fresh copy of the model).
 * `train()` and `zoobot-ts bench` call it.
 *
 * @param model - Any layers model.
 * @returns How many layers now run fused.
 */
export function fuseBatchNorms(model: tf.LayersModel): number {
  const models = [model, ...flattenLayers(model).filter((l): l is tf.LayersModel => l instanceof tf.LayersModel)];
  const outputLayers = new Set(models.flatMap((m) => m.outputLayers));
  return patchLayerCalls(model, fusable, (layer, original) => {
    const next = swishAfter(layer, outputLayers);
    return (inputs, kwargs) => {
      const bn = layer as unknown as BatchNormInternals;
      // Frozen layers keep whatever their call does (fine-tuning runs them in inference mode).
      if (kwargs['training'] !== true || !bn.trainable) return original(inputs, kwargs);
      // Decided per call: the activation's call may have been replaced since.
      const activation = next !== undefined && passesOnSwished(next) ? 'swish' : 'linear';
      const y = tf.tidy(() => {
        const { y, mean, variance } = batchNormTraining(singleTensor(inputs, layer.name), bn.gamma.read() as tf.Tensor1D, bn.beta.read() as tf.Tensor1D, bn.epsilon, activation);
        updateMovingAverage(bn.movingMean, mean, bn.momentum);
        updateMovingAverage(bn.movingVariance, variance, bn.momentum);
        tf.dispose([mean, variance]);
        return y;
      });
      return activation === 'swish' ? markSwished(y) : y;
    };
  });
}
