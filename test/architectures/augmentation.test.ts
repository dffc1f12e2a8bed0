import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUGMENTATION_PRESETS, Greyscale, RandomBrightnessContrast, RandomCrop, RandomFlip, RandomResizedCrop, RandomRotation, RandomZoom,
  augmentationLayers, type RandomAugmentation,
} from '../../src/architectures/index.js';
import { ConfigError } from '../../src/errors.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';

const image = (b: number, h: number, w: number, c: number, seed: number): tf.Tensor4D => tf.randomUniform([b, h, w, c], 0, 1, 'float32', seed);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** Layers whose training output has the input's shape. */
const sameShape = (seed: number): RandomAugmentation[] => [
  new RandomRotation({ seed }), new RandomFlip({ seed }), new RandomZoom({ seed }), new RandomBrightnessContrast({ seed }),
];

describeBackends('augmentation layers', () => {
  it('should be the identity at inference (rotation, flip, zoom, brightness/contrast)', () => {
    const x = image(2, 9, 7, 3, 1);
    for (const layer of sameShape(1)) expect(maxAbsDiff(layer.apply(x) as tf.Tensor, x)).toBe(0);
  });

  it('should preserve shape, dtype and the [0, 1] value range in training, for any image size', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000), (h, w, c, seed) => {
      tf.tidy(() => {
        const x = image(2, h, w, c, seed);
        for (const layer of sameShape(seed)) {
          const y = layer.apply(x, { training: true }) as tf.Tensor;
          expect(y.shape).toEqual(x.shape);
          expect(y.dtype).toBe('float32');
          const [lo, hi] = [tf.min(y).dataSync()[0]!, tf.max(y).dataSync()[0]!];
          // Bilinear sampling of values in [0, 1] stays in [0, 1] (float32 rounding aside).
          expect(lo).toBeGreaterThanOrEqual(-1e-6);
          expect(hi).toBeLessThanOrEqual(1 + 1e-6);
        }
      });
    }), { numRuns: 15 });
  });

  it('should rotate by 90 degrees like an exact rot90 (transpose + reverse) away from the border', () => {
    const n = 12;
    const x = image(1, n, n, 2, 3);
    const layer = new RandomRotation({ factor: [0.25, 0.25], seed: 1 });
    const y = layer.apply(x, { training: true }) as tf.Tensor4D;
    // np.rot90 (anticlockwise): out[r][c] = in[c][n-1-r] = flip rows of the transpose.
    const rot90 = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1);
    const inner = (t: tf.Tensor4D): tf.Tensor => tf.slice(t, [0, 1, 1, 0], [1, n - 2, n - 2, 2]);
    expect(maxAbsDiff(inner(y), inner(rot90))).toBeLessThan(1e-5);
  });

  it('should flip each image into one of its allowed flips', () => {
    const x = image(6, 5, 4, 1, 4);
    for (const mode of ['horizontal', 'vertical', 'horizontal_and_vertical'] as const) {
      const y = new RandomFlip({ mode, seed: 2 }).apply(x, { training: true }) as tf.Tensor4D;
      for (let i = 0; i < 6; i += 1) {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
        const yi = tf.slice(y, [i, 0, 0, 0], [1, -1, -1, -1]);
        const allowed = [xi];
        if (mode !== 'vertical') allowed.push(tf.reverse(xi, 2));
        if (mode !== 'horizontal') allowed.push(tf.reverse(xi, 1));
        if (mode === 'horizontal_and_vertical') allowed.push(tf.reverse(xi, [1, 2]));
        expect(allowed.some((a) => maxAbsDiff(a, yi) === 0)).toBe(true);
      }
    }
  });

  it('should draw the same augmentations under the same seed', () => {
    const x = image(3, 8, 8, 1, 5);
    const run = (): number[] => Array.from((new RandomRotation({ seed: 9 }).apply(x, { training: true }) as tf.Tensor).dataSync());
    expect(run()).toEqual(run());
  });

  it('should augment at inference with alwaysAugment', () => {
    const x = image(2, 8, 8, 1, 6);
    expect(maxAbsDiff(new RandomRotation({ seed: 1, alwaysAugment: true }).apply(x) as tf.Tensor, x)).toBeGreaterThan(0);
  });

  it('should crop an exact sub-window while training and the centre at inference', () => {
    const x = image(3, 10, 9, 2, 7);
    const layer = new RandomCrop({ height: 6, width: 4, seed: 3 });
    const y = layer.apply(x, { training: true }) as tf.Tensor4D;
    expect(y.shape).toEqual([3, 6, 4, 2]);
    const xs = x.arraySync();
    const ys = y.arraySync();
    ys.forEach((crop, i) => {
      let found = false;
      for (let top = 0; top <= 4 && !found; top += 1) {
        for (let left = 0; left <= 5 && !found; left += 1) {
          found = crop.every((row, r) => row.every((px, c) => px.every((v, k) => v === xs[i]![top + r]![left + c]![k])));
        }
      }
      expect(found).toBe(true);
    });
    const centre = (layer.apply(x) as tf.Tensor4D).arraySync();
    centre.forEach((crop, i) => crop.forEach((row, r) => row.forEach((px, c) => expect(px).toEqual(xs[i]![2 + r]![2 + c]))));
  });

  it('should resize random crops of 70-80% of the area to the output size', () => {
    const x = image(2, 20, 16, 1, 8);
    const layer = new RandomResizedCrop({ height: 8, width: 8, seed: 4 });
    for (const training of [true, false]) {
      const y = layer.apply(x, { training }) as tf.Tensor;
      expect(y.shape).toEqual([2, 8, 8, 1]);
      expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(y).dataSync()[0]).toBeLessThanOrEqual(1);
    }
    // A constant image stays constant whatever the window.
    const flat = new RandomResizedCrop({ height: 5, width: 5, seed: 1 }).apply(tf.fill([1, 20, 16, 1], 0.25), { training: true }) as tf.Tensor;
    expect(maxAbsDiff(flat, tf.fill([1, 5, 5, 1], 0.25))).toBeLessThan(1e-6);
  });

  it('should average channels for greyscale', () => {
    const x = image(2, 3, 3, 3, 9);
    const y = new Greyscale().apply(x) as tf.Tensor;
    const xs = x.arraySync();
    const ys = (y as tf.Tensor4D).arraySync();
    expect(y.shape).toEqual([2, 3, 3, 1]);
    xs.forEach((img, i) => img.forEach((row, r) => row.forEach((px, c) => {
      expect(ys[i]![r]![c]![0]).toBeCloseTo((px[0]! + px[1]! + px[2]!) / 3, 6);
    })));
  });

  it('should not leak tensors', () => {
    const x = image(2, 8, 8, 1, 10);
    const layers = [...sameShape(1), new RandomCrop({ height: 4, width: 4 }), new RandomResizedCrop({ height: 4, width: 4 })];
    expect(leakedTensors(() => {
      for (const layer of layers) {
        (layer.apply(x, { training: true }) as tf.Tensor).dispose();
        (layer.apply(x) as tf.Tensor).dispose();
      }
    })).toBe(0);
  });
});

