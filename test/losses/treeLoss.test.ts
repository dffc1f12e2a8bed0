import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decalsDr5Schema, defineSchema, type Schema } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { dirichletMultinomialNLL, treeLoss } from '../../src/losses/index.js';
import { logUniformArb } from '../arbitraries/losses.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';
import { dmNllGradRef, dmNllRef, maxRelativeError } from './reference64.js';

/** Small tree: 3 questions with 2, 3 and 2 answers; the last two asked after answers of the first. */
const tinySchema = defineSchema(
  { q1: ['_a', '_b'], q2: ['_x', '_y', '_z'], q3: ['_yes', '_no'] },
  { q1: null, q2: 'q1_a', q3: 'q1_b' },
  { name: 'tiny' },
);

/** A batch of vote rows and concentrations for `schema` (some questions get no votes). */
function batchArb(schema: Schema, maxBatch = 6): fc.Arbitrary<{ counts: number[][]; alphas: number[][] }> {
  const width = schema.answerCount;
  return fc.integer({ min: 1, max: maxBatch }).chain((batch) => fc.record({
    counts: fc.array(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })), { minLength: width, maxLength: width }), { minLength: batch, maxLength: batch }),
    alphas: fc.array(fc.array(logUniformArb(1, 101), { minLength: width, maxLength: width }), { minLength: batch, maxLength: batch }),
  }));
}

/** Per-question float64 NLL `[batch][questions]`. */
function perQuestionRef(schema: Schema, counts: number[][], alphas: number[][]): number[][] {
  return counts.map((row, b) => schema.questions.map((q) => dmNllRef(row.slice(q.startIndex, q.endIndex), (alphas[b] ?? []).slice(q.startIndex, q.endIndex))));
}

