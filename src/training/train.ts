import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.js';
import type { Schema } from '../decisionTree/index.js';
import type { BatchSource, GalaxyBatch } from './batches.js';
import {
  modelWeightArrays, setModelWeightArrays, toNamedArrays, fromNamedArrays,
  type CheckpointStore, type EpochRecord, type NamedArray, type TrainingCheckpoint,
} from './checkpoint.js';
import { reseedModel } from './reseed.js';
import { adam } from './adamw.js';
import { microBatchGradients } from './microBatches.js';
import { recalibrateBatchNorm } from './batchNormStatistics.js';
import { checkConcentrationWarmup, concentrationScale, scaledConcentrationLoss, type ConcentrationWarmup } from './concentrationWarmup.js';
import { fuseLayers } from '../architectures/fusedLayers.js';
import { enableEarlyTapeRelease } from './tapeRelease.js';

/** Per-question loss: labels `[batch, answers]`, predictions `[batch, answers]` -> `[batch, questions]`. */
export type PerQuestionLoss = (labels: tf.Tensor2D, predictions: tf.Tensor2D) => tf.Tensor2D;

/** Progress after each training batch. */
export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  /** Galaxies seen so far this epoch. */
  readonly seen: number;
  /** Galaxies per epoch, when the source knows it. */
  readonly total?: number;
  /** Mean loss per galaxy of this batch. */
  readonly loss: number;
  readonly imagesPerSecond: number;
}

/** Hooks into training. All may be async; training waits for them. */
export interface TrainCallbacks {
  /** After every batch (progress bars). */
  onBatchEnd?(progress: BatchProgress): void | Promise<void>;
  /** After every epoch, once its checkpoint is saved. */
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  /** When training continues from a checkpoint, with the history so far. */
  onResume?(checkpoint: TrainingCheckpoint): void | Promise<void>;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** A model from `zoobotModel` (outputs Dirichlet concentrations, one per schema answer). */
  readonly model: tf.LayersModel;
  readonly schema: Schema;
  /** Per-question loss; the Dirichlet-multinomial tree loss of `schema` in practice. */
  readonly loss: PerQuestionLoss;
  readonly train: BatchSource;
  readonly validation?: BatchSource;
  /** Maximum number of epochs. */
  readonly epochs: number;
  /** @defaultValue Adam with learning rate 1e-3 */
  readonly optimizer?: tf.Optimizer;
  /** Epochs without validation improvement before stopping. @defaultValue 8 */
  readonly patience?: number;
  /** Restore the best validation weights at the end. @defaultValue true */
  readonly restoreBestWeights?: boolean;
  /** Where to keep the checkpoint taken after each epoch; training resumes from it. */
  readonly checkpoints?: CheckpointStore;
  /** Seed of dropout/augmentation streams (with the epoch). @defaultValue 0 */
  readonly seed?: number;
  readonly callbacks?: TrainCallbacks;
  /** Stops after the current batch; the last completed epoch's checkpoint stays valid. */
  readonly signal?: AbortSignal;
  /**
   * Accumulate each batch's gradient over micro-batches of at most this many images, then take one
   * optimiser step ({@link microBatchGradients}): memory is bounded by the micro-batch (wasm's 4 GiB heap
   * holds about 5 EfficientNetB0 images at 224 px). Equal to full-batch training for a loss that is a mean
   * over galaxies, except that batch normalisation uses each micro-batch's own statistics.
   * @defaultValue no accumulation
   */
  readonly microBatch?: number;
  /**
   * Before each validation pass, re-estimate the batch-norm statistics over this many training
   * batches ({@link recalibrateBatchNorm}), so that validation, early stopping and the kept best
   * weights see statistics that match the weights rather than a trailing moving average; 0 keeps
   * the moving averages. @defaultValue 0
   */
  readonly batchNormBatches?: number;
  /**
   * Multiply the concentrations in the training loss by a factor falling geometrically from
   * `initialScale` (default 100) to 1 over the first `epochs` epochs ({@link concentrationScale}): a
   * curriculum from the multinomial to the Dirichlet-multinomial likelihood that keeps a Dirichlet head
   * from collapsing to its floor on bimodal votes early on. Validation always uses the loss as given.
   * @defaultValue no warm-up
   */
  readonly concentrationWarmup?: ConcentrationWarmup;
}

