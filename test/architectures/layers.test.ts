import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DirichletHead, DropConnect, McDropout, ZOOBOT_LAYER_CLASSES, registerZoobotLayers,
} from '../../src/architectures/index.js';
import { ConfigError } from '../../src/errors.js';
import { describeBackends } from '../helpers/backends.js';

const f32 = (x: number): number => Math.fround(x);

describeBackends('DirichletHead', () => {
  it('should equal sigmoid(x)·100 + 1 computed in float64', () => {
    fc.assert(fc.property(fc.array(fc.float({ min: f32(-30), max: f32(30), noNaN: true }), { minLength: 1, maxLength: 8 }), (xs) => {
      const out = tf.tidy(() => (new DirichletHead().apply(tf.tensor2d(xs, [1, xs.length])) as tf.Tensor).dataSync());
      xs.forEach((x, i) => {
        const ref = 100 / (1 + Math.exp(-x)) + 1;
        expect(Math.abs(out[i]! - ref)).toBeLessThanOrEqual(1e-4 * ref);
      });
    }));
  });

  it('should stay within [1, 101] (open interval away from float32 saturation)', () => {
    const out = tf.tidy(() => (new DirichletHead().apply(tf.tensor2d([[-5, 0, 5]])) as tf.Tensor).dataSync());
    for (const v of out) expect(v > 1 && v < 101).toBe(true);
  });

  it('should honour scale and offset', () => {
    const out = tf.tidy(() => (new DirichletHead({ scale: 2, offset: -1 }).apply(tf.tensor2d([[0]])) as tf.Tensor).dataSync());
    expect(out[0]).toBeCloseTo(0, 6);
  });
});

describeBackends('McDropout', () => {
  const x = (): tf.Tensor => tf.ones([4, 50]);

  it('should be the identity at inference unless mcActive', () => {
    const layer = new McDropout({ rate: 0.5, seed: 1 });
    const y = layer.apply(x()) as tf.Tensor;
    expect(Array.from(y.dataSync()).every((v) => v === 1)).toBe(true);
  });

  it('should drop and rescale by 1/(1-rate) when mcActive, with fresh masks each call', () => {
    const layer = new McDropout({ rate: 0.5, seed: 1 });
    layer.mcActive = true;
    const a = (layer.apply(x()) as tf.Tensor).dataSync();
    const b = (layer.apply(x()) as tf.Tensor).dataSync();
    for (const v of a) expect(v === 0 || Math.abs(v - 2) < 1e-6).toBe(true);
    const zeros = Array.from(a).filter((v) => v === 0).length;
    // 200 Bernoulli(0.5) draws: 100 ± 5σ (σ ≈ 7.1).
    expect(Math.abs(zeros - 100)).toBeLessThan(36);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('should be active with training: true (as Keras Dropout)', () => {
    const layer = new McDropout({ rate: 0.5, seed: 2 });
    const y = (layer.apply(x(), { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(y).some((v) => v === 0)).toBe(true);
  });

  it('should repeat its sequence of masks under the same seed', () => {
    const masks = (): number[][] => {
      const layer = new McDropout({ rate: 0.3, seed: 42 });
      layer.mcActive = true;
      return [0, 1].map(() => Array.from((layer.apply(x()) as tf.Tensor).dataSync()));
    };
    expect(masks()).toEqual(masks());
  });

  it('should reject rates outside [0, 1)', () => {
    expect(() => new McDropout({ rate: 1 })).toThrow(ConfigError);
    expect(() => new DropConnect({ rate: -0.1 })).toThrow(/DropConnect: rate/);
  });
});

describeBackends('DropConnect', () => {
  it('should drop whole samples: each sample is all zeros or all x/(1-rate)', () => {
    const layer = new DropConnect({ rate: 0.5, seed: 5 });
    layer.mcActive = true;
    const x = tf.randomUniform([16, 3, 3, 2], 0.5, 1, 'float32', 9);
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][][][];
    const xs = x.arraySync() as number[][][][];
    let dropped = 0;
    y.forEach((sample, i) => {
      const flat = sample.flat(2);
      const ref = xs[i]!.flat(2);
      if (flat.every((v) => v === 0)) dropped += 1;
      else flat.forEach((v, k) => expect(v).toBeCloseTo(ref[k]! * 2, 5));
    });
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(16);
  });
});

describe('layer serialization', () => {
  it('should register every class once, idempotently', () => {
    registerZoobotLayers();
    registerZoobotLayers();
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const cls of ZOOBOT_LAYER_CLASSES) expect(map[cls.className]?.[0]).toBe(cls);
  });

  it('should rebuild each layer from its config', () => {
    const examples: tf.layers.Layer[] = [
      new DirichletHead({ scale: 50, offset: 2, name: 'h' }), new McDropout({ rate: 0.2, seed: 3, name: 'd' }),
      new DropConnect({ rate: 0.1, name: 'c' }),
    ];
    for (const layer of examples) {
      const config = layer.getConfig();
      const rebuilt = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]![1](
        tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]![0], config,
      ) as tf.layers.Layer;
      expect(rebuilt.getConfig()).toEqual(config);
    }
  });
});
