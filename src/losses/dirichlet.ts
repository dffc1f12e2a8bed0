/**
 * Dirichlet and Dirichlet-multinomial helpers on the same maths as the losses: the mean and
 * variance of vote fractions, the pmf of a vote outcome, and the posterior predictive over
 * MC-dropout passes (used by metrics and BALD).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { answerToQuestionMatrix, type Schema } from '../decisionTree/index.js';
import { ShapeError } from '../errors.js';
import { dirichletMultinomialNLL } from './dirichletMultinomial.js';
import { lgamma64 } from './special64.js';
import type { ValidateOption } from './validation.js';

/**
 * Each answer's question total, broadcast back onto the answer axis: `[..., answers]`; with
 * `othersOnly`, the total of the question's other answers (summed directly, so A - α_i does
 * not cancel when one answer dominates). Without a schema the whole last axis is one question.
 */
function questionSums(x: tf.Tensor, schema: Schema | undefined, where: string, othersOnly = false): tf.Tensor {
  const answers = x.shape[x.rank - 1] ?? 0;
  if (x.rank === 0) throw new ShapeError(`${where}: concentrations need an answer axis, got a scalar`);
  if (schema !== undefined && answers !== schema.answerCount) {
    throw new ShapeError(`${where}: expected ${schema.answerCount} answers for schema '${schema.name}' on the last axis, got [${x.shape.join(', ')}]`);
  }
  const membership = schema === undefined ? tf.ones([answers, 1]) : tf.tensor2d(answerToQuestionMatrix(schema));
  const sameQuestion = tf.matMul(membership, membership, false, true);
  const summing = othersOnly ? tf.sub(sameQuestion, tf.eye(answers)) : sameQuestion;
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, answers]), summing), x.shape);
}

/**
 * Mean vote fractions under Dirichlet(α): α_i / A, with A the sum over the answer's question.
 *
 * @param concentrations - `[..., answers]`, positive.
 * @param schema - splits the last axis into questions; without it the last axis is one question.
 * @returns `[..., answers]`, summing to 1 within each question.
 * @example
 * ```ts
 * dirichletMean(tf.tensor1d([1, 3])); // [0.25, 0.75]
 * ```
 */
export function dirichletMean(concentrations: tf.Tensor, schema?: Schema): tf.Tensor {
  return tf.tidy(() => tf.div(concentrations, questionSums(concentrations, schema, 'dirichletMean')));
}

/**
 * Variance of the vote fractions under Dirichlet(α): α_i (A - α_i) / (A² (A + 1)).
 *
 * @param concentrations - `[..., answers]`, positive.
 * @param schema - splits the last axis into questions; without it the last axis is one question.
 * @returns `[..., answers]`.
 */
export function dirichletVariance(concentrations: tf.Tensor, schema?: Schema): tf.Tensor {
  return tf.tidy(() => {
    const total = questionSums(concentrations, schema, 'dirichletVariance');
    const numerator = tf.mul(concentrations, questionSums(concentrations, schema, 'dirichletVariance', true));
    return tf.div(numerator, tf.mul(tf.square(total), tf.add(total, 1)));
  });
}

/**
 * Dirichlet-multinomial probability of a vote outcome, `exp(-dirichletMultinomialNLL)`.
 *
 * @param counts - votes `[..., answers]`.
 * @param concentrations - `[..., answers]`, positive.
 * @param options - `validate: true` checks the values (reads data).
 * @returns P(counts | concentrations), `[...]`; 1 for rows with no votes.
 */
export function dirichletMultinomialPmf(counts: tf.Tensor, concentrations: tf.Tensor, options: ValidateOption = {}): tf.Tensor {
  return tf.tidy(() => tf.exp(tf.neg(dirichletMultinomialNLL(counts, concentrations, options))));
}

/**
 * ln of the posterior predictive probability of a vote outcome under MC dropout: the
 * equal-weight mixture of the per-pass Dirichlet-multinomials,
 * `ln( (1/P) Σ_p DM(counts | α_p) )`, evaluated with log-sum-exp.
 *
 * @param counts - votes `[..., answers]`.
 * @param concentrations - `[..., answers, passes]` (Zoobot's `[galaxy, answer, pass]` layout).
 * @param options - `validate: true` checks the values (reads data).
 * @returns `[...]`; 0 for rows with no votes.
 * @throws {@link ShapeError} unless `concentrations.shape` is `[...counts.shape, passes]`.
 * @example
 * ```ts
 * // 2 galaxies, 3 answers, 5 dropout passes
 * const logP = mixtureLogPmf(tf.tensor2d([[3, 1, 0], [0, 0, 0]]), tf.randomUniform([2, 3, 5], 1, 101));
 * ```
 */
export function mixtureLogPmf(counts: tf.Tensor, concentrations: tf.Tensor, options: ValidateOption = {}): tf.Tensor {
  const where = 'mixtureLogPmf';
  const passes = concentrations.shape[concentrations.rank - 1] ?? 0;
  if (concentrations.rank !== counts.rank + 1 || !tf.util.arraysEqual(concentrations.shape.slice(0, -1), counts.shape) || passes < 1) {
    throw new ShapeError(`${where}: concentrations should have shape [${[...counts.shape, 'passes'].join(', ')}] for counts [${counts.shape.join(', ')}], got [${concentrations.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    // Move passes ahead of answers so each pass is one Dirichlet-multinomial row.
    const order = [...Array(counts.rank - 1).keys(), counts.rank, counts.rank - 1];
    const perPass = tf.transpose(concentrations, order);
    const tiledCounts = tf.broadcastTo(tf.expandDims(counts, -2), perPass.shape);
    const logPmf = tf.neg(dirichletMultinomialNLL(tiledCounts, perPass, options));
    return tf.sub(tf.logSumExp(logPmf, -1), Math.log(passes));
  });
}

/**
 * ln of the Dirichlet-multinomial probability of one vote outcome, in float64 on plain
 * numbers, including the multinomial coefficient (for metrics and references).
 *
 * @param counts - votes per answer (non-negative whole numbers).
 * @param concentrations - concentration per answer (positive), same length.
 * @returns ln P(counts | concentrations); NaN for invalid inputs.
 * @throws {@link ShapeError} when the lengths differ.
 * @example
 * ```ts
 * Math.exp(dirichletMultinomialLogPmf64([1, 0], [1, 3])); // 0.25
 * ```
 */
export function dirichletMultinomialLogPmf64(counts: ArrayLike<number>, concentrations: ArrayLike<number>): number {
  if (counts.length !== concentrations.length) {
    throw new ShapeError(`dirichletMultinomialLogPmf64: ${counts.length} counts but ${concentrations.length} concentrations`);
  }
  let total = 0;
  let concentration = 0;
  let sum = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const k = counts[i] ?? Number.NaN;
    const alpha = concentrations[i] ?? Number.NaN;
    total += k;
    concentration += alpha;
    sum += lgamma64(k + alpha) - lgamma64(alpha) - lgamma64(k + 1);
  }
  return lgamma64(total + 1) + lgamma64(concentration) - lgamma64(total + concentration) + sum;
}
