import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { dirichletHead, mcDropout, predictMC } from '../../src/architectures/index.js';
import { treeLoss } from '../../src/losses/treeLoss.js';
import { acquire, acquisitionScores, type PoolItem } from '../../src/metrics/acquisition.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { inMemoryBatchSource } from '../../src/training/batches.js';
import { modelWeightArrays, setModelWeightArrays, type NamedArray } from '../../src/training/checkpoint.js';
import { reseedModel } from '../../src/training/reseed.js';
import { train } from '../../src/training/train.js';
import {
  activeLearning, type ActiveLearningOptions, type ActiveLearningState, type ActiveLearningStore, type LabelledSet,
} from '../../src/training/activeLearning.js';

// A toy catalogue: 60 8x8 images whose votes depend on their mean brightness, two questions.
const schema = defineSchema({ a: ['_x', '_y'], b: ['_u', '_v', '_w'] }, { a: null, b: 'a_x' }, { name: 'toy' });
const SHAPE = [8, 8, 1] as const;
const PIXELS = 64;
const N = 60;
const pixels = new Float32Array(N * PIXELS);
const votes = new Map<string, number[]>();
const poolIds = Array.from({ length: N }, (_, i) => `g${i}`);
{
  let s = 11;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  poolIds.forEach((id, i) => {
    let mean = 0;
    for (let p = 0; p < PIXELS; p += 1) { const v = rand() * (i / N); pixels[i * PIXELS + p] = v; mean += v / PIXELS; }
    const x = Math.round(10 * mean);
    votes.set(id, [x, 10 - x, Math.round(x / 2), x - Math.round(x / 2), 0]);
  });
}
const indexOf = (id: string): number => poolIds.indexOf(id);
const imagesOf = (ids: readonly string[]): tf.Tensor4D => {
  const x = new Float32Array(ids.length * PIXELS);
  ids.forEach((id, b) => x.set(pixels.subarray(indexOf(id) * PIXELS, (indexOf(id) + 1) * PIXELS), b * PIXELS));
  return tf.tensor4d(x, [ids.length, ...SHAPE]);
};
const pool = { ids: poolIds, images: imagesOf };

/** An oracle over the known votes that records what it was asked. */
function recordingOracle(failOnCall?: number) {
  const asked: string[][] = [];
  const oracle = async (ids: readonly string[]): Promise<number[][]> => {
    if (asked.length + 1 === failOnCall) throw new Error('simulated interruption');
    asked.push([...ids]);
    return ids.map((id) => votes.get(id)!);
  };
  return { asked, oracle };
}

