import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BLOCKS_ARGS, efficientNet, efficientNetB0, efficientNetVariant, roundFilters, roundRepeats,
} from '../../src/architectures/index.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';

// Published Keras figures. Keras's 3-channel summaries include a Normalization layer with
// 7 parameters (3 means, 3 variances, 1 count) that zoobot-ts leaves out.
const KERAS_B0_GREY_NOTOP = 4_048_988; // term project's summary, 224x224x1
const KERAS_B0_RGB_NOTOP = 4_049_571 - 7; // keras.applications.EfficientNetB0(include_top=False)
const KERAS_B1_RGB_NOTOP = 6_575_239 - 7; // keras.applications.EfficientNetB1(include_top=False)

describe('efficientNet structure', () => {
  it('has exactly the Keras parameter count for greyscale 224 without top', () => {
    expect(efficientNetB0({ inputShape: [224, 224, 1] }).countParams()).toBe(KERAS_B0_GREY_NOTOP);
  });

  it('matches the Keras RGB counts of B0 and B1 (width/depth multipliers)', () => {
    expect(efficientNetB0({ inputShape: [224, 224, 3] }).countParams()).toBe(KERAS_B0_RGB_NOTOP);
    expect(efficientNetVariant('b1', { inputShape: [240, 240, 3] }).countParams()).toBe(KERAS_B1_RGB_NOTOP);
  });

  it('counts one extra stem-kernel slice per extra input channel (3x3x32 each)', () => {
    const grey = efficientNetB0({ inputShape: [64, 64, 1] }).countParams();
    expect(efficientNetB0({ inputShape: [64, 64, 5] }).countParams() - grey).toBe(4 * 3 * 3 * 32);
  });

  it('names layers as Keras does', () => {
    const names = new Set(efficientNetB0({ inputShape: [64, 64, 1] }).layers.map((l) => l.name));
    for (const name of [
      'stem_conv_pad', 'stem_conv', 'stem_bn', 'stem_activation', 'block1a_dwconv', 'block1a_bn', 'block1a_activation',
      'block1a_se_squeeze', 'block1a_se_reshape', 'block1a_se_reduce', 'block1a_se_expand', 'block1a_se_excite',
      'block1a_project_conv', 'block1a_project_bn', 'block2a_expand_conv', 'block2a_dwconv_pad', 'block2b_drop',
      'block2b_add', 'block6d_add', 'block7a_project_bn', 'top_conv', 'top_bn', 'top_activation',
    ]) expect(names).toContain(name);
    // 16 blocks; B0 has no block1b, block7b or block6e.
    for (const absent of ['block1b_dwconv', 'block7b_dwconv', 'block6e_dwconv', 'block1a_expand_conv', 'block1a_drop']) {
      expect(names).not.toContain(absent);
    }
  });

  it('scales drop-connect linearly from 0 to rate·15/16 across the 16 blocks', () => {
    const model = efficientNetB0({ inputShape: [32, 32, 1], dropConnectRate: 0.2 });
    const rate = (name: string): number => (model.getLayer(name).getConfig().rate as number);
    // block2b is block index 2, block6d index 14 (0-based over 16 blocks).
    expect(rate('block2b_drop')).toBeCloseTo((0.2 * 2) / 16, 12);
    expect(rate('block6d_drop')).toBeCloseTo((0.2 * 14) / 16, 12);
  });

  it('gives [ceil(h/32), ceil(w/32), 1280] maps for other sizes and channel counts', () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: 300 }), fc.integer({ min: 8, max: 300 }), fc.integer({ min: 1, max: 4 }), (h, w, c) => {
      const shape = efficientNetB0({ inputShape: [h, w, c] }).outputs[0]!.shape;
      // Each of the 5 stride-2 stages maps n to ceil(n / 2) with Keras's correct_pad + 'valid'.
      const down = (n: number): number => [1, 2, 3, 4, 5].reduce((m) => Math.ceil(m / 2), n);
      expect(shape).toEqual([null, down(h), down(w), 1280]);
    }), { numRuns: 8 });
  });

  it('supports pooling and a top', () => {
    expect(efficientNetB0({ inputShape: [32, 32, 1], pooling: 'avg' }).outputs[0]!.shape).toEqual([null, 1280]);
    expect(efficientNetB0({ inputShape: [32, 32, 1], pooling: 'max' }).outputs[0]!.shape).toEqual([null, 1280]);
    const top = efficientNetB0({ inputShape: [32, 32, 1], includeTop: true, classes: 7 });
    expect(top.outputs[0]!.shape).toEqual([null, 7]);
    expect(top.countParams() - efficientNetB0({ inputShape: [32, 32, 1] }).countParams()).toBe(1280 * 7 + 7);
  });

  it('rejects bad options with a ConfigError', () => {
    expect(() => efficientNet({ inputShape: [0, 32, 1] })).toThrow(ConfigError);
    expect(() => efficientNet({ dropConnectRate: 1 })).toThrow(/dropConnectRate/);
    expect(() => efficientNetVariant('b9' as 'b0')).toThrow(/b0, b1/);
  });
});

describe('roundFilters / roundRepeats', () => {
  it('rounds to a multiple of the divisor, never below 90% of the scaled count', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2048 }), fc.double({ min: 0.1, max: 4, noNaN: true }), fc.constantFrom(4, 8, 16), (f, width, divisor) => {
      const r = roundFilters(f, width, divisor);
      expect(r % divisor).toBe(0);
      expect(r).toBeGreaterThanOrEqual(0.9 * f * width);
    }));
  });

  it('is the identity on B0 filter counts (all multiples of 8)', () => {
    for (const b of DEFAULT_BLOCKS_ARGS) {
      expect(roundFilters(b.filtersIn, 1)).toBe(b.filtersIn);
      expect(roundFilters(b.filtersOut, 1)).toBe(b.filtersOut);
    }
  });

  it('rounds repeats up', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.5, max: 4, noNaN: true }), (n, d) => {
      const r = roundRepeats(n, d);
      expect(r).toBeGreaterThanOrEqual(n * d);
      expect(r - 1).toBeLessThan(n * d);
    }));
  });
});

describe('efficientNet forward [wasm]', () => {
  beforeAll(async () => useBackend('wasm'));

  it('runs at 32x32 with 2 channels and is deterministic at inference', () => {
    const model = efficientNetB0({ inputShape: [32, 32, 2], pooling: 'avg', seed: 3 });
    tf.tidy(() => {
      const x = tf.randomUniform([2, 32, 32, 2], 0, 1, 'float32', 7);
      const a = model.predict(x) as tf.Tensor;
      const b = model.predict(x) as tf.Tensor;
      expect(a.shape).toEqual([2, 1280]);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    });
    model.dispose();
  });
});
