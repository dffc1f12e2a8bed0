import * as tf from '@tensorflow/tfjs';
import { askedProbability64, type Schema } from '../decisionTree/index.js';
import { ConfigError } from '../errors.js';
import { predictMC } from '../architectures/predictMC.js';
import type { BatchSource } from './batches.js';

/** MC-dropout predictions for one batch of galaxies. */
export interface PredictedBatch {
  /** Galaxy ids (empty strings when the source has none). */
  readonly ids: readonly string[];
  /** Dirichlet concentrations, row-major `[galaxy, pass, answer]`. */
  readonly concentrations: Float32Array;
  /** Volunteer vote counts `[galaxy, answer]` from the source, kept for comparison. */
  readonly labels: Float32Array;
  readonly passes: number;
  readonly answers: number;
}

/** Options of {@link predictSource}. */
export interface PredictSourceOptions {
  /** Forward passes per galaxy with dropout on. @defaultValue 5 (Zoobot) */
  readonly passes?: number;
  /** `'full'` MC or the cheaper `'head'` mode of `predictMC`. @defaultValue 'full' */
  readonly mode?: 'full' | 'head';
  /** Called after each batch with the number of galaxies done. */
  readonly onProgress?: (done: number) => void;
}

/**
 * Streams MC-dropout predictions over a batch source, one batch at a time, so a survey-sized
 * catalogue runs in bounded memory. Every tensor is disposed before the next batch.
 *
 * @example
 * ```ts
 * for await (const batch of predictSource(model, testSource)) writeRows(batch);
 * ```
 */
export async function* predictSource(
  model: tf.LayersModel, source: BatchSource, options: PredictSourceOptions = {},
): AsyncGenerator<PredictedBatch> {
  const { passes = 5, mode = 'full', onProgress } = options;
  if (!Number.isInteger(passes) || passes < 1) throw new ConfigError(`predictSource: passes must be a positive integer, got ${passes}`);
  let done = 0;
  for await (const batch of source.batches(0)) {
    const stacked = predictMC(model, batch.images, passes, { mode });
    // [passes, batch, answers] -> [batch, passes, answers]
    const transposed = tf.transpose(stacked, [1, 0, 2]);
    const concentrations = (await transposed.data()) as Float32Array;
    const labels = (await batch.labels.data()) as Float32Array;
    const size = batch.images.shape[0];
    const answers = stacked.shape[2] ?? 0;
    tf.dispose([stacked, transposed, batch.images, batch.labels]);
    done += size;
    onProgress?.(done);
    yield { ids: batch.ids ?? new Array<string>(size).fill(''), concentrations, labels, passes, answers };
  }
}

/** Per-galaxy summary of MC-dropout concentrations. */
export interface PredictionSummary {
  /** Mean over passes of the Dirichlet mean fractions alpha_i / A, per answer. */
  readonly fractions: number[];
  /**
   * Standard deviation of the vote fraction under the equal-weight mixture of the passes'
   * Dirichlets (mean of the Dirichlet variances plus the variance of the pass means).
   */
  readonly std: number[];
  /** P(question asked) from the mean fractions, per question. */
  readonly asked: number[];
}

/**
 * Summarises one galaxy's `[pass, answer]` concentrations.
 *
 * @param concentrations - row-major `[passes, answers]` (a slice of {@link PredictedBatch.concentrations}).
 */
export function summarisePrediction(concentrations: ArrayLike<number>, passes: number, schema: Schema): PredictionSummary {
  const answers = schema.answerCount;
  const mean = new Array<number>(answers).fill(0);
  const secondMoment = new Array<number>(answers).fill(0);
  for (let p = 0; p < passes; p += 1) {
    for (const q of schema.questions) {
      let total = 0;
      for (let i = q.startIndex; i < q.endIndex; i += 1) total += concentrations[p * answers + i] ?? 0;
      for (let i = q.startIndex; i < q.endIndex; i += 1) {
        const m = (concentrations[p * answers + i] ?? 0) / total;
        const variance = (m * (1 - m)) / (total + 1);
        mean[i] = (mean[i] ?? 0) + m / passes;
        secondMoment[i] = (secondMoment[i] ?? 0) + (variance + m * m) / passes;
      }
    }
  }
  const std = mean.map((m, i) => Math.sqrt(Math.max((secondMoment[i] ?? 0) - m * m, 0)));
  return { fractions: mean, std, asked: askedProbability64(mean, schema) };
}
