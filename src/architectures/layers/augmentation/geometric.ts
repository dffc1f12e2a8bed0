import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../../errors.js';
import { registerLayerClasses } from '../register.js';
import { type AugmentationArgs, RandomAugmentation, assertRange, transformImages } from './base.js';

/** Arguments of {@link RandomRotation}. */
export interface RandomRotationArgs extends AugmentationArgs {
  /** Angle range as fractions of a full turn (Keras convention). @defaultValue `[-0.5, 0.5]` (any angle) */
  factor?: [number, number];
}

/**
 * Rotation by a random angle about the image centre, bilinear with reflect fill (zoobot: any angle).
 * Keras's `RandomRotation` transform; positive angles turn the image anticlockwise as displayed.
 */
export class RandomRotation extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomRotation';
  readonly factor: [number, number];

  constructor(args: RandomRotationArgs = {}) {
    super(args);
    this.factor = assertRange('RandomRotation', 'factor', args.factor ?? [-0.5, 0.5], -1, 1);
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    const [batch, h, w] = x.shape;
    const rows = Array.from({ length: batch }, () => {
      const angle = this.rng.between(this.factor[0], this.factor[1]) * 2 * Math.PI;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const dx = (w - 1 - (cos * (w - 1) - sin * (h - 1))) / 2;
      const dy = (h - 1 - (sin * (w - 1) + cos * (h - 1))) / 2;
      return [cos, -sin, dx, sin, cos, dy, 0, 0];
    });
    return transformImages(x, rows);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

/** Arguments of {@link RandomZoom}. */
export interface RandomZoomArgs extends AugmentationArgs {
  /** Magnification range (>1 zooms in). @defaultValue `[1.1, 1.3]` (W+20) */
  range?: [number, number];
}

/** Random zoom about the image centre, bilinear with reflect fill (W+20: 1.1-1.3x). */
export class RandomZoom extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomZoom';
  readonly range: [number, number];

  constructor(args: RandomZoomArgs = {}) {
    super(args);
    this.range = assertRange('RandomZoom', 'range', args.range ?? [1.1, 1.3], 0.1, 10);
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    const [batch, h, w] = x.shape;
    const rows = Array.from({ length: batch }, () => {
      const s = 1 / this.rng.between(this.range[0], this.range[1]);
      return [s, 0, ((w - 1) / 2) * (1 - s), 0, s, ((h - 1) / 2) * (1 - s), 0, 0];
    });
    return transformImages(x, rows);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), range: this.range };
  }
}

/** Flip directions of {@link RandomFlip}. */
export const FLIP_MODES = ['horizontal', 'vertical', 'horizontal_and_vertical'] as const;
/** A flip direction. */
export type FlipMode = (typeof FLIP_MODES)[number];

/** Arguments of {@link RandomFlip}. */
export interface RandomFlipArgs extends AugmentationArgs {
  /** @defaultValue 'horizontal_and_vertical' */
  mode?: FlipMode;
}

/** Flips each image left-right and/or up-down with probability 1/2 each. */
export class RandomFlip extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomFlip';
  readonly mode: FlipMode;

  constructor(args: RandomFlipArgs = {}) {
    super(args);
    const mode = args.mode ?? 'horizontal_and_vertical';
    if (!FLIP_MODES.includes(mode)) {
      throw new ConfigError(`RandomFlip: unsupported mode "${String(mode)}". Should be one of: ${FLIP_MODES.join(', ')}`);
    }
    this.mode = mode;
  }

  private flipSome(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
    const flags = Array.from({ length: x.shape[0] }, () => (this.rng.uniform() < 0.5 ? 1 : 0));
    const mask = tf.tensor4d(flags, [flags.length, 1, 1, 1], 'bool');
    return tf.where(tf.broadcastTo(mask, x.shape), tf.reverse(x, axis), x);
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    let y = x;
    if (this.mode !== 'vertical') y = this.flipSome(y, 2);
    if (this.mode !== 'horizontal') y = this.flipSome(y, 1);
    return y === x ? tf.clone(x) : y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

registerLayerClasses([RandomRotation, RandomZoom, RandomFlip]);
