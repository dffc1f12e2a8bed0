import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../../../errors.js';
import { type LayerArgs, LayerRng, singleTensor } from '../register.js';

/** Arguments shared by the random augmentation layers. */
export interface AugmentationArgs extends LayerArgs {
  /** Augment at prediction time too (zoobot's `always_augment`, for test-time augmentation). @defaultValue false */
  alwaysAugment?: boolean;
  /** Seed; a seeded layer draws the same sequence of augmentations on every run. */
  seed?: number | null;
}

/**
 * Base of the random image augmentations: `augment` runs while training (or always, with
 * `alwaysAugment`, or while {@link RandomAugmentation.mcActive} is set by MC prediction);
 * otherwise `infer` runs, which is the identity unless the layer changes the image size.
 * Inputs are `[batch, height, width, channels]` float images.
 */
export abstract class RandomAugmentation extends tf.layers.Layer {
  readonly alwaysAugment: boolean;
  readonly seed: number | null;
  /** Augment at prediction time (set by `setMcMode` when augmentations are sampled). Not serialized. */
  mcActive = false;
  protected readonly rng: LayerRng;

  constructor(args: AugmentationArgs) {
    super(args);
    this.alwaysAugment = args.alwaysAugment ?? false;
    this.seed = args.seed ?? null;
    this.rng = new LayerRng(this.seed);
  }

  /** The random transformation of a `[batch, h, w, c]` image batch. */
  protected abstract augment(x: tf.Tensor4D): tf.Tensor4D;

  /** The deterministic prediction-time transformation (identity by default). */
  protected infer(x: tf.Tensor4D): tf.Tensor4D {
    return tf.clone(x);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs, this.getClassName());
      if (x.rank !== 4) throw new ShapeError(`${this.getClassName()}: expected [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
      const active = this.alwaysAugment || this.mcActive || kwargs.training === true;
      return active ? this.augment(x as tf.Tensor4D) : this.infer(x as tf.Tensor4D);
    });
  }

  /** Restarts this layer's noise stream from `seed` (see `reseedModel`). */
  reseed(seed: number): void {
    this.rng.reseed(seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alwaysAugment: this.alwaysAugment, seed: this.seed };
  }
}

/** Checks that `[low, high]` is an ordered pair of finite numbers within `[min, max]`. */
export function assertRange(layer: string, field: string, range: readonly number[], min: number, max: number): [number, number] {
  const [low, high] = range;
  if (range.length !== 2 || low === undefined || high === undefined || !(low >= min && low <= high && high <= max)) {
    throw new ConfigError(`${layer}: ${field} must be [low, high] with ${min} <= low <= high <= ${max}, got ${JSON.stringify(range)}`);
  }
  return [low, high];
}

/** Checks a positive integer size. */
export function assertSize(layer: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${layer}: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Applies per-image projective transforms with bilinear sampling and reflect fill
 * (`tf.image.transform`, available on cpu, webgl, webgpu and wasm).
 *
 * @param x - Images `[batch, h, w, c]`.
 * @param rows - One `[a0, a1, a2, b0, b1, b2, c0, c1]` per image, mapping output to input pixels.
 * @returns Transformed images, same shape.
 */
export function transformImages(x: tf.Tensor4D, rows: number[][]): tf.Tensor4D {
  return tf.image.transform(x, tf.tensor2d(rows, [rows.length, 8]), 'bilinear', 'reflect');
}