/** What {@link train} returns. */
export interface TrainResult {
  readonly history: readonly EpochRecord[];
  /** Zero-based epoch of the best validation loss (or the last epoch without validation). */
  readonly bestEpoch: number;
  readonly bestValidationLoss: number;
  /** Why training ended. */
  readonly stopReason: 'epochs' | 'early-stopping' | 'aborted';
  /** Epochs completed in this call (excluding those restored from a checkpoint). */
  readonly epochsRun: number;
}

/**
 * Trains a zoobot model with a hand-written loop: Adam by default, early stopping on validation
 * loss, best-weight restoration, per-epoch checkpoints that a later call resumes from, and a
 * history of per-question losses, learning rate and images/s. Works on any tfjs backend the
 * host registered (on `wasm`, register zoobot-ts's training kernels first).
 *
 * @example
 * ```ts
 * const result = await train({ model, schema, loss: treeLoss(schema).perQuestion, train: source, epochs: 10 });
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, schema, loss, epochs, patience = 8, restoreBestWeights = true, seed = 0, callbacks = {}, batchNormBatches = 0 } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`train: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(patience) || patience < 1) throw new ConfigError(`train: patience must be a positive integer, got ${patience}`);
  const outputs = model.outputs[0]?.shape.at(-1);
  if (outputs !== schema.answerCount) {
    throw new ShapeError(`train: the model has ${String(outputs)} outputs but schema '${schema.name}' has ${schema.answerCount} answers`);
  }
  fuseLayers(model);
  enableEarlyTapeRelease();
  if (options.concentrationWarmup !== undefined) checkConcentrationWarmup(options.concentrationWarmup);
  const optimizer = options.optimizer ?? adam(1e-3);
  const state = await restoreState(options, optimizer);
  if (state.resumed !== undefined) await callbacks.onResume?.(state.resumed);
  const questions = schema.questions.map((q) => q.text);
  let stopReason: TrainResult['stopReason'] = 'epochs';
  let epochsRun = 0;

  for (let epoch = state.completedEpochs; epoch < epochs; epoch += 1) {
    if (state.epochsWithoutImprovement >= patience) { stopReason = 'early-stopping'; break; }
    reseedModel(model, (Math.imul(seed | 0, 1000003) + epoch) | 0);
    const started = performance.now();
    const scale = concentrationScale(options.concentrationWarmup, epoch);
    const trainStats = await trainEpoch(options, scaledConcentrationLoss(loss, scale), optimizer, epoch, questions);
    if (trainStats === undefined) { stopReason = 'aborted'; break; }
    if (batchNormBatches > 0) await recalibrateBatchNorm(model, options.train, { batches: batchNormBatches, epoch });
    const validationStats = options.validation === undefined ? undefined : await evaluateLoss(model, loss, options.validation, epoch, questions);
    const seconds = (performance.now() - started) / 1000;
    const record: EpochRecord = {
      epoch,
      loss: trainStats.loss,
      questionLosses: trainStats.questionLosses,
      ...(validationStats !== undefined ? { validationLoss: validationStats.loss, validationQuestionLosses: validationStats.questionLosses } : {}),
      learningRate: learningRateOf(optimizer),
      ...(options.concentrationWarmup !== undefined ? { concentrationScale: scale } : {}),
      imagesPerSecond: trainStats.images / trainStats.seconds,
      seconds,
    };
    const monitored = validationStats?.loss ?? trainStats.loss;
    if (monitored < state.bestValidationLoss) {
      state.bestValidationLoss = monitored;
      state.bestEpoch = epoch;
      state.bestWeights = await modelWeightArrays(model);
      state.epochsWithoutImprovement = 0;
    } else {
      state.epochsWithoutImprovement += 1;
    }
    state.history.push(record);
    state.completedEpochs = epoch + 1;
    epochsRun += 1;
    if (options.checkpoints !== undefined) await options.checkpoints.save(await snapshot(model, optimizer, state));
    await callbacks.onEpochEnd?.(record);
  }
  if (stopReason === 'epochs' && state.epochsWithoutImprovement >= patience && state.completedEpochs < epochs) stopReason = 'early-stopping';
  if (restoreBestWeights && state.bestWeights !== null && stopReason !== 'aborted') {
    setModelWeightArrays(model, state.bestWeights, 'best weights');
  }
  // An optimizer made here has no other owner; its moment variables would outlive the run.
  if (options.optimizer === undefined) optimizer.dispose();
  return { history: state.history, bestEpoch: state.bestEpoch, bestValidationLoss: state.bestValidationLoss, stopReason, epochsRun };
}

interface LoopState {
  completedEpochs: number;
  bestWeights: NamedArray[] | null;
  bestValidationLoss: number;
  bestEpoch: number;
  epochsWithoutImprovement: number;
  history: EpochRecord[];
  resumed?: TrainingCheckpoint;
}

async function restoreState(options: TrainOptions, optimizer: tf.Optimizer): Promise<LoopState> {
  const checkpoint = await options.checkpoints?.load();
  if (checkpoint === undefined) {
    return { completedEpochs: 0, bestWeights: null, bestValidationLoss: Number.POSITIVE_INFINITY, bestEpoch: -1, epochsWithoutImprovement: 0, history: [] };
  }
  setModelWeightArrays(options.model, checkpoint.modelWeights);
  const optimizerWeights = fromNamedArrays(checkpoint.optimizerWeights);
  await optimizer.setWeights(optimizerWeights);
  // setWeights copies accumulators into fresh variables; the iteration count is read as a number.
  tf.dispose(optimizerWeights.map((w) => w.tensor));
  return {
    completedEpochs: checkpoint.completedEpochs,
    bestWeights: checkpoint.bestWeights === null ? null : [...checkpoint.bestWeights],
    bestValidationLoss: checkpoint.bestValidationLoss,
    bestEpoch: checkpoint.bestEpoch,
    epochsWithoutImprovement: checkpoint.epochsWithoutImprovement,
    history: [...checkpoint.history],
    resumed: checkpoint,
  };
}

async function snapshot(model: tf.LayersModel, optimizer: tf.Optimizer, state: LoopState): Promise<TrainingCheckpoint> {
  const optimizerNamed = await optimizer.getWeights();
  const optimizerWeights = await toNamedArrays(optimizerNamed);
  // getWeights returns a fresh iteration-count scalar; the moment variables belong to the optimizer.
  const iterations = optimizerNamed[0];
  if (iterations !== undefined && iterations.name === 'iter') iterations.tensor.dispose();
  return {
    completedEpochs: state.completedEpochs,
    modelWeights: await modelWeightArrays(model),
    optimizerWeights,
    bestWeights: state.bestWeights,
    bestValidationLoss: state.bestValidationLoss,
    bestEpoch: state.bestEpoch,
    epochsWithoutImprovement: state.epochsWithoutImprovement,
    history: [...state.history],
  };
}

interface LossStats {
  loss: number;
  questionLosses: Record<string, number>;
  images: number;
  seconds: number;
}

/** One optimiser step from gradients accumulated over micro-batches; hands over the per-question loss sums. */
function microBatchStep(
  model: tf.LayersModel, loss: PerQuestionLoss, microBatch: number, optimizer: tf.Optimizer, batch: GalaxyBatch, variables: tf.Variable[],
  perQuestion: (sums: tf.Tensor) => void,
): tf.Scalar {
  const sums: tf.Tensor[] = [];
  const { value, grads } = microBatchGradients((xs, ys) => {
    const losses = loss(ys as tf.Tensor2D, model.apply(xs, { training: true }) as tf.Tensor2D);
    sums.push(tf.keep(tf.sum(losses, 0)));
    return tf.mean(tf.sum(losses, 1)) as tf.Scalar;
  }, batch.images, batch.labels, microBatch, variables);
  optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
  perQuestion(tf.addN(sums));
  tf.dispose([...sums, ...Object.values(grads)]);
  return value;
}

