/**
 * Concentration warm-up: a curriculum from the multinomial to the Dirichlet-multinomial loss.
 *
 * A network that cannot yet tell its galaxies apart meets bimodal votes (most volunteers agree,
 * but on different answers for different galaxies). For such a network the Dirichlet-multinomial
 * optimum is the flattest Dirichlet the head allows, all concentrations at their floor; the head's
 * sigmoid then saturates and the gradient that should teach the trunk the features vanishes. The
 * warm-up multiplies the predicted concentrations by a factor that falls geometrically to 1 over the
 * first epochs: with a large factor the loss is, in effect, the multinomial likelihood of the votes
 * under the predicted mean fractions, which keeps learning the answers; as it falls to 1 the head
 * learns how concentrated the votes really are.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import type { PerQuestionLoss } from './train.js';

/** Options of the concentration warm-up (`train({ concentrationWarmup })`). */
export interface ConcentrationWarmup {
  /** Epochs over which the factor falls to 1 (a positive integer). */
  readonly epochs: number;
  /** Factor of the first epoch (at least 1). @defaultValue 100 */
  readonly initialScale?: number;
}

/** Default factor of the first warm-up epoch. */
export const DEFAULT_INITIAL_CONCENTRATION_SCALE = 100;

/**
 * Checks warm-up options.
 * @throws {@link ConfigError} for a non-positive or fractional epoch count, or a factor below 1.
 */
export function checkConcentrationWarmup(warmup: ConcentrationWarmup): void {
  const { epochs, initialScale = DEFAULT_INITIAL_CONCENTRATION_SCALE } = warmup;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`concentrationWarmup: epochs must be a positive integer, got ${epochs}`);
  if (!(initialScale >= 1) || !Number.isFinite(initialScale)) {
    throw new ConfigError(`concentrationWarmup: initialScale must be a finite number >= 1, got ${initialScale}`);
  }
}

/**
 * The factor of a (zero-based) epoch: `initialScale^(1 - epoch / epochs)` during the warm-up, 1
 * from epoch `epochs` on, and 1 without a warm-up.
 *
 * @param warmup - the warm-up, or undefined for none.
 * @param epoch - zero-based epoch.
 * @returns the factor the concentrations are multiplied by in that epoch's training loss.
 */
export function concentrationScale(warmup: ConcentrationWarmup | undefined, epoch: number): number {
  if (warmup === undefined || epoch >= warmup.epochs) return 1;
  return (warmup.initialScale ?? DEFAULT_INITIAL_CONCENTRATION_SCALE) ** (1 - epoch / warmup.epochs);
}

/**
 * `loss` evaluated on the concentrations multiplied by `scale` (the loss itself for a scale of 1).
 *
 * @param loss - a per-question loss of Dirichlet concentrations.
 * @param scale - the factor, from {@link concentrationScale}.
 * @returns the scaled loss.
 */
export function scaledConcentrationLoss(loss: PerQuestionLoss, scale: number): PerQuestionLoss {
  if (scale === 1) return loss;
  return (labels, concentrations) => tf.tidy(() => loss(labels, tf.mul(concentrations, scale)));
}
