import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../../errors.js';
import { registerLayerClasses } from '../register.js';
import { type AugmentationArgs, RandomAugmentation, assertRange, assertSize } from './base.js';

/**
 * Random crops. Deterministic centre crops and resizes are tfjs's own `tf.layers.centerCrop` and
 * `tf.layers.resizing` (already serializable, on every backend).
 */

/** Output size of the crop layers. */
export interface SizeArgs {
  /** Output height in pixels. */
  height: number;
  /** Output width in pixels. */
  width: number;
}

function outputShape(shape: tf.Shape | tf.Shape[], height: number, width: number): tf.Shape {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
  return [s[0] ?? null, height, width, s[3] ?? null];
}

function assertFits(layer: string, x: tf.Tensor4D, height: number, width: number): void {
  if (x.shape[1] < height || x.shape[2] < width) {
    throw new ShapeError(`${layer}: cannot crop ${height}x${width} from ${x.shape[1]}x${x.shape[2]} images`);
  }
}

/** The centred `height` x `width` window of every image (exact pixels). */
function centreCrop(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const top = Math.floor((x.shape[1] - height) / 2);
  const left = Math.floor((x.shape[2] - width) / 2);
  return tf.slice(x, [0, top, left, 0], [-1, height, width, -1]);
}

/** Arguments of {@link RandomCrop}. */
export interface RandomCropArgs extends AugmentationArgs, SizeArgs {}

/**
 * A random `height` x `width` window of each image while training (zoobot 2021: 300 to 224),
 * the centred window at prediction time. `[batch, h, w, c]` to `[batch, height, width, c]`.
 */
export class RandomCrop extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomCrop';
  readonly height: number;
  readonly width: number;

  constructor(args: RandomCropArgs) {
    super(args);
    this.height = assertSize('RandomCrop', 'height', args.height);
    this.width = assertSize('RandomCrop', 'width', args.width);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return outputShape(shape, this.height, this.width);
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    assertFits('RandomCrop', x, this.height, this.width);
    const [batch, h, w] = x.shape;
    const crops = Array.from({ length: batch }, (_, i) => {
      const top = Math.floor(this.rng.uniform() * (h - this.height + 1));
      const left = Math.floor(this.rng.uniform() * (w - this.width + 1));
      return tf.slice(x, [i, top, left, 0], [1, this.height, this.width, -1]);
    });
    return tf.concat(crops, 0);
  }

  protected override infer(x: tf.Tensor4D): tf.Tensor4D {
    assertFits('RandomCrop', x, this.height, this.width);
    return centreCrop(x, this.height, this.width);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}

/** Arguments of {@link RandomResizedCrop}. */
export interface RandomResizedCropArgs extends AugmentationArgs, SizeArgs {
  /** Range of the crop's area as a fraction of the image. @defaultValue `[0.7, 0.8]` (zoobot 2022) */
  areaRange?: [number, number];
  /** Range of the crop's width/height ratio, drawn log-uniformly. @defaultValue `[3/4, 4/3]` */
  aspectRange?: [number, number];
}

/**
 * A random window covering a random fraction of each image's area, resized bilinearly to
 * `height` x `width` (zoobot 2022). At prediction time: the centred square-aspect window of the
 * mean area fraction, resized the same way. `[batch, h, w, c]` to `[batch, height, width, c]`.
 */
export class RandomResizedCrop extends RandomAugmentation {
  /** @nocollapse */
  static className = 'RandomResizedCrop';
  readonly height: number;
  readonly width: number;
  readonly areaRange: [number, number];
  readonly aspectRange: [number, number];

  constructor(args: RandomResizedCropArgs) {
    super(args);
    this.height = assertSize('RandomResizedCrop', 'height', args.height);
    this.width = assertSize('RandomResizedCrop', 'width', args.width);
    this.areaRange = assertRange('RandomResizedCrop', 'areaRange', args.areaRange ?? [0.7, 0.8], Number.MIN_VALUE, 1);
    this.aspectRange = assertRange('RandomResizedCrop', 'aspectRange', args.aspectRange ?? [3 / 4, 4 / 3], Number.MIN_VALUE, Infinity);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return outputShape(shape, this.height, this.width);
  }

  /** A normalised `cropAndResize` box of `area` (fraction) and `aspect` (w/h) at relative position (u, v). */
  private box(h: number, w: number, area: number, aspect: number, u: number, v: number): number[] {
    const ch = Math.min(h, Math.sqrt((area * h * w) / aspect));
    const cw = Math.min(w, Math.sqrt(area * h * w * aspect));
    const top = u * (h - ch);
    const left = v * (w - cw);
    // cropAndResize samples at y1·(h-1) ... y2·(h-1): pixel centres of the window's first and last rows.
    return [top / (h - 1), left / (w - 1), (top + ch - 1) / (h - 1), (left + cw - 1) / (w - 1)];
  }

  private cropResize(x: tf.Tensor4D, boxes: number[][]): tf.Tensor4D {
    const [batch, h, w] = x.shape;
    if (h < 2 || w < 2) throw new ShapeError(`RandomResizedCrop: images must be at least 2x2, got ${h}x${w}`);
    const indices = Array.from({ length: batch }, (_, i) => i);
    return tf.image.cropAndResize(x, tf.tensor2d(boxes, [batch, 4]), tf.tensor1d(indices, 'int32'), [this.height, this.width], 'bilinear');
  }

  protected augment(x: tf.Tensor4D): tf.Tensor4D {
    const [batch, h, w] = x.shape;
    const [lowAspect, highAspect] = this.aspectRange.map(Math.log) as [number, number];
    const boxes = Array.from({ length: batch }, () => {
      const area = this.rng.between(this.areaRange[0], this.areaRange[1]);
      const aspect = Math.exp(this.rng.between(lowAspect, highAspect));
      return this.box(h, w, area, aspect, this.rng.uniform(), this.rng.uniform());
    });
    return this.cropResize(x, boxes);
  }

  protected override infer(x: tf.Tensor4D): tf.Tensor4D {
    const [batch, h, w] = x.shape;
    const meanArea = (this.areaRange[0] + this.areaRange[1]) / 2;
    return this.cropResize(x, Array.from({ length: batch }, () => this.box(h, w, meanArea, 1, 0.5, 0.5)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width, areaRange: this.areaRange, aspectRange: this.aspectRange };
  }
}

registerLayerClasses([RandomCrop, RandomResizedCrop]);
