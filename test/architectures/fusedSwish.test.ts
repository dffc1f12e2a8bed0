// swish() against tfjs's own x * sigmoid(x) and its autodiff gradient; fuseSwishActivations on a
// small model: same outputs and weight gradients as the unpatched model.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuseSwishActivations, swish } from '../../src/architectures/index.js';
import { useBackend } from '../helpers/backends.js';
import { valueAndWeightedGrads } from '../helpers/gradients.js';
import { relativeError, seededValues } from '../wasm/helpers.js';

// Same float32 arithmetic reordered: s * (1 + x * (1 - s)) against autodiff's sum of two products.
const TOLERANCE = 1e-5;

describe('swish', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals x * sigmoid(x) and its autodiff gradient, including large |x| and zero; leaks no tensors', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.nat(1000), fc.constantFrom(1, 8, 40),
      async (shape, seed, scale) => {
        const x = tf.mul(tf.tensor(seededValues(seed, shape.reduce((a, b) => a * b, 1)), shape), scale);
        const before = tf.memory().numTensors;
        const got = await valueAndWeightedGrads((t) => swish(t!), [x], 5);
        expect(tf.memory().numTensors).toBe(before);
        const want = await valueAndWeightedGrads((t) => tf.mul(t!, tf.sigmoid(t!)), [x], 5);
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(TOLERANCE));
        x.dispose();
      },
    ), { numRuns: 30 });
  });

  it('fuseSwishActivations: a model with swish activations computes the same outputs and gradients, idempotently', async () => {
    const build = () => {
      const input = tf.input({ shape: [8, 8, 2] });
      let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      y = tf.layers.activation({ activation: 'swish' }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
      y = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }).apply(y) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: y });
    };
    const plain = build();
    const model = build();
    expect(fuseSwishActivations(model)).toBe(1);
    expect(fuseSwishActivations(model)).toBe(1);
    const x = tf.tensor4d(seededValues(8, 2 * 8 * 8 * 2), [2, 8, 8, 2]);
    const run = (m: tf.LayersModel) => tf.variableGrads(() => tf.sum(tf.square(m.apply(x) as tf.Tensor)) as tf.Scalar, m.trainableWeights.map((w) => w.read() as tf.Variable));
    const want = run(plain);
    const got = run(model);
    expect(relativeError(await got.value.data(), await want.value.data())).toBeLessThanOrEqual(TOLERANCE);
    const wantGrads = plain.trainableWeights.map((w) => want.grads[(w.read() as tf.Variable).name]!);
    const gotGrads = model.trainableWeights.map((w) => got.grads[(w.read() as tf.Variable).name]!);
    for (let i = 0; i < wantGrads.length; i += 1) expect(relativeError(await gotGrads[i]!.data(), await wantGrads[i]!.data())).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, want.value, got.value, ...wantGrads, ...gotGrads]);
    plain.dispose();
    model.dispose();
  });
});
