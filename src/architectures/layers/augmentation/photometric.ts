import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, registerLayerClasses, singleTensor } from '../register.js';
import { type AugmentationArgs, RandomAugmentation, assertRange } from './base.js';

/**
 * Greyscale by channel mean (zoobot's preprocessing), at training and prediction alike.
 * `[batch, h, w, c]` to `[batch, h, w, 1]`.
 */
export class Greyscale extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'Greyscale';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
    return [...s.slice(0, -1), 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mean(singleTensor(inputs, 'Greyscale'), -1, true));
  }
}

/** Arguments of {@link RandomBrightnessContrast}. */
export interface RandomBrightnessContrastArgs extends AugmentationArgs {
  /** Largest brightness shift, added to every pixel. @defaultValue 0.1 */
  maxDelta?: number;
  /** Contrast factor range about each image's mean. @defaultValue `[0.9, 1.1]` */
  contrast?: [number, number];
  /** Output is clipped to this range, the range of the input images. @defaultValue `[0, 1]` */
  valueRange?: [number, number];
}

/** Random brightness shift and contrast stretch per image (W+20), clipped to the value range. */
export class RandomBrightnessContrast extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomBrightnessContrast';
  readonly maxDelta: number;
  readonly contrast: [number, number];
  readonly valueRange: [number, number];

  constructor(args: RandomBrightnessContrastArgs = {}) {
    super(args);
    this.maxDelta = assertRange('RandomBrightnessContrast', 'maxDelta', [0, args.maxDelta ?? 0.1], 0, Infinity)[1];
    this.contrast = assertRange('RandomBrightnessContrast', 'contrast', args.contrast ?? [0.9, 1.1], 0, Infinity);
    this.valueRange = assertRange('RandomBrightnessContrast', 'valueRange', args.valueRange ?? [0, 1], -Infinity, Infinity);
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    const batch = x.shape[0];
    const factors = Array.from({ length: batch }, () => this.rng.between(this.contrast[0], this.contrast[1]));
    const deltas = Array.from({ length: batch }, () => this.rng.between(-this.maxDelta, this.maxDelta));
    const mean = tf.mean(x, [1, 2, 3], true);
    const stretched = tf.add(tf.mul(tf.sub(x, mean), tf.tensor4d(factors, [batch, 1, 1, 1])), mean);
    const shifted = tf.add(stretched, tf.tensor4d(deltas, [batch, 1, 1, 1]));
    return tf.clipByValue(shifted, this.valueRange[0], this.valueRange[1]) as tf.Tensor4D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxDelta: this.maxDelta, contrast: this.contrast, valueRange: this.valueRange };
  }
}

registerLayerClasses([Greyscale, RandomBrightnessContrast]);
