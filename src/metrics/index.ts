/**
 * Metrics that compare predictions with volunteer votes, and the uncertainty and acquisition
 * functions of active learning. Plain float64 functions on arrays, usable without training
 * anything.
 *
 * - Vote fractions: {@link voteFractionErrors}, {@link confidentAnswerMetrics},
 *   {@link trueProbabilityErrors} (synthetic data with known answer probabilities).
 * - Posterior predictive of vote counts (mixture over MC passes): {@link predictiveLogPmf64},
 *   {@link answerCountPmf}, {@link predictiveLogLikelihood}, {@link voteCalibration}
 *   (interval and PIT coverage, reliability diagrams, ECE), {@link reliabilityDiagram}.
 * - Uncertainty: {@link questionBald}, {@link galaxyBald}, {@link binomialBald} (W+20).
 * - Active learning: {@link acquisitionScores}, {@link acquire}.
 *
 * @module metrics
 */
export type { Rows } from './rows.js';
export * from './voteFractionErrors.js';
export * from './confidentAnswers.js';
export {
  outcomeCount, predictiveLogPmf64, questionConcentrations, PassLogPmf, type McConcentrations,
} from './predictive.js';
export * from './bald.js';
export {
  answerCountPmf, voteCalibration,
  type McPredictions, type VoteCalibrationOptions, type LevelCoverage, type QuestionCalibration,
} from './calibration.js';
export * from './reliability.js';
export * from './logLikelihood.js';
export * from './trueProbabilities.js';
export * from './acquisition.js';
export { summarisePrediction, type PredictionSummary } from './predictionSummary.js';
export { nearestNeighbours, type FeatureTable, type Neighbour, type NearestNeighboursOptions } from './nearestNeighbours.js';
