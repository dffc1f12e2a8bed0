// batchNormTraining against tfjs's own moments + batchNorm and their autodiff gradient, and
// fuseBatchNorms: same outputs, gradients and moving statistics as the unpatched layers; frozen and
// inference-mode layers untouched.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTraining, fuseBatchNorms, fuseLayers, type NormActivation } from '../../src/architectures/index.js';
import { useBackend } from '../helpers/backends.js';
import { valueAndWeightedGrads } from '../helpers/gradients.js';
import { relativeError, seededValues } from '../wasm/helpers.js';

// The closed-form gradient against autodiff through moments: the same sums in another order.
const TOLERANCE = 1e-4;

function reference(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, activation: NormActivation = 'linear'): tf.Tensor {
  const { mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]);
  const z = tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  return activation === 'swish' ? tf.mul(z, tf.sigmoid(z)) : z;
}

/** The loss sum(m(x)^2), its gradient for every trainable weight, then every weight (moving statistics included) after the call. */
async function lossGradsAndWeights(m: tf.LayersModel, x: tf.Tensor, training: boolean): Promise<Float32Array[]> {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(x, { training }) as tf.Tensor)) as tf.Scalar, m.trainableWeights.map((w) => w.read() as tf.Variable));
  const out = [await value.data(), ...(await Promise.all(m.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!.data()))),
    ...(await Promise.all(m.getWeights().map((w) => w.data())))] as Float32Array[];
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('batchNormTraining', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals moments + batchNorm (+ x * sigmoid(x)), and their autodiff gradients for x, gamma and beta (ranks 2-4, offset data)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 6 }), fc.nat(1000), fc.constantFrom(0, 3),
      fc.constantFrom<NormActivation>('linear', 'swish'),
      async (outer, c, seed, offset, activation) => {
        const shape = [...outer, c];
        // With few values per channel dx is almost all cancellation (it sums to 0 and is orthogonal to
        // xhat): with 4, float32 rounding reached 1.7e-4 of its largest entry (CI, seed 1775727173).
        if (outer.reduce((a, b) => a * b, 1) < 8) return;
        const x = tf.add(tf.tensor(seededValues(seed, shape.reduce((a, b) => a * b, 1)), shape), offset);
        const gamma = tf.tensor1d(seededValues(seed + 1, c));
        const beta = tf.tensor1d(seededValues(seed + 2, c));
        const before = tf.memory().numTensors;
        const got = await valueAndWeightedGrads((a, g, b) => {
          const { y, mean, variance } = batchNormTraining(a!, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, activation);
          tf.dispose([mean, variance]);
          return y;
        }, [x, gamma, beta], 7);
        expect(tf.memory().numTensors).toBe(before);
        const want = await valueAndWeightedGrads((a, g, b) => reference(a!, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, activation), [x, gamma, beta], 7);
        want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(TOLERANCE));
        tf.dispose([x, gamma, beta]);
      },
    ), { numRuns: 40 });
  });

  it('fuseBatchNorms: same outputs, gradients and moving statistics; frozen layers and inference mode unchanged', async () => {
    const build = () => {
      // No conv bias: batch norm removes it, so its gradient would be rounding noise about 0.
      const input = tf.input({ shape: [6, 6, 2] });
      let y = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ momentum: 0.9 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: y });
    };
    const plain = build();
    const model = build();
    expect(fuseBatchNorms(model)).toBe(1);
    expect(fuseBatchNorms(model)).toBe(1);
    const x = tf.tensor4d(seededValues(8, 3 * 6 * 6 * 2), [3, 6, 6, 2]);
    const step = (m: tf.LayersModel, training: boolean) => lossGradsAndWeights(m, x, training);
    for (const training of [true, true, false]) {
      const want = await step(plain, training);
      const got = await step(model, training);
      want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `training ${training}, output ${i}`).toBeLessThanOrEqual(TOLERANCE));
    }
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    bn.trainable = false; // frozen: the fused call hands over to the layer's own
    const frozenPlain = plain.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    frozenPlain.trainable = false;
    const [want, got] = [await step(plain, true), await step(model, true)];
    want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `frozen, output ${i}`).toBeLessThanOrEqual(TOLERANCE));
    x.dispose();
    plain.dispose();
    model.dispose();
  });
  it('fuseLayers: a batch norm whose only consumer is a swish layer applies that swish itself; others stay linear; outputs and gradients unchanged', async () => {
    const build = () => {
      const input = tf.input({ shape: [6, 6, 2] });
      const conv = (filters: number, seed: number, t: tf.SymbolicTensor) =>
        tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotNormal({ seed }) }).apply(t) as tf.SymbolicTensor;
      const swishLayer = (t: tf.SymbolicTensor) => tf.layers.activation({ activation: 'swish' }).apply(t) as tf.SymbolicTensor;
      const paired = tf.layers.batchNormalization({ name: 'paired' }).apply(conv(3, 1, input)) as tf.SymbolicTensor;
      const a = swishLayer(paired);
      // Its normalised value also feeds the pooling: its swish layer must compute swish itself.
      const shared = tf.layers.batchNormalization({ name: 'shared' }).apply(conv(3, 2, a)) as tf.SymbolicTensor;
      const b = tf.layers.concatenate().apply([swishLayer(shared), shared]) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(b) as tf.SymbolicTensor });
    };
    const plain = build();
    const model = build();
    expect(fuseLayers(model)).toEqual({ reluConvolutions: 0, swishActivations: 2, batchNorms: 2 });
    const x = tf.tensor4d(seededValues(9, 3 * 6 * 6 * 2), [3, 6, 6, 2]);
    const layer = (m: tf.LayersModel, name: string) => m.getLayer(name);
    const convOut = tf.tidy(() => (layer(model, model.layers[1]!.name).apply(x) as tf.Tensor));
    for (const [name, activation] of [['paired', 'swish'], ['shared', 'linear']] as const) {
      const input = name === 'paired' ? convOut : tf.randomNormal([3, 6, 6, 3], 0, 1, 'float32', 4);
      const bn = layer(model, name);
      const [gamma, beta] = [bn.getWeights()[0]!, bn.getWeights()[1]!] as tf.Tensor1D[];
      const want = reference(input, gamma!, beta!, 1e-3, activation);
      const got = bn.apply(input, { training: true }) as tf.Tensor;
      expect(relativeError(await got.data(), await want.data()), name).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([input, want, got]);
    }
    plain.setWeights(model.getWeights());
    const [want, got] = [await lossGradsAndWeights(plain, x, true), await lossGradsAndWeights(model, x, true)];
    want.forEach((expected, i) => expect(relativeError(got[i]!, expected), `output ${i}`).toBeLessThanOrEqual(TOLERANCE));
    tf.dispose([x, convOut]);
    plain.dispose();
    model.dispose();
  });
});