async function trainEpoch(
  options: TrainOptions, loss: PerQuestionLoss, optimizer: tf.Optimizer, epoch: number, questions: readonly string[],
): Promise<LossStats | undefined> {
  const { model, callbacks = {} } = options;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const totals = new Float64Array(questions.length);
  let images = 0;
  let batchIndex = 0;
  const started = performance.now();
  for await (const batch of options.train.batches(epoch)) {
    if (options.signal?.aborted === true) { disposeBatch(batch); return undefined; }
    let perQuestion: tf.Tensor | undefined;
    const cost = options.microBatch !== undefined
      ? microBatchStep(model, loss, options.microBatch, optimizer, batch, variables, (sums) => { perQuestion = sums; })
      : optimizer.minimize(() => {
        const predictions = model.apply(batch.images, { training: true }) as tf.Tensor2D;
        const losses = loss(batch.labels, predictions);
        perQuestion = tf.keep(tf.sum(losses, 0));
        return tf.mean(tf.sum(losses, 1)) as tf.Scalar;
      }, true, variables);
    const size = batch.images.shape[0];
    disposeBatch(batch);
    const [batchLoss] = (await cost?.data()) ?? [Number.NaN];
    const sums = await perQuestion?.data();
    cost?.dispose();
    perQuestion?.dispose();
    sums?.forEach((s, q) => { totals[q] = (totals[q] ?? 0) + s; });
    images += size;
    batchIndex += 1;
    await callbacks.onBatchEnd?.({
      epoch, batch: batchIndex, seen: images, ...(options.train.size !== undefined ? { total: options.train.size } : {}),
      loss: batchLoss ?? Number.NaN, imagesPerSecond: images / ((performance.now() - started) / 1000),
    });
  }
  return { ...summarise(totals, images, questions), images, seconds: (performance.now() - started) / 1000 };
}

