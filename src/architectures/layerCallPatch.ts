/**
 * The mechanism behind the layer fusions: a layer's `call` replaced on the instance, so a model
 * keeps its layers, weights and saved form while computing through another op.
 *
 * @module architectures/layerCallPatch
 */
import * as tf from '@tensorflow/tfjs';
import { flattenLayers } from './layers/flattenLayers.js';

/** A layer's `call` (tfjs-layers' signature). */
export type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict) => tf.Tensor | tf.Tensor[];

/** The call each patched layer was given, so a layer whose call was replaced since (frozen fine-tuning) is patched again. */
const installed = new WeakMap<tf.layers.Layer, LayerCall>();

/** Whether the active backend registers `kernelName` (the fused ops' optional kernels). */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** Whether `layer` runs the call a fusion installed (not one replaced since). */
export function runsPatchedCall(layer: tf.layers.Layer): boolean {
  const call = installed.get(layer);
  return call !== undefined && call === (layer as unknown as { call: LayerCall }).call;
}

/**
 * Gives every layer of `model` (nested models included) that `matches` the call `replacement`
 * builds from the layer and its current call; idempotent.
 *
 * @returns How many layers run a replacement.
 */
export function patchLayerCalls(
  model: tf.LayersModel, matches: (layer: tf.layers.Layer) => boolean, replacement: (layer: tf.layers.Layer, original: LayerCall) => LayerCall,
): number {
  let count = 0;
  for (const layer of flattenLayers(model)) {
    if (!matches(layer)) continue;
    const instance = layer as unknown as { call: LayerCall };
    if (installed.get(layer) !== instance.call) {
      const call = replacement(layer, instance.call.bind(layer));
      instance.call = call;
      installed.set(layer, call);
    }
    count += 1;
  }
  return count;
}
