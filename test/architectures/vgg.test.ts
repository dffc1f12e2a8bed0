import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { vggW20 } from '../../src/architectures/index.js';
import { ConfigError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';

/** Hand count of the W+20 VGG: 3x3 convs with bias, Dense 128, Dense(outputs). */
function vggParams(h: number, w: number, c: number, outputs: number): number {
  const filters = [32, 32, 64, 64, 128, 128];
  let params = 0;
  let cin = c;
  for (const f of filters) {
    params += 3 * 3 * cin * f + f;
    cin = f;
  }
  const flat = (h / 16) * (w / 16) * 128;
  return params + flat * 128 + 128 + 128 * outputs + outputs;
}

describe('vggW20', () => {
  it('has the Keras count with one output (1,335,265) and the hand-computed count', () => {
    expect(vggW20().countParams()).toBe(1_335_265);
    expect(vggParams(128, 128, 1, 1)).toBe(1_335_265);
  });

  it('matches the hand count for other sizes, channels and outputs', () => {
    for (const [h, w, c, k] of [[64, 64, 3, 34], [32, 48, 2, 5], [16, 16, 1, 1]] as const) {
      expect(vggW20({ inputShape: [h, w, c], outputs: k }).countParams()).toBe(vggParams(h, w, c, k));
    }
  });

  it('ends in a [h/16, w/16, 128] map without the top', () => {
    expect(vggW20({ inputShape: [64, 32, 1], includeTop: false }).outputs[0]!.shape).toEqual([null, 4, 2, 128]);
  });

  it('rejects sizes that are not multiples of 16', () => {
    expect(() => vggW20({ inputShape: [100, 128, 1] })).toThrow(ConfigError);
  });

  describe('forward [wasm]', () => {
    beforeAll(async () => useBackend('wasm'));
    it('predicts fractions in (0, 1) at 32x32', () => {
      const model = vggW20({ inputShape: [32, 32, 1] });
      tf.tidy(() => {
        const y = model.predict(tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 1)) as tf.Tensor;
        expect(y.shape).toEqual([3, 1]);
        for (const v of y.dataSync()) expect(v > 0 && v < 1).toBe(true);
      });
      model.dispose();
    });
  });
});