function toyModel(seed: number, rate = 0.3): tf.LayersModel {
  const input = tf.input({ shape: [...SHAPE] });
  const flat = tf.layers.flatten().apply(input);
  const hidden = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(flat);
  const dropped = mcDropout({ rate }).apply(hidden);
  const logits = tf.layers.dense({ units: schema.answerCount, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(dropped);
  return tf.model({ inputs: input, outputs: dirichletHead({ scale: 20 }).apply(logits) as tf.SymbolicTensor });
}

const loss = treeLoss(schema).perQuestion;

/** Retrains a fresh seeded model for two epochs; keeps each round's trained weights in `weights`. */
function retrainer(weights: NamedArray[][] = []) {
  return async (labelled: LabelledSet, iteration: number): Promise<tf.LayersModel> => {
    const model = toyModel(100 + iteration);
    const subset = new Float32Array(labelled.ids.length * PIXELS);
    labelled.ids.forEach((id, b) => subset.set(pixels.subarray(indexOf(id) * PIXELS, (indexOf(id) + 1) * PIXELS), b * PIXELS));
    const optimizer = tf.train.adam(0.02);
    await train({
      model, schema, loss, optimizer, epochs: 2, seed: iteration,
      train: inMemoryBatchSource({ images: subset, imageShape: SHAPE, labels: labelled.labels, batchSize: 16, seed: iteration }),
    });
    optimizer.dispose();
    weights.push(await modelWeightArrays(model));
    return model;
  };
}

/** An evaluation independent of the loop: the mean tree loss over the whole pool. */
async function evaluate(model: tf.LayersModel): Promise<{ loss: number }> {
  const x = imagesOf(poolIds);
  const value = tf.tidy(() => tf.mean(tf.sum(loss(tf.tensor2d(poolIds.map((id) => votes.get(id)!)), model.predict(x) as tf.Tensor2D), 1)));
  const [mean] = await value.data();
  tf.dispose([x, value]);
  return { loss: mean ?? Number.NaN };
}

/** A store that keeps the state as a JSON string, so whatever it holds must survive serialisation. */
function jsonStore(): ActiveLearningStore & { saves: number } {
  let text: string | undefined;
  return {
    saves: 0,
    async load() { return text === undefined ? undefined : (JSON.parse(text) as ActiveLearningState); },
    async save(state) { text = JSON.stringify(state); this.saves += 1; },
  };
}

const base = (overrides: Partial<ActiveLearningOptions> = {}): ActiveLearningOptions => ({
  schema, pool, oracle: recordingOracle().oracle, retrain: retrainer(), evaluate,
  iterations: 3, initial: 20, perIteration: 15, passes: 4, totalVotes: 10, seed: 5, ...overrides,
});

describe('activeLearning', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

  it('should label initial + k·perIteration galaxies, never one twice nor beyond the pool, without leaking tensors', async () => {
    const { asked, oracle } = recordingOracle();
    const before = tf.memory().numTensors;
    const result = await activeLearning(base({ oracle, acquisition: 'margin', iterations: 6 }));
    expect(tf.memory().numTensors).toBe(before);
    // 20, 35, 50, then the last 10 of the pool; the round on the full pool is the last.
    expect(result.records.map((r) => r.labelled)).toEqual([20, 35, 50, 60]);
    expect(result.records.map((r) => r.acquired.length)).toEqual([15, 15, 10, 0]);
    expect(result.records.map((r) => r.iteration)).toEqual([0, 1, 2, 3]);
    expect(result.iterationsRun).toBe(4);
    const all = asked.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...poolIds].sort());
    expect(result.labelled.ids).toEqual(all);
    expect(result.labelled.labels).toEqual(all.map((id) => votes.get(id)));
    for (const record of result.records) expect(Number.isFinite(record.evaluation?.loss)).toBe(true);
  });

  it('should follow the closed-form labelled counts for any pool, start and batch sizes (property)', async () => {
    const untrained = async (): Promise<tf.LayersModel> => toyModel(1);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }),
      async (size, initial, perIteration, iterations) => {
        const ids = poolIds.slice(0, size);
        const result = await activeLearning({
          schema, pool: { ids, images: imagesOf }, oracle: recordingOracle().oracle, retrain: untrained,
          acquisition: 'random', iterations, initial, perIteration, passes: 2,
        });
        const expected: number[] = [];
        for (let i = 0; i < iterations; i += 1) {
          expected.push(Math.min(size, initial + i * perIteration));
          if (expected.at(-1) === size) break;
        }
        expect(result.records.map((r) => r.labelled)).toEqual(expected);
        expect(new Set(result.labelled.ids).size).toBe(result.labelled.ids.length);
      },
    ), { numRuns: 12 });
  });

  it('should reproduce the same sequence with random acquisition and the same seed', async () => {
    const run = (seed: number) => activeLearning(base({ acquisition: 'random', seed, evaluate: undefined }));
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(b.labelled.ids).toEqual(a.labelled.ids);
    expect(b.records).toEqual(a.records);
    expect(c.labelled.ids).not.toEqual(a.labelled.ids);
  });

  it('should acquire the galaxies with the highest BALD, as acquire() ranks them on the same model', async () => {
    const weights: NamedArray[][] = [];
    const seed = 5;
    const result = await activeLearning(base({ acquisition: 'bald', retrain: retrainer(weights), iterations: 2, seed, scoreBatchSize: 1000 }));
    const initial = new Set(result.labelled.ids.slice(0, 20));
    const unlabelled = poolIds.filter((id) => !initial.has(id));
    // Rebuild round 0's model, restart its dropout streams as documented and score independently.
    const model = toyModel(100);
    setModelWeightArrays(model, weights[0]!);
    reseedModel(model, seed + 0);
    const x = imagesOf(unlabelled);
    const mc = predictMC(model, x, 4);
    const perPass = mc.arraySync() as number[][][];
    tf.dispose([x, mc]);
    model.dispose();
    const items: PoolItem[] = unlabelled.map((id, g) => ({ id, passes: 4, concentrations: perPass.flatMap((pass) => pass[g]!) }));
    const options = { schema, acquisition: 'bald' as const, totalVotes: 10, seed: [seed, 0, 0] };
    const expected = acquire(items, 15, options);
    const acquired = result.records[0]!.acquired;
    expect(acquired.map((a) => a.id)).toEqual(expected.map((a) => a.id));
    acquired.forEach((a, i) => expect(a.score).toBeCloseTo(expected[i]!.score, 10));
    // And no galaxy left behind scores higher than the lowest acquired one.
    const scores = acquisitionScores(items, options);
    const chosen = new Set(acquired.map((a) => a.id));
    const lowest = Math.min(...acquired.map((a) => a.score));
    expect(lowest).toBeGreaterThan(0); // dropout really spreads the passes, so the ranking is not a tie
    unlabelled.forEach((id, g) => { if (!chosen.has(id)) expect(scores[g]!).toBeLessThanOrEqual(lowest); });
  });

  it('should pick the same galaxies whatever the scoring chunk size when predictions are deterministic', async () => {
    const noDropout = async (): Promise<tf.LayersModel> => toyModel(3, 0);
    const run = (scoreBatchSize: number) => activeLearning(base({ acquisition: 'margin', retrain: noDropout, evaluate: undefined, scoreBatchSize }));
    const [whole, chunked] = [await run(1000), await run(7)];
    expect(chunked.labelled.ids).toEqual(whole.labelled.ids);
    expect(chunked.records.flatMap((r) => r.acquired.map((a) => a.id))).toEqual(whole.records.flatMap((r) => r.acquired.map((a) => a.id)));
  });

  it('should resume after an interruption from the saved state, without asking the oracle again', async () => {
    const options = { acquisition: 'bald' as const, iterations: 3 };
    const uninterrupted = await activeLearning(base(options));

    const store = jsonStore();
    const failing = recordingOracle(3); // initial draw, after round 0, then fails after round 1
    await expect(activeLearning(base({ ...options, store, oracle: failing.oracle }))).rejects.toThrow('simulated interruption');
    const saved = (await store.load())!;
    expect(saved.records).toHaveLength(1);
    expect(saved.labelled.ids).toEqual(failing.asked.flat());

    const resumed = recordingOracle();
    const result = await activeLearning(base({ ...options, store, oracle: resumed.oracle }));
    expect(result.iterationsRun).toBe(2);
    expect(resumed.asked.flat().filter((id) => saved.labelled.ids.includes(id))).toEqual([]);
    expect(result.labelled.ids).toEqual(uninterrupted.labelled.ids);
    expect(result.records.map((r) => r.acquired.map((a) => a.id))).toEqual(uninterrupted.records.map((r) => r.acquired.map((a) => a.id)));
    expect(result.records.map((r) => r.evaluation?.loss)).toEqual(uninterrupted.records.map((r) => r.evaluation?.loss));

    // A finished run stays finished.
    const again = recordingOracle();
    const rerun = await activeLearning(base({ ...options, store, oracle: again.oracle }));
    expect(rerun.iterationsRun).toBe(0);
    expect(again.asked).toEqual([]);
  });

  it('should reject bad counts, duplicate ids, a foreign stored state and oracle answers of the wrong shape', async () => {
    const fresh = async (): Promise<tf.LayersModel> => toyModel(1);
    await expect(activeLearning(base({ initial: 0 }))).rejects.toThrow(ConfigError);
    await expect(activeLearning(base({ iterations: 1.5 }))).rejects.toThrow(ConfigError);
    await expect(activeLearning(base({ pool: { ids: ['a', 'a'], images: imagesOf } }))).rejects.toThrow(DataError);
    await expect(activeLearning(base({ retrain: fresh, oracle: async (ids) => ids.slice(1).map(() => [1, 1, 1, 1, 1]) })))
      .rejects.toThrow(/returned 19 rows for 20 ids/);
    await expect(activeLearning(base({ retrain: fresh, oracle: async (ids) => ids.map(() => [1, 1]) }))).rejects.toThrow(/has 5 answers/);
    const store = jsonStore();
    await store.save({ labelled: { ids: ['stranger'], labels: [[1, 1, 1, 1, 1]] }, records: [] });
    await expect(activeLearning(base({ store }))).rejects.toThrow(/'stranger'/);
  });
});