describeBackends('treeLoss', () => {
  it('should give per-question NLL equal to the float64 reference and to slicing each question', () => {
    const loss = treeLoss(tinySchema);
    fc.assert(fc.property(batchArb(tinySchema), ({ counts, alphas }) => {
      const [perQuestion, sliced] = tf.tidy(() => {
        const c = tf.tensor2d(counts);
        const a = tf.tensor2d(alphas);
        const pq = loss.perQuestion(c, a);
        expect(pq.shape).toEqual([counts.length, tinySchema.questionCount]);
        const bySlice = tf.stack(tinySchema.questions.map((q) => dirichletMultinomialNLL(
          tf.slice(c, [0, q.startIndex], [-1, q.endIndex - q.startIndex]),
          tf.slice(a, [0, q.startIndex], [-1, q.endIndex - q.startIndex]),
        )), 1);
        return [pq.dataSync(), bySlice.dataSync()];
      });
      expect(maxRelativeError(perQuestion, perQuestionRef(tinySchema, counts, alphas).flat(), 1)).toBeLessThanOrEqual(2e-5);
      expect(maxRelativeError(perQuestion, sliced, 1)).toBeLessThanOrEqual(1e-6);
    }), { numRuns: 15 });
  });

  it('should reduce by summing questions (weighted) and averaging or summing galaxies', () => {
    const weights = [1, 0.5, 2];
    const losses = {
      mean: treeLoss(tinySchema, { questionWeights: weights }),
      sum: treeLoss(tinySchema, { questionWeights: { q2: 0.5, q3: 2 }, reduction: 'sum' }),
      none: treeLoss(tinySchema, { questionWeights: weights, reduction: 'none' }),
    };
    fc.assert(fc.property(batchArb(tinySchema), ({ counts, alphas }) => {
      const perGalaxy = perQuestionRef(tinySchema, counts, alphas).map((row) => row.reduce((s, v, q) => s + v * (weights[q] ?? 0), 0));
      const total = perGalaxy.reduce((a, b) => a + b, 0);
      const [mean, sum, none] = tf.tidy(() => {
        const c = tf.tensor2d(counts);
        const a = tf.tensor2d(alphas);
        const m = losses.mean(c, a);
        expect(m.shape).toEqual([]);
        return [m.dataSync(), losses.sum(c, a).dataSync(), losses.none(c, a).dataSync()];
      });
      expect(maxRelativeError(mean, [total / counts.length], 1)).toBeLessThanOrEqual(2e-5);
      expect(maxRelativeError(sum, [total], 1)).toBeLessThanOrEqual(2e-5);
      expect(maxRelativeError(none, perGalaxy, 1)).toBeLessThanOrEqual(2e-5);
    }), { numRuns: 15 });
  });

  it('should differentiate like the float64 gradient inside tf.variableGrads', () => {
    const loss = treeLoss(tinySchema);
    fc.assert(fc.property(batchArb(tinySchema, 4), ({ counts, alphas }) => {
      const variable = tf.variable(tf.tensor2d(alphas));
      const grads = tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => loss(tf.tensor2d(counts), variable) as tf.Scalar, [variable]);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        return g[variable.name]?.dataSync() ?? new Float32Array();
      });
      variable.dispose();
      const expected = counts.flatMap((row, b) => tinySchema.questions.flatMap((q) => dmNllGradRef(
        row.slice(q.startIndex, q.endIndex), (alphas[b] ?? []).slice(q.startIndex, q.endIndex),
      ).map(({ grad, scale }) => ({ grad: grad / counts.length, scale: scale / counts.length }))));
      expected.forEach(({ grad, scale }, i) => {
        expect(Math.abs((grads[i] ?? Number.NaN) - grad)).toBeLessThanOrEqual(1e-5 * Math.abs(grad) + 3e-7 * scale);
      });
    }), { numRuns: 25 });
  });

  it('should plug into model.compile and fit the DECaLS tree', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: decalsDr5Schema.answerCount, activation: 'softplus', kernelInitializer: 'glorotUniform' })],
    });
    const loss = treeLoss(decalsDr5Schema);
    model.compile({ optimizer: tf.train.adam(1e-2), loss });
    const x = tf.randomUniform([8, 4], 0, 1, 'float32', 1);
    const y = tf.round(tf.randomUniform([8, decalsDr5Schema.answerCount], 0, 10, 'float32', 2));
    const history = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    const evaluated = (model.evaluate(x, y) as tf.Scalar).dataSync()[0] ?? Number.NaN;
    const direct = tf.tidy(() => loss(y, model.predict(x) as tf.Tensor).dataSync()[0] ?? Number.NaN);
    expect(Math.abs(evaluated - direct)).toBeLessThanOrEqual(1e-5 * Math.abs(direct));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('should throw typed errors for mismatched shapes, wrong column counts and bad options', () => {
    const loss = treeLoss(tinySchema, { validate: true });
    const good = tf.ones([2, 7]);
    expect(() => loss(good, tf.ones([2, 6]))).toThrow(ShapeError);
    expect(() => loss(tf.ones([2, 6]), tf.ones([2, 6]))).toThrow(/expected labels and predictions of shape \[batch, 7\]/);
    expect(() => loss(tf.ones([7]), tf.ones([7]))).toThrow(ShapeError);
    expect(() => loss(good, tf.zeros([2, 7]))).toThrow(ConfigError);
    expect(() => treeLoss(tinySchema, { questionWeights: [1, 2] })).toThrow(/3 questions/);
    expect(() => treeLoss(tinySchema, { questionWeights: { q9: 1 } })).toThrow(/unknown question "q9"/);
    expect(() => treeLoss(tinySchema, { questionWeights: [1, -1, 1] })).toThrow(ConfigError);
    expect(() => treeLoss(tinySchema, { reduction: 'avg' as never })).toThrow(/Should be one of: mean, sum, none/);
  });

  it('should make only the question with a bad concentration NaN (without validate)', () => {
    const values = tf.tidy(() => treeLoss(tinySchema).perQuestion(
      tf.tensor2d([[3, 1, 2, 0, 1, 0, 0]]),
      tf.tensor2d([[2, 3, 4, -1, 5, 6, 7]]),
    ).dataSync());
    expect(values[0]).toBeCloseTo(dmNllRef([3, 1], [2, 3]), 4);
    expect(values[1]).toBeNaN();
    expect(values[2]).toBe(0);
  });

  it('should give 0 for galaxies with no votes and not leak tensors', () => {
    const loss = treeLoss(tinySchema);
    const counts = tf.zeros([3, 7]);
    const alphas = tf.fill([3, 7], 4);
    expect(loss(counts, alphas).dataSync()[0]).toBe(0);
    expect(leakedTensors(() => {
      loss(counts, alphas).dispose();
      loss.perQuestion(counts, alphas).dispose();
      tf.grad((a: tf.Tensor) => loss(counts, a))(alphas).dispose();
    })).toBe(0);
    tf.dispose([counts, alphas]);
  });
});
