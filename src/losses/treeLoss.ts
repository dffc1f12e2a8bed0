/**
 * The whole-tree Dirichlet-multinomial loss of W+21: one NLL per question, summed over
 * questions, averaged over galaxies. Usable as `model.compile({ loss })`, inside a
 * hand-written `tf.variableGrads` loop, and for per-question logging.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { answerToQuestionMatrix, type Schema } from '../decisionTree/index.js';
import { ConfigError, ShapeError } from '../errors.js';
import { groupedDirichletMultinomialNLL, roundCounts } from './dirichletMultinomial.js';
import { assertNonNegative, assertPositive, assertSameShape, type ValidateOption } from './validation.js';

/**
 * How {@link treeLoss} reduces `[batch, questions]`:
 * `'mean'` sums over questions and averages over galaxies (Zoobot, W+21), a scalar;
 * `'sum'` sums over both, a scalar; `'none'` sums over questions only, `[batch]`.
 */
export type TreeLossReduction = 'mean' | 'sum' | 'none';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;

/** Options of {@link treeLoss}. */
export interface TreeLossOptions extends ValidateOption {
  /**
   * Weight of each question in the reduction: an array in schema question order, or an
   * object keyed by question name (questions left out weigh 1).
   * @defaultValue every question weighs 1
   */
  readonly questionWeights?: readonly number[] | Readonly<Record<string, number>>;
  /** @defaultValue `'mean'` */
  readonly reduction?: TreeLossReduction;
}

/**
 * A tree loss: call it as `(labels, predictions) => loss` (what `model.compile` expects).
 */
export interface TreeLoss {
  /**
   * @param labels - vote counts `[batch, answers]` in schema column order (rounded to whole votes).
   * @param predictions - Dirichlet concentrations `[batch, answers]`, positive.
   * @returns the reduced, question-weighted loss: a scalar, or `[batch]` for `'none'`.
   */
  (labels: tf.Tensor, predictions: tf.Tensor): tf.Tensor;
  /**
   * Unweighted NLL per galaxy and question, for logging.
   * @returns `[batch, questions]`; 0 where a question got no votes.
   */
  perQuestion(labels: tf.Tensor, predictions: tf.Tensor): tf.Tensor2D;
  /** The schema whose questions the loss is split by. */
  readonly schema: Schema;
  /** The question weights in schema order. */
  readonly questionWeights: readonly number[];
  /** The reduction in use. */
  readonly reduction: TreeLossReduction;
}

/**
 * Builds the Dirichlet-multinomial loss over a schema's questions (W+21). Questions with no
 * votes contribute exactly 0, which is how the decision-tree dependencies are masked.
 *
 * @param schema - the decision tree; its label columns fix the answer axis.
 * @param options - question weights, reduction and opt-in value validation.
 * @returns a {@link TreeLoss} function with `perQuestion`.
 * @throws {@link ConfigError} for an unknown reduction or bad question weights (at build time);
 *   {@link ShapeError} when labels and predictions differ in shape or do not have
 *   `schema.answerCount` columns; with `validate: true`, {@link ConfigError} for
 *   non-positive concentrations or negative counts.
 * @example
 * ```ts
 * const loss = treeLoss(decalsDr5Schema);
 * model.compile({ optimizer: tf.train.adam(1e-3), loss });
 * const perQuestion = loss.perQuestion(labels, model.predict(images) as tf.Tensor); // [batch, 10]
 * ```
 */
export function treeLoss(schema: Schema, options: TreeLossOptions = {}): TreeLoss {
  const reduction = options.reduction ?? 'mean';
  if (!REDUCTIONS.includes(reduction)) {
    throw new ConfigError(`treeLoss: unsupported reduction "${String(reduction)}". Should be one of: ${REDUCTIONS.join(', ')}`);
  }
  const weights = resolveWeights(schema, options.questionWeights);
  const allOnes = weights.every((w) => w === 1);
  const membership = answerToQuestionMatrix(schema);

  const perQuestion = (labels: tf.Tensor, predictions: tf.Tensor): tf.Tensor2D => {
    checkInputs(schema, labels, predictions, options.validate === true);
    return tf.tidy(() => groupedDirichletMultinomialNLL(
      roundCounts(labels) as tf.Tensor2D,
      tf.cast(predictions, 'float32') as tf.Tensor2D,
      tf.tensor2d(membership),
    ));
  };

  const loss = (labels: tf.Tensor, predictions: tf.Tensor): tf.Tensor => tf.tidy(() => {
    const nll = perQuestion(labels, predictions);
    const weighted = allOnes ? nll : tf.mul(nll, tf.tensor1d(weights));
    const perGalaxy = tf.sum(weighted, 1);
    if (reduction === 'none') return perGalaxy;
    return reduction === 'sum' ? tf.sum(perGalaxy) : tf.mean(perGalaxy);
  });

  return Object.assign(loss, { perQuestion, schema, questionWeights: Object.freeze(weights), reduction });
}

/** Alias of {@link treeLoss}, named after the distribution. */
export const dirichletMultinomialLoss = treeLoss;

function resolveWeights(schema: Schema, given: TreeLossOptions['questionWeights']): number[] {
  const where = `treeLoss('${schema.name}')`;
  let weights: number[];
  if (given === undefined) {
    weights = schema.questions.map(() => 1);
  } else if (Array.isArray(given)) {
    if (given.length !== schema.questionCount) {
      throw new ConfigError(`${where}: questionWeights has ${given.length} entries, the schema has ${schema.questionCount} questions`);
    }
    weights = [...given];
  } else {
    const byName = given as Readonly<Record<string, number>>;
    for (const name of Object.keys(byName)) {
      if (!schema.hasQuestion(name)) {
        throw new ConfigError(`${where}: questionWeights names unknown question "${name}". Should be one of: ${schema.questions.map((q) => q.text).join(', ')}`);
      }
    }
    weights = schema.questions.map((q) => byName[q.text] ?? 1);
  }
  const bad = weights.findIndex((w) => !(w >= 0 && Number.isFinite(w)));
  if (bad >= 0) {
    throw new ConfigError(`${where}: question weight for "${schema.questions[bad]?.text}" must be finite and >= 0, got ${weights[bad]}`);
  }
  return weights;
}

function checkInputs(schema: Schema, labels: tf.Tensor, predictions: tf.Tensor, validate: boolean): void {
  const where = `treeLoss('${schema.name}')`;
  assertSameShape(labels, predictions, ['labels', 'predictions'], where, 2);
  if (labels.rank !== 2 || labels.shape[1] !== schema.answerCount) {
    throw new ShapeError(`${where}: expected labels and predictions of shape [batch, ${schema.answerCount}], got [${labels.shape.join(', ')}]`);
  }
  if (validate) {
    assertNonNegative(labels, 'vote counts (labels)', where);
    assertPositive(predictions, 'concentrations (predictions)', where);
  }
}