/**
 * Mean loss per galaxy (summed over questions) and per question, over one pass of `source`,
 * with the model in inference mode.
 */
export async function evaluateLoss(
  model: tf.LayersModel, loss: PerQuestionLoss, source: BatchSource, epoch: number, questions: readonly string[],
): Promise<{ loss: number; questionLosses: Record<string, number> }> {
  const totals = new Float64Array(questions.length);
  let images = 0;
  for await (const batch of source.batches(epoch)) {
    const sums = tf.tidy(() => tf.sum(loss(batch.labels, model.apply(batch.images, { training: false }) as tf.Tensor2D), 0));
    images += batch.images.shape[0];
    disposeBatch(batch);
    (await sums.data()).forEach((s, q) => { totals[q] = (totals[q] ?? 0) + s; });
    sums.dispose();
  }
  return summarise(totals, images, questions);
}

function summarise(totals: Float64Array, images: number, questions: readonly string[]): { loss: number; questionLosses: Record<string, number> } {
  const questionLosses = Object.fromEntries(questions.map((q, i) => [q, (totals[i] ?? 0) / Math.max(images, 1)]));
  const loss = Object.values(questionLosses).reduce((a, b) => a + b, 0);
  return { loss, questionLosses };
}

function disposeBatch(batch: GalaxyBatch): void {
  tf.dispose([batch.images, batch.labels]);
}

function learningRateOf(optimizer: tf.Optimizer): number {
  // Not `instanceof AdamW`: tfjs's Optimizer[Symbol.hasInstance] accepts any optimizer.
  const { currentLearningRate, learningRate } = optimizer as unknown as { currentLearningRate?: unknown; learningRate?: unknown };
  if (typeof currentLearningRate === 'number') return currentLearningRate;
  return typeof learningRate === 'number' ? learningRate : Number.NaN;
}
