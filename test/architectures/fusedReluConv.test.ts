// conv2dBiasRelu against tfjs's own unfused ops (conv2d, add, relu and their registered gradients),
// and fuseReluConvolutions on the W+20 VGG: same outputs and gradients as the unpatched model.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBiasRelu, fuseReluConvolutions, vggW20 } from '../../src/architectures/index.js';
import { useBackend } from '../helpers/backends.js';
import { valueAndWeightedGrads } from '../helpers/gradients.js';
import { relativeError, seededValues } from '../wasm/helpers.js';

// float32 sums in the same order on one backend: the fused and unfused paths differ only in where
// the ReLU mask and the bias sum are applied.
const TOLERANCE = 1e-5;

type Pad = 'same' | 'valid';

function reference(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | null, strides: [number, number], pad: Pad): tf.Tensor4D {
  const z = tf.conv2d(x, w, strides, pad);
  return tf.relu(b === null ? z : tf.add(z, b)) as tf.Tensor4D;
}

describe('conv2dBiasRelu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals relu(conv2d + bias) and its gradients for x, filter and bias (random shapes, strides, padding)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({
        n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }),
        cin: fc.integer({ min: 1, max: 4 }), cout: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 2 }), pad: fc.constantFrom<Pad>('same', 'valid'), bias: fc.boolean(), seed: fc.nat(1000),
      }),
      async ({ n, h, w, cin, cout, k, stride, pad, bias, seed }) => {
        const x = tf.tensor4d(seededValues(seed, n * h * w * cin), [n, h, w, cin]);
        const f = tf.tensor4d(seededValues(seed + 1, k * k * cin * cout), [k, k, cin, cout]);
        const b = tf.tensor1d(seededValues(seed + 2, cout));
        const strides: [number, number] = [stride, stride];
        const inputs = bias ? [x, f, b] : [x, f];
        const cast = (t: tf.Tensor[]) => [t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, bias ? t[2] as tf.Tensor1D : null] as const;
        const before = tf.memory().numTensors;
        const got = await valueAndWeightedGrads((...t) => conv2dBiasRelu(...cast(t), strides, pad), inputs);
        expect(tf.memory().numTensors).toBe(before);
        const want = await valueAndWeightedGrads((...t) => reference(...cast(t), strides, pad), inputs);
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(TOLERANCE));
        tf.dispose([x, f, b]);
      },
    ), { numRuns: 40 });
  });
});

describe('fuseReluConvolutions', () => {
  it('fuses the six ReLU convolutions of the W+20 VGG, idempotently; outputs and weight gradients are unchanged', async () => {
    await useBackend('cpu');
    const build = () => vggW20({ inputShape: [16, 16, 1], outputs: 3, dropoutRate: 0, seed: 4 });
    const plain = build();
    const model = build(); // same seed: same weights
    expect(fuseReluConvolutions(model)).toBe(6);
    expect(fuseReluConvolutions(model)).toBe(6);
    expect(JSON.stringify(model.toJSON(null, false))).toBe(JSON.stringify(plain.toJSON(null, false)));
    const x = tf.tensor4d(seededValues(3, 2 * 16 * 16), [2, 16, 16, 1]);
    const gradsOf = (m: tf.LayersModel) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, m.trainableWeights.map((v) => v.read() as tf.Variable));
      return { value, grads: m.trainableWeights.map((v) => grads[(v.read() as tf.Variable).name]!) };
    };
    const want = gradsOf(plain);
    const before = tf.memory().numTensors;
    const got = gradsOf(model);
    expect(tf.memory().numTensors - before).toBe(1 + got.grads.length);
    expect(relativeError(await got.value.data(), await want.value.data())).toBeLessThanOrEqual(TOLERANCE);
    for (let i = 0; i < want.grads.length; i += 1) {
      expect(relativeError(await got.grads[i]!.data(), await want.grads[i]!.data()), model.trainableWeights[i]!.originalName).toBeLessThanOrEqual(1e-4);
    }
    tf.dispose([x, want.value, got.value, ...want.grads, ...got.grads]);
    plain.dispose();
    model.dispose();
  });
});
