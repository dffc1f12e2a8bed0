import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { recalibrateBatchNorm } from '../../src/training/batchNormStatistics.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';

const SHAPE = [4, 4, 2] as const;
const PIXELS = SHAPE[0] * SHAPE[1] * SHAPE[2];

/** BN straight on the input inside a nested model, then a conv and a second BN. */
function model(): tf.LayersModel {
  const input = tf.input({ shape: [...SHAPE] });
  const innerInput = tf.input({ shape: [...SHAPE] });
  const inner = tf.model({ name: 'inner', inputs: innerInput, outputs: tf.layers.batchNormalization({ momentum: 0.99, name: 'inner_bn' }).apply(innerInput) as tf.SymbolicTensor });
  let x = inner.apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ momentum: 0.9, name: 'outer_bn' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function source(images: Float32Array, batchSize: number) {
  const count = images.length / PIXELS;
  return inMemoryBatchSource({ images, imageShape: [...SHAPE], labels: Array.from({ length: count }, () => [0]), batchSize });
}

describe('recalibrateBatchNorm', () => {
  it('should set the moving statistics to the average of the batches\' statistics (float64 reference) and restore the momenta', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }),
      async (batchCount, batchSize, limit, seed) => {
        let state = seed;
        const rand = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 2 ** 32; };
        const images = Float32Array.from({ length: batchCount * batchSize * PIXELS }, (_, i) => 3 * rand() + (i % 2) * 5 - 1);
        const m = model();
        const used = await recalibrateBatchNorm(m, source(images, batchSize), { batches: limit });
        expect(used).toBe(Math.min(limit, batchCount));
        // Reference: per channel, mean over the first `used` batches the source yields of each
        // batch's mean and biased variance, in float64.
        const batches: Float32Array[] = [];
        for await (const batch of source(images, batchSize).batches(0)) {
          batches.push(batch.images.dataSync() as Float32Array);
          tf.dispose([batch.images, batch.labels]);
        }
        const channels = SHAPE[2];
        const expectedMean = new Float64Array(channels);
        const expectedVar = new Float64Array(channels);
        for (const data of batches.slice(0, used)) {
          for (let c = 0; c < channels; c += 1) {
            const values: number[] = [];
            for (let p = c; p < data.length; p += channels) values.push(data[p]!);
            const mean = values.reduce((a, v) => a + v, 0) / values.length;
            expectedMean[c] = (expectedMean[c] ?? 0) + mean / used;
            expectedVar[c] = (expectedVar[c] ?? 0) + values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length / used;
          }
        }
        const inner = m.getLayer('inner') as unknown as tf.LayersModel;
        const bn = inner.getLayer('inner_bn');
        const [, , movingMean, movingVariance] = bn.getWeights();
        Array.from(movingMean!.dataSync()).forEach((v, c) => expect(Math.abs(v - expectedMean[c]!)).toBeLessThan(1e-4 * (1 + Math.abs(expectedMean[c]!))));
        Array.from(movingVariance!.dataSync()).forEach((v, c) => expect(Math.abs(v - expectedVar[c]!)).toBeLessThan(1e-4 * (1 + expectedVar[c]!)));
        expect((bn as unknown as { momentum: number }).momentum).toBe(0.99);
        expect((m.getLayer('outer_bn') as unknown as { momentum: number }).momentum).toBe(0.9);
        m.dispose();
      },
    ), { numRuns: 12 });
  });

  it('should make inference mode reproduce training mode on the single batch it was calibrated on, without leaking tensors', async () => {
    const images = Float32Array.from({ length: 6 * PIXELS }, (_, i) => Math.sin(i * 0.7) * 2 + (i % 3));
    const m = model();
    const x = tf.tensor4d(images, [6, ...SHAPE]);
    const before = tf.memory().numTensors;
    await recalibrateBatchNorm(m, source(images, 6), { batches: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const training = (m.apply(x, { training: true }) as tf.Tensor).dataSync();
    const inference = (m.apply(x, { training: false }) as tf.Tensor).dataSync();
    // Both layers see exactly the batch's statistics; only epsilon placement and rounding differ.
    training.forEach((v, i) => expect(Math.abs(v - inference[i]!)).toBeLessThan(1e-3));
    m.dispose();
    x.dispose();
  });

  it('should leave a model without batch norm alone and reject a bad batch count', async () => {
    const input = tf.input({ shape: [...SHAPE] });
    const plain = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    expect(await recalibrateBatchNorm(plain, source(new Float32Array(2 * PIXELS), 2))).toBe(0);
    await expect(recalibrateBatchNorm(plain, source(new Float32Array(2 * PIXELS), 2), { batches: 0 })).rejects.toThrow(ConfigError);
    plain.dispose();
  });
});
