import * as tf from '@tensorflow/tfjs';
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
  /** Test-time augmentation: pass `p` sees the images flipped/turned by D4 element `p mod 8` (`predictMC`'s `dihedral`). @defaultValue false */
  readonly dihedral?: boolean;
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
  const { passes = 5, mode = 'full', dihedral = false, onProgress } = options;
  if (!Number.isInteger(passes) || passes < 1) throw new ConfigError(`predictSource: passes must be a positive integer, got ${passes}`);
  let done = 0;
  for await (const batch of source.batches(0)) {
    const stacked = predictMC(model, batch.images, passes, { mode, dihedral });
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
