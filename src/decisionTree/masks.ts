import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.js';
import { dependencyOrder, type Schema } from './schema.js';

/**
 * For each question, the index of the answer column that leads to it, or -1 when the
 * question is always asked.
 */
export function dependencyIndices(schema: Schema): number[] {
  return schema.questions.map((q) => q.dependsOn?.index ?? -1);
}

/**
 * The dependency mask as a plain matrix `[questions][answers]`: entry (q, a) is 1 when
 * answer `a` is the one that leads to question `q`. Root questions have an all-zero row.
 */
export function dependencyMask(schema: Schema): number[][] {
  return schema.questions.map((q) => schema.answers.map((a) => (q.dependsOn === a ? 1 : 0)));
}

/** {@link dependencyMask} as a float32 tensor of shape `[questions, answers]`. */
export function dependencyMaskTensor(schema: Schema): tf.Tensor2D {
  return tf.tensor2d(dependencyMask(schema), [schema.questionCount, schema.answerCount], 'float32');
}

/**
 * One-hot membership matrix `[answers, questions]`: entry (a, q) is 1 when answer `a` belongs
 * to question `q`. Multiplying counts `[batch, answers]` by it gives question totals.
 */
export function answerToQuestionMatrix(schema: Schema): number[][] {
  return schema.answers.map((a) => schema.questions.map((q) => (a.question === q ? 1 : 0)));
}

/**
 * P(question asked) for one galaxy: the product of the vote fractions along the chain of
 * answers that lead to the question (1 for questions that are always asked).
 *
 * @param fractions - vote fractions per answer (each question's answers sum to 1), length `schema.answerCount`.
 * @returns one probability per question.
 */
export function askedProbability64(fractions: ArrayLike<number>, schema: Schema): number[] {
  assertAnswerCount(fractions.length, schema, 'askedProbability64');
  const asked = new Array<number>(schema.questionCount).fill(1);
  for (const q of dependencyOrder(schema)) {
    const dep = q.dependsOn;
    asked[q.index] = dep === null ? 1 : (asked[dep.question.index] ?? 1) * (fractions[dep.index] ?? 0);
  }
  return asked;
}

/**
 * Batched P(question asked) as a tensor op.
 *
 * @param fractions - `[batch, answers]` vote fractions.
 * @returns `[batch, questions]` probabilities in [0, 1].
 */
export function askedProbability(fractions: tf.Tensor2D, schema: Schema): tf.Tensor2D {
  if (fractions.rank !== 2 || fractions.shape[1] !== schema.answerCount) {
    throw new ShapeError(
      `askedProbability: fractions must be [batch, ${schema.answerCount}] for schema '${schema.name}', got [${fractions.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const columns: tf.Tensor1D[] = new Array(schema.questionCount);
    const batch = fractions.shape[0];
    for (const q of dependencyOrder(schema)) {
      const dep = q.dependsOn;
      if (dep === null) {
        columns[q.index] = tf.ones([batch]);
      } else {
        const parent = columns[dep.question.index] as tf.Tensor1D;
        const gate = tf.reshape(tf.slice(fractions, [0, dep.index], [batch, 1]), [batch]);
        columns[q.index] = tf.mul(parent, gate);
      }
    }
    return tf.stack(columns, 1) as tf.Tensor2D;
  });
}

/**
 * Expected number of votes per question for one galaxy: P(asked) x total volunteers.
 *
 * @param fractions - vote fractions per answer.
 * @param totalVolunteers - volunteers who classified the galaxy (about 40 for DECaLS).
 */
export function expectedVotes64(fractions: ArrayLike<number>, schema: Schema, totalVolunteers: number): number[] {
  return askedProbability64(fractions, schema).map((p) => p * totalVolunteers);
}

/**
 * Batched expected votes per question: `[batch, questions]`.
 * @param totalVolunteers - a number, or a `[batch]` tensor of per-galaxy totals.
 */
export function expectedVotes(
  fractions: tf.Tensor2D,
  schema: Schema,
  totalVolunteers: number | tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const asked = askedProbability(fractions, schema);
    const totals = typeof totalVolunteers === 'number' ? tf.scalar(totalVolunteers) : tf.expandDims(totalVolunteers, 1);
    return tf.mul(asked, totals) as tf.Tensor2D;
  });
}

/** @internal Throws {@link ShapeError} unless `length` equals the schema's answer count. */
export function assertAnswerCount(length: number, schema: Schema, where: string): void {
  if (length !== schema.answerCount) {
    throw new ShapeError(`${where}: expected ${schema.answerCount} values for schema '${schema.name}', got ${length}`);
  }
}
