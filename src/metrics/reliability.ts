/**
 * Reliability-diagram data and expected calibration error of predicted probabilities
 * against observed outcomes (vote fractions, or the true answer probabilities of synthetic data).
 *
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** The bin covers predicted values in [lower, upper) (the last bin includes 1). */
  readonly lower: number;
  readonly upper: number;
  /** Values in the bin. */
  readonly count: number;
  /** Mean predicted value of the bin (NaN when empty). */
  readonly meanPredicted: number;
  /** Mean observed value of the bin (NaN when empty). */
  readonly meanObserved: number;
}

/** A reliability diagram and its expected calibration error. */
export interface Reliability {
  readonly bins: readonly ReliabilityBin[];
  /** Σ_b (count_b / n) |meanPredicted_b - meanObserved_b| (NaN without values). */
  readonly ece: number;
}

/**
 * Accumulates (predicted, observed) pairs into equal-width bins of the predicted value in [0, 1].
 * Build one per question and read it with {@link ReliabilityAccumulator.result}.
 */
export class ReliabilityAccumulator {
  private readonly count: Float64Array;
  private readonly predicted: Float64Array;
  private readonly observed: Float64Array;

  /** @param bins - number of equal-width bins (a positive integer). */
  constructor(readonly bins: number) {
    if (!Number.isInteger(bins) || bins < 1) throw new ConfigError(`reliability: bins must be a positive integer, got ${bins}`);
    this.count = new Float64Array(bins);
    this.predicted = new Float64Array(bins);
    this.observed = new Float64Array(bins);
  }

  /** Adds one pair; `predicted` is clamped into [0, 1] to pick the bin. */
  add(predicted: number, observed: number): void {
    const b = Math.min(Math.max(Math.floor(predicted * this.bins), 0), this.bins - 1);
    this.count[b] = (this.count[b] ?? 0) + 1;
    this.predicted[b] = (this.predicted[b] ?? 0) + predicted;
    this.observed[b] = (this.observed[b] ?? 0) + observed;
  }

  /** The diagram and its ECE. */
  result(): Reliability {
    let total = 0;
    for (const c of this.count) total += c;
    let ece = 0;
    const bins = Array.from(this.count, (count, b) => {
      const meanPredicted = (this.predicted[b] ?? 0) / count;
      const meanObserved = (this.observed[b] ?? 0) / count;
      if (count > 0) ece += (count / total) * Math.abs(meanPredicted - meanObserved);
      return { lower: b / this.bins, upper: (b + 1) / this.bins, count, meanPredicted: count > 0 ? meanPredicted : Number.NaN, meanObserved: count > 0 ? meanObserved : Number.NaN };
    });
    return { bins, ece: total > 0 ? ece : Number.NaN };
  }
}

/**
 * Reliability diagram of predicted probabilities against observed outcomes (0/1 events, or
 * observed frequencies such as vote fractions).
 *
 * @param predicted - predicted probabilities in [0, 1].
 * @param observed - the matching outcomes, same length.
 * @param bins - equal-width bins over [0, 1]. @defaultValue 10
 * @throws {@link ShapeError} when the lengths differ; {@link ConfigError} for a bad bin count.
 * @example
 * ```ts
 * reliabilityDiagram([0.1, 0.9], [0, 1], 2).ece; // 0.1
 * ```
 */
export function reliabilityDiagram(predicted: ArrayLike<number>, observed: ArrayLike<number>, bins = 10): Reliability {
  if (predicted.length !== observed.length) throw new ShapeError(`reliabilityDiagram: ${predicted.length} predictions but ${observed.length} observations`);
  const acc = new ReliabilityAccumulator(bins);
  for (let i = 0; i < predicted.length; i += 1) acc.add(predicted[i] ?? Number.NaN, observed[i] ?? Number.NaN);
  return acc.result();
}
