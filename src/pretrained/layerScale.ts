/** timm's layer scale: a learned per-channel multiplier on a residual branch (ConvNeXt's `gamma`). */
import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, registerLayerClasses, singleTensor } from '../architectures/layers/register.js';

/**
 * Multiplies its input by a learned vector over the last (channel) axis: `y = x * gamma`.
 * Its one weight is named `gamma`, like timm's parameter; the initial value does not matter
 * for imported encoders, so it starts at ones.
 */
export class LayerScale extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'LayerScale';
  private gamma: tf.LayerVariable | null = null;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    this.gamma = this.addWeight('gamma', [channels as number], 'float32', tf.initializers.ones());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(singleTensor(inputs, this.getClassName()), (this.gamma as tf.LayerVariable).read()));
  }
}

registerLayerClasses([LayerScale]);
