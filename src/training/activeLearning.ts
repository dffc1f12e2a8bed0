/**
 * The active-learning loop of W+20: label a seeded random start, then repeatedly retrain, evaluate,
 * score the unlabelled pool with MC dropout and ask the oracle (volunteers, or a catalogue's known
 * votes) to label the galaxies with the highest acquisition scores. Resumable through a state store.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { predictMC } from '../architectures/predictMC.js';
import { createRng } from '../data/synthetic/random.js';
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { acquire, type Acquired, type AcquireOptions, type PoolItem } from '../metrics/acquisition.js';
import { shuffleInPlace } from './batches.js';
import { reseedModel } from './reseed.js';

/** The galaxies seen so far with their vote counts, in labelling order. */
export interface LabelledSet {
  readonly ids: readonly string[];
  /** `[galaxy][answer]` vote counts in the schema's column order. */
  readonly labels: ReadonlyArray<readonly number[]>;
}

/** What the caller's evaluation reports for one retrained model. */
export interface ActiveLearningEvaluation {
  /** Mean loss per galaxy on the caller's evaluation set. */
  readonly loss: number;
  /** Any further metrics, by name. */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** One round of the loop: plain JSON. */
export interface ActiveLearningRecord {
  /** Zero-based round. */
  readonly iteration: number;
  /** Galaxies the round's model was trained on. */
  readonly labelled: number;
  /** The evaluation of the round's model, when `evaluate` is given. */
  readonly evaluation?: ActiveLearningEvaluation;
  /** Galaxies labelled after this round, highest score first (empty after the last round). */
  readonly acquired: readonly Acquired[];
}

/** Everything needed to continue an interrupted loop: plain JSON. */
export interface ActiveLearningState {
  readonly labelled: LabelledSet;
  readonly records: readonly ActiveLearningRecord[];
}

/** Where the loop keeps its state; `save` must be atomic (the old state survives a crash mid-save). */
export interface ActiveLearningStore {
  /** The last saved state, or `undefined` before the first run. */
  load(): Promise<ActiveLearningState | undefined>;
  save(state: ActiveLearningState): Promise<void>;
}

/** The unlabelled galaxies and how to fetch their pixels. */
export interface ActiveLearningPool {
  /** Unique galaxy ids. */
  readonly ids: readonly string[];
  /** Images of `ids` in that order, `[ids.length, h, w, c]`; the loop disposes the tensor. */
  images(ids: readonly string[]): tf.Tensor4D | Promise<tf.Tensor4D>;
}

/** Options of {@link activeLearning}. */
export interface ActiveLearningOptions extends Omit<AcquireOptions, 'seed'> {
  readonly pool: ActiveLearningPool;
  /** Vote counts of `ids`, `[ids.length][answers]`, in that order. */
  readonly oracle: (ids: readonly string[]) => Promise<ReadonlyArray<ArrayLike<number>>>;
  /** Trains and returns a model (Dirichlet concentrations per schema answer) on the labelled set; the loop disposes it. */
  readonly retrain: (labelled: LabelledSet, iteration: number) => Promise<tf.LayersModel>;
  /** Scores a retrained model (e.g. the tree loss on a fixed held-out set). */
  readonly evaluate?: (model: tf.LayersModel, iteration: number) => Promise<ActiveLearningEvaluation>;
  /** Number of retraining rounds; the pool is labelled between rounds. */
  readonly iterations: number;
  /** Galaxies labelled at random before the first round. @defaultValue 256 */
  readonly initial?: number;
  /** Galaxies labelled after each round but the last. @defaultValue 128 */
  readonly perIteration?: number;
  /** MC dropout passes per galaxy. @defaultValue 5 */
  readonly passes?: number;
  /** Galaxies per `pool.images` call while scoring (bounds memory). @defaultValue 256 */
  readonly scoreBatchSize?: number;
  /** Batch size of the model's forward passes. @defaultValue 32 */
  readonly predictBatchSize?: number;
  /** Seed of the initial draw, the dropout masks and the acquisition's Monte Carlo. @defaultValue 0 */
  readonly seed?: number;
  /** Keeps the state so that a later call continues an interrupted run. */
  readonly store?: ActiveLearningStore;
  /** After every round, once its state is saved. */
  readonly onIteration?: (record: ActiveLearningRecord) => void | Promise<void>;
}

/** What {@link activeLearning} returns. */
export interface ActiveLearningResult extends ActiveLearningState {
  /** Rounds run by this call (excluding those restored from the store). */
  readonly iterationsRun: number;
}

/**
 * Runs the active-learning loop. Round i retrains on the labelled set, evaluates the model, and
 * (unless it is the last round or the pool is exhausted) scores every unlabelled galaxy with
 * `passes` MC-dropout passes, acquires the top `perIteration` with {@link acquire}, and labels them
 * through the oracle. The state (labelled ids, labels, records) is saved after the initial draw and
 * after every round, so a later call with the same store continues at the next round without asking
 * the oracle again.
 *
 * Deterministic given `seed`: before scoring in round i the model's dropout streams are restarted
 * with `reseedModel(model, seed + i)`, and chunk c of the pool is scored with acquisition seed `[seed, i, c]`.
 *
 * @returns every round's record and the final labelled set.
 * @throws {@link ConfigError} for bad counts; {@link DataError} for duplicate pool ids, a stored state
 *   that does not fit the pool, or oracle answers of the wrong length; {@link ShapeError} for images or
 *   model outputs that do not fit.
 * @example
 * ```ts
 * const { records } = await activeLearning({
 *   schema, pool: { ids, images: (some) => loadImages(some) }, oracle: (some) => knownVotes(some),
 *   retrain: async (labelled) => trainFreshModel(labelled), evaluate: (model) => heldOutLoss(model),
 *   iterations: 5, acquisition: 'bald',
 * });
 * ```
 */
export async function activeLearning(options: ActiveLearningOptions): Promise<ActiveLearningResult> {
  const { pool, iterations, initial = 256, perIteration = 128, scoreBatchSize = 256, seed = 0, store } = options;
  assertCount('iterations', iterations, 1);
  assertCount('scoreBatchSize', scoreBatchSize, 1);
  assertCount('initial', initial, 1);
  assertCount('perIteration', perIteration, 1);
  if (!Number.isInteger(seed)) throw new ConfigError(`activeLearning: seed must be an integer, got ${seed}`);
  if (new Set(pool.ids).size !== pool.ids.length) throw new DataError('activeLearning: pool ids must be unique');

  const restored = await store?.load();
  if (restored !== undefined) assertStateFits(restored, pool.ids);
  const ids = [...(restored?.labelled.ids ?? [])];
  const labels = [...(restored?.labelled.labels ?? [])];
  const records = [...(restored?.records ?? [])];
  const save = async (): Promise<void> => { await store?.save({ labelled: { ids: [...ids], labels: [...labels] }, records: [...records] }); };

  if (restored === undefined) {
    const draw = shuffleInPlace([...pool.ids], createRng(seed)).slice(0, initial);
    ids.push(...draw);
    labels.push(...(await askOracle(options, draw)));
    await save();
  }
  let iterationsRun = 0;
  const labelledIds = new Set(ids);
  // Only the final round acquires nothing (perIteration >= 1), so a finished run stays finished.
  const finished = records.at(-1)?.acquired.length === 0;
  for (let iteration = records.length; iteration < iterations && !finished; iteration += 1) {
    const unlabelled = pool.ids.filter((id) => !labelledIds.has(id));
    const last = iteration === iterations - 1 || unlabelled.length === 0;
    const model = await options.retrain({ ids: [...ids], labels: [...labels] }, iteration);
    let record: ActiveLearningRecord;
    try {
      const evaluation = await options.evaluate?.(model, iteration);
      const acquired = last ? [] : await scorePool(model, unlabelled, iteration, options);
      record = { iteration, labelled: ids.length, ...(evaluation !== undefined ? { evaluation } : {}), acquired };
    } finally {
      model.dispose();
    }
    const newIds = record.acquired.map((a) => a.id);
    labels.push(...(await askOracle(options, newIds)));
    ids.push(...newIds);
    newIds.forEach((id) => labelledIds.add(id));
    records.push(record);
    await save();
    iterationsRun += 1;
    await options.onIteration?.(record);
    if (last) break;
  }
  return { labelled: { ids, labels }, records, iterationsRun };
}

/** Scores the unlabelled galaxies chunk by chunk and keeps the overall top `perIteration`. */
async function scorePool(model: tf.LayersModel, unlabelled: readonly string[], iteration: number, options: ActiveLearningOptions): Promise<Acquired[]> {
  const { pool, schema, perIteration = 128, passes = 5, scoreBatchSize = 256, predictBatchSize = 32, seed = 0 } = options;
  reseedModel(model, seed + iteration);
  // The global top k lies among the chunks' top k, so memory stays at O(chunk + chunks × k).
  const candidates: Acquired[] = [];
  for (let start = 0, chunk = 0; start < unlabelled.length; start += scoreBatchSize, chunk += 1) {
    const chunkIds = unlabelled.slice(start, start + scoreBatchSize);
    const items = await mcPredictions(model, chunkIds, pool, passes, predictBatchSize, schema.answerCount);
    candidates.push(...acquire(items, perIteration, { ...options, seed: [seed, iteration, chunk] }));
  }
  // Stable sort: ties keep pool order, as in `acquire`.
  return candidates.sort((a, b) => b.score - a.score).slice(0, perIteration);
}

/** MC-dropout concentrations of `ids` as pool items (row-major `[pass, answer]` each). */
async function mcPredictions(
  model: tf.LayersModel, ids: readonly string[], pool: ActiveLearningPool, passes: number, batchSize: number, answers: number,
): Promise<PoolItem[]> {
  const images = await pool.images(ids);
  let values: Float32Array;
  try {
    if (images.shape[0] !== ids.length) throw new ShapeError(`activeLearning: pool.images returned ${images.shape[0]} images for ${ids.length} ids`);
    const predictions = predictMC(model, images, passes, { batchSize });
    try {
      if (predictions.shape[2] !== answers) throw new ShapeError(`activeLearning: the model has ${String(predictions.shape[2])} outputs, the schema ${answers} answers`);
      values = (await predictions.data()) as Float32Array;
    } finally {
      predictions.dispose();
    }
  } finally {
    images.dispose();
  }
  // predictMC is [pass, galaxy, answer]; each pool item wants its own [pass, answer] block.
  return ids.map((id, g) => {
    const concentrations = new Float32Array(passes * answers);
    for (let t = 0; t < passes; t += 1) concentrations.set(values.subarray((t * ids.length + g) * answers, (t * ids.length + g + 1) * answers), t * answers);
    return { id, concentrations, passes };
  });
}

/** Asks the oracle for `ids` (none: no call) and checks its answer's shape. */
async function askOracle(options: ActiveLearningOptions, ids: readonly string[]): Promise<number[][]> {
  if (ids.length === 0) return [];
  const answers = options.schema.answerCount;
  const rows = await options.oracle(ids);
  if (rows.length !== ids.length) throw new DataError(`activeLearning: the oracle returned ${rows.length} rows for ${ids.length} ids`);
  return rows.map((row, i) => {
    if (row.length !== answers) {
      throw new DataError(`activeLearning: the oracle's votes for '${ids[i] ?? ''}' have ${row.length} values, schema '${options.schema.name}' has ${answers} answers`, { row: i });
    }
    return Array.from(row);
  });
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`activeLearning: ${name} must be an integer >= ${min}, got ${value}`);
}

function assertStateFits(state: ActiveLearningState, poolIds: readonly string[]): void {
  const { ids, labels } = state.labelled;
  if (ids.length !== labels.length) throw new DataError(`activeLearning: the stored state has ${ids.length} ids but ${labels.length} label rows`);
  const known = new Set(poolIds);
  const stranger = ids.find((id) => !known.has(id));
  if (stranger !== undefined) throw new DataError(`activeLearning: the stored state labels '${stranger}', which is not in the pool`);
  if (new Set(ids).size !== ids.length) throw new DataError('activeLearning: the stored state labels a galaxy twice');
}
