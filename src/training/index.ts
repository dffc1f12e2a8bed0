/**
 * Training and MC-dropout prediction loops: any backend, checkpoints through a pluggable
 * store, resumable and deterministic under a seed.
 *
 * @module training
 */
export { inMemoryBatchSource, shuffleInPlace, type BatchSource, type GalaxyBatch, type InMemorySourceOptions } from './batches.js';
export {
  concentrationScale, scaledConcentrationLoss, checkConcentrationWarmup, DEFAULT_INITIAL_CONCENTRATION_SCALE, type ConcentrationWarmup,
} from './concentrationWarmup.js';
export { randomDihedral, type RandomDihedralOptions } from './dihedral.js';
export { packBatch, batchTensors, prefetch, type BatchExample, type PackedBatch, type AugmentImages } from './batches.js';
export {
  memoryCheckpointStore, encodeCheckpoint, decodeCheckpoint, modelWeightArrays, setModelWeightArrays,
  type CheckpointStore, type TrainingCheckpoint, type EpochRecord, type NamedArray,
} from './checkpoint.js';
export { reseedModel, type Reseedable } from './reseed.js';
export { recalibrateBatchNorm, type RecalibrateOptions } from './batchNormStatistics.js';
export { train, evaluateLoss, type TrainOptions, type TrainResult, type TrainCallbacks, type BatchProgress, type PerQuestionLoss } from './train.js';
export { predictSource, type PredictedBatch, type PredictSourceOptions } from './predict.js';
export { AdamW, adam, cosineDecay, ADAMW_UPDATE, type AdamWOptions, type CosineDecayOptions, type LearningRateSchedule } from './adamw.js';
export {
  finetune, buildFinetuneModel, encoderBlocks, defaultBlockOf, headObjective,
  type FinetuneOptions, type FinetuneModelOptions, type FinetuneHead, type FinetuneResult, type FinetuneStage, type EncoderBlock,
} from './finetune.js';
export {
  activeLearning,
  type ActiveLearningOptions, type ActiveLearningResult, type ActiveLearningRecord, type ActiveLearningState,
  type ActiveLearningStore, type ActiveLearningPool, type ActiveLearningEvaluation, type LabelledSet,
} from './activeLearning.js';
export { microBatchGradients, type BatchGradients } from './microBatches.js';
export { enableEarlyTapeRelease } from './tapeRelease.js';
