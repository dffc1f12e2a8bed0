import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.js';
import { answerToQuestionMatrix, assertAnswerCount } from './masks.js';
import type { Schema } from './schema.js';

/**
 * What a vote fraction is for a question nobody answered (0 votes / 0 votes):
 * `'zero'` (the convention of the Galaxy Zoo catalogues), `'nan'` (unknown), or `'uniform'`
 * (1 / number of answers).
 */
export type UnansweredFraction = 'zero' | 'nan' | 'uniform';

const UNANSWERED_CHOICES = ['zero', 'nan', 'uniform'] as const;

/** Options of {@link voteFractions64} and {@link voteFractions}. */
export interface VoteFractionOptions {
  /** @defaultValue `'zero'` */
  readonly unanswered?: UnansweredFraction;
}

function unansweredValue(option: UnansweredFraction | undefined, answers: number): number {
  const choice = option ?? 'zero';
  if (!UNANSWERED_CHOICES.includes(choice)) {
    throw new ConfigError(`voteFractions: unsupported unanswered "${String(choice)}". Should be one of: ${UNANSWERED_CHOICES.join(', ')}`);
  }
  return choice === 'zero' ? 0 : choice === 'nan' ? Number.NaN : 1 / answers;
}

/** Total votes per question for one galaxy's vote-count row. */
export function questionTotals64(counts: ArrayLike<number>, schema: Schema): number[] {
  assertAnswerCount(counts.length, schema, 'questionTotals64');
  return schema.questions.map((q) => {
    let total = 0;
    for (let i = q.startIndex; i < q.endIndex; i += 1) total += counts[i] ?? 0;
    return total;
  });
}

/** Per-answer vote fractions (count / question total) for one galaxy's vote-count row. */
export function voteFractions64(counts: ArrayLike<number>, schema: Schema, options: VoteFractionOptions = {}): number[] {
  const totals = questionTotals64(counts, schema);
  return schema.answers.map((a) => {
    const total = totals[a.question.index] ?? 0;
    return total > 0 ? (counts[a.index] ?? 0) / total : unansweredValue(options.unanswered, a.question.answers.length);
  });
}

/** Batched question totals: counts `[batch, answers]` -> `[batch, questions]`. */
export function questionTotals(counts: tf.Tensor2D, schema: Schema): tf.Tensor2D {
  assertBatchShape(counts, schema, 'questionTotals');
  return tf.tidy(() => tf.matMul(counts.toFloat(), tf.tensor2d(answerToQuestionMatrix(schema))));
}

/** Batched vote fractions: counts `[batch, answers]` -> fractions `[batch, answers]`. */
export function voteFractions(counts: tf.Tensor2D, schema: Schema, options: VoteFractionOptions = {}): tf.Tensor2D {
  assertBatchShape(counts, schema, 'voteFractions');
  return tf.tidy(() => {
    const membership = tf.tensor2d(answerToQuestionMatrix(schema));
    const floatCounts = counts.toFloat();
    // Each answer's own question total, broadcast back onto the answer axis.
    const totals = tf.matMul(tf.matMul(floatCounts, membership), membership, false, true);
    const answersPerQuestion = tf.tensor1d(schema.answers.map((a) => a.question.answers.length));
    const fill = options.unanswered === 'uniform'
      ? tf.broadcastTo(tf.reciprocal(answersPerQuestion), totals.shape)
      : tf.fill(totals.shape, unansweredValue(options.unanswered, 1));
    const safeTotals = tf.where(tf.greater(totals, 0), totals, tf.onesLike(totals));
    return tf.where(tf.greater(totals, 0), tf.div(floatCounts, safeTotals), fill) as tf.Tensor2D;
  });
}

function assertBatchShape(t: tf.Tensor, schema: Schema, where: string): void {
  if (t.rank !== 2 || t.shape[1] !== schema.answerCount) {
    throw new ShapeError(`${where}: expected [batch, ${schema.answerCount}] for schema '${schema.name}', got [${t.shape.join(', ')}]`);
  }
}

/** One place where a question got more votes than the answer leading to it. */
export interface ConsistencyIssue {
  /** The over-voted question. */
  readonly question: string;
  /** Total votes the question got. */
  readonly questionTotal: number;
  /** Label column of the answer that leads to the question. */
  readonly dependency: string;
  /** Votes for that answer. */
  readonly dependencyCount: number;
  /** `questionTotal - dependencyCount` (> 0). */
  readonly excess: number;
}

/**
 * Every question in a vote-count row whose total exceeds the count of the answer that leads
 * to it. Volunteers may skip, so a lower total is fine; real catalogues (GZ2) still break the
 * rule now and then, so this reports and never throws on data.
 */
export function checkConsistency(counts: ArrayLike<number>, schema: Schema): ConsistencyIssue[] {
  const totals = questionTotals64(counts, schema);
  const issues: ConsistencyIssue[] = [];
  for (const q of schema.questions) {
    if (q.dependsOn === null) continue;
    const questionTotal = totals[q.index] ?? 0;
    const dependencyCount = counts[q.dependsOn.index] ?? 0;
    if (questionTotal > dependencyCount) {
      issues.push({ question: q.text, questionTotal, dependency: q.dependsOn.column, dependencyCount, excess: questionTotal - dependencyCount });
    }
  }
  return issues;
}

/** Summary of {@link checkConsistency} over many rows. */
export interface ConsistencySummary {
  /** Rows checked. */
  readonly rows: number;
  /** Rows with at least one issue. */
  readonly inconsistentRows: number;
  /** For each question with a dependency, the number of rows where it was over-voted. */
  readonly byQuestion: Readonly<Record<string, number>>;
}

/** Runs {@link checkConsistency} over rows (any iterable, so catalogues can stream through). */
export function summarizeConsistency(rows: Iterable<ArrayLike<number>>, schema: Schema): ConsistencySummary {
  const byQuestion: Record<string, number> = Object.fromEntries(
    schema.questions.filter((q) => q.dependsOn !== null).map((q) => [q.text, 0]),
  );
  let count = 0;
  let inconsistentRows = 0;
  for (const row of rows) {
    count += 1;
    const issues = checkConsistency(row, schema);
    if (issues.length > 0) inconsistentRows += 1;
    for (const issue of issues) byQuestion[issue.question] = (byQuestion[issue.question] ?? 0) + 1;
  }
  return { rows: count, inconsistentRows, byQuestion };
}
