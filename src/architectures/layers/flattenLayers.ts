import * as tf from '@tensorflow/tfjs';

/** All layers of a model, descending into nested models (an EfficientNet base inside a zoobot model). */
export function flattenLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? [l, ...flattenLayers(l)] : [l]));
}
