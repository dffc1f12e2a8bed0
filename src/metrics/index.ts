/**
 * Metrics that compare predictions with volunteer votes. Plain functions on arrays, usable
 * without training anything.
 *
 * @module metrics
 */
export type { Rows } from './rows.js';
export * from './voteFractionErrors.js';
export * from './confidentAnswers.js';
