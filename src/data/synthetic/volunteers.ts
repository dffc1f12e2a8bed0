/**
 * Simulated Galaxy Zoo volunteers: each one walks the decision tree, answering every question
 * it is led to with a draw from that question's true answer probabilities.
 *
 * @module
 */
import { dependencyOrder, type Schema } from '../../decisionTree/index.js';
import { ConfigError, ShapeError } from '../../errors.js';
import type { Rng } from './random.js';

/** Options of {@link simulateVolunteers}. */
export interface SimulateVolunteersOptions {
  /** Number of volunteers who classify the galaxy (a non-negative integer). */
  readonly volunteers: number;
  /** The galaxy's vote stream. */
  readonly rng: Rng;
}

/**
 * Vote counts of `volunteers` independent volunteers. Each starts at the always-asked
 * questions and is asked a dependent question only when it chose the answer that leads there,
 * so every root question's total is `volunteers` and every dependent question's total equals
 * the count of its parent answer exactly (no skipping, no noise: the answers are drawn from
 * `trueProbabilities` themselves, so vote fractions are unbiased estimates of them).
 *
 * @param trueProbabilities - per-answer probabilities in label-column order, each question's
 *   slice summing to 1 (from {@link trueAnswerProbabilities}).
 * @param schema - the decision tree.
 * @param options - volunteer count and random stream.
 * @returns an `Int32Array` of vote counts, length `schema.answerCount`.
 * @throws {@link ShapeError} when the probabilities do not match the schema;
 *   {@link ConfigError} for a bad volunteer count.
 */
export function simulateVolunteers(
  trueProbabilities: ArrayLike<number>,
  schema: Schema,
  options: SimulateVolunteersOptions,
): Int32Array {
  if (trueProbabilities.length !== schema.answerCount) {
    throw new ShapeError(
      `simulateVolunteers: got ${trueProbabilities.length} probabilities for schema '${schema.name}' with ${schema.answerCount} answers`,
    );
  }
  const { volunteers, rng } = options;
  if (!Number.isInteger(volunteers) || volunteers < 0) {
    throw new ConfigError(`simulateVolunteers: volunteers must be a non-negative integer, got ${volunteers}`);
  }
  const order = dependencyOrder(schema);
  const counts = new Int32Array(schema.answerCount);
  const chosen = new Uint8Array(schema.answerCount);
  for (let v = 0; v < volunteers; v += 1) {
    chosen.fill(0);
    for (const question of order) {
      // Parents come first in dependency order, so `chosen` already holds this volunteer's path.
      if (question.dependsOn !== null && chosen[question.dependsOn.index] === 0) continue;
      const answer = question.startIndex + rng.categorical(trueProbabilities, question.startIndex, question.endIndex);
      chosen[answer] = 1;
      counts[answer] = (counts[answer] ?? 0) + 1;
    }
  }
  return counts;
}