describe('augmentation presets and validation', () => {
  it('should build every preset with the documented output size', () => {
    for (const preset of AUGMENTATION_PRESETS) {
      let shape: tf.Shape = [null, 40, 40, 3];
      const layers = augmentationLayers(preset, { outputSize: 32, greyscale: true });
      for (const layer of layers) shape = layer.computeOutputShape(shape) as tf.Shape;
      expect(shape).toEqual(preset === 'w20' ? [null, 40, 40, 1] : [null, 32, 32, 1]);
    }
  });

  it('should reject bad options with a ConfigError naming the layer', () => {
    expect(() => new RandomRotation({ factor: [0.5, 0.1] })).toThrow(/RandomRotation: factor/);
    expect(() => new RandomFlip({ mode: 'diagonal' as 'horizontal' })).toThrow(ConfigError);
    expect(() => new RandomCrop({ height: 0, width: 3 })).toThrow(/RandomCrop: height/);
    expect(() => new RandomResizedCrop({ height: 3, width: 3, areaRange: [0.5, 1.5] })).toThrow(/areaRange/);
    expect(() => augmentationLayers('zoobot2030' as 'w20')).toThrow(/zoobot2021, zoobot2022, w20/);
  });

  it('should round-trip every layer config through serialization', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const layer of [...augmentationLayers('zoobot2021', { seed: 1, greyscale: true }), ...augmentationLayers('w20', { alwaysAugment: true }),
      ...augmentationLayers('zoobot2022')]) {
      const [cls, fromConfig] = map[layer.getClassName()]!;
      expect(cls).toBe(layer.constructor);
      expect((fromConfig(cls, layer.getConfig()) as tf.layers.Layer).getConfig()).toEqual(layer.getConfig());
    }
  });
});
