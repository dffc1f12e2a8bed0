/**
 * Acquisition functions for active learning (W+20): score a pool of unlabelled galaxies from
 * their MC-dropout predictions and pick the top k.
 *
 * @module
 */
import { createRng } from '../data/synthetic/random.js';
import type { Schema } from '../decisionTree/index.js';
import { ConfigError } from '../errors.js';
import { summarisePrediction } from './predictionSummary.js';
import { galaxyBald, type GalaxyBaldOptions } from './bald.js';
import { assertMcConcentrations, type McConcentrations } from './predictive.js';

/** How {@link acquire} scores a galaxy (higher = acquired first). */
export type AcquisitionName = 'bald' | 'entropy' | 'margin' | 'random';

const ACQUISITIONS: readonly AcquisitionName[] = ['bald', 'entropy', 'margin', 'random'];

/** One unlabelled galaxy of the pool. */
export interface PoolItem extends McConcentrations {
  readonly id: string;
}

/** Options of {@link acquisitionScores} and {@link acquire}. */
export interface AcquireOptions extends GalaxyBaldOptions {
  readonly schema: Schema;
  /**
   * - `'bald'`: Σ_q P(asked)_q × BALD_q ({@link galaxyBald}).
   * - `'entropy'`: Σ_q P(asked)_q × H[posterior predictive of the vote counts]_q.
   * - `'margin'`: Σ_q P(asked)_q × (1 - (top - second mean predicted fraction)_q).
   * - `'random'`: a uniform draw per galaxy from `seed`.
   * @defaultValue 'bald'
   */
  readonly acquisition?: AcquisitionName;
}

/** One acquired galaxy. */
export interface Acquired {
  readonly id: string;
  readonly score: number;
}

function marginScore(item: PoolItem, schema: Schema): number {
  const { fractions, asked } = summarisePrediction(item.concentrations, item.passes, schema);
  let score = 0;
  for (const q of schema.questions) {
    let top = -Infinity;
    let second = -Infinity;
    for (let i = q.startIndex; i < q.endIndex; i += 1) {
      const f = fractions[i] ?? Number.NaN;
      if (f > top) [top, second] = [f, top];
      else if (f > second) second = f;
    }
    score += (asked[q.index] ?? 0) * (1 - (top - second));
  }
  return score;
}

/**
 * The acquisition score of every galaxy of the pool, in pool order.
 *
 * @param pool - galaxies with their `[pass, answer]` concentrations.
 * @param options - the schema, the acquisition function and, for BALD/entropy, the votes and
 *   enumeration settings of {@link galaxyBald} (galaxy g uses Monte Carlo seeds `[seed, g, ...]`).
 * @throws {@link ConfigError} for an unknown acquisition; {@link ShapeError} for rows that do not fit the schema.
 */
export function acquisitionScores(pool: readonly PoolItem[], options: AcquireOptions): number[] {
  const { schema, acquisition = 'bald', seed = 0 } = options;
  if (!ACQUISITIONS.includes(acquisition)) {
    throw new ConfigError(`acquire: unknown acquisition "${String(acquisition)}". Should be one of: ${ACQUISITIONS.join(', ')}`);
  }
  pool.forEach((item, g) => assertMcConcentrations(item, schema.answerCount, `acquire: galaxy '${item.id}' (${g})`));
  const seeds = typeof seed === 'number' ? [seed] : seed;
  if (acquisition === 'random') {
    const rng = createRng(...seeds);
    return pool.map(() => rng.next());
  }
  if (acquisition === 'margin') return pool.map((item) => marginScore(item, schema));
  return pool.map((item, g) => {
    const result = galaxyBald(item, schema, { ...options, seed: [...seeds, g] });
    return acquisition === 'bald' ? result.mutualInformation : result.predictiveEntropy;
  });
}

/**
 * Picks the `k` galaxies of the pool with the highest acquisition scores (ties keep pool order).
 *
 * @param pool - galaxies with their `[pass, answer]` concentrations.
 * @param k - how many to acquire; more than the pool gives the whole pool, ranked.
 * @returns the acquired ids with their scores, highest first.
 * @throws {@link ConfigError} when k is not a non-negative integer or the acquisition is unknown.
 * @example
 * ```ts
 * const batch = acquire(pool, 128, { schema: decalsDr5Schema, acquisition: 'bald' });
 * ```
 */
export function acquire(pool: readonly PoolItem[], k: number, options: AcquireOptions): Acquired[] {
  if (!Number.isInteger(k) || k < 0) throw new ConfigError(`acquire: k must be a non-negative integer, got ${k}`);
  const scores = acquisitionScores(pool, options);
  return pool
    .map((item, g) => ({ id: item.id, score: scores[g] ?? Number.NaN }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}
