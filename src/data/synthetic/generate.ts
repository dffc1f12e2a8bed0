/**
 * The synthetic data set: seeded galaxies with images, simulated vote counts and the true
 * answer probabilities behind them.
 *
 * @module
 */
import { decalsDr5Schema, type Schema } from '../../decisionTree/index.js';
import { ConfigError } from '../../errors.js';
import { sampleGalaxyParameters, type GalaxyParameters } from './parameters.js';
import { createRng } from './random.js';
import { assertImageSize, renderGalaxy } from './render.js';
import { trueAnswerProbabilities } from './truth.js';
import { simulateVolunteers } from './volunteers.js';

/** Options of {@link generateSyntheticGalaxies}. */
export interface SyntheticOptions {
  /** Number of galaxies. */
  readonly count: number;
  /**
   * Image side in pixels. The simulated volunteers classify these images, so arms and bars finer
   * than two pixels do not get featured votes (see `observe`). @defaultValue 64
   */
  readonly size?: number;
  /** Seed: the same seed gives the same galaxies, images and votes, byte for byte. @defaultValue 0 */
  readonly seed?: number;
  /** Decision tree the volunteers answer. @defaultValue `decalsDr5Schema` (bare column names) */
  readonly schema?: Schema;
  /** Volunteers per galaxy (the mean when {@link SyntheticOptions.varyVolunteers} is set). @defaultValue 40 */
  readonly volunteers?: number;
  /** Draw each galaxy's volunteer count from a Poisson distribution (at least 1). @defaultValue false */
  readonly varyVolunteers?: boolean;
  /** Index of the first galaxy, to generate a data set in pieces. @defaultValue 0 */
  readonly start?: number;
}

/** One synthetic galaxy. */
export interface SyntheticGalaxy {
  /** Unique within a seed: `synthetic-<index>` padded to 6 digits. */
  readonly id: string;
  /** Position in the data set. */
  readonly index: number;
  /** Greyscale image, `size * size` values in [0, 1], row-major. */
  readonly image: Float32Array;
  /** Vote counts per label column, schema order. */
  readonly counts: Int32Array;
  /** True answer probabilities per label column (each question sums to 1). */
  readonly trueProbabilities: Float64Array;
  /** Number of volunteers (the total of every always-asked question). */
  readonly volunteers: number;
  readonly params: GalaxyParameters;
}

/** Independent random streams of one galaxy (so image size never changes parameters or votes). */
const STREAM_PARAMETERS = 0;
const STREAM_NOISE = 1;
const STREAM_VOTES = 2;

/** Default volunteers per galaxy, as in GZ DECaLS. */
export const DEFAULT_VOLUNTEERS = 40;

/**
 * Generates synthetic galaxies lazily. Galaxy `i` depends only on `(seed, i)`: two runs with
 * the same seed agree galaxy for galaxy, whatever `count`, `start` or `size`.
 *
 * @param options - count, image size, seed, schema and volunteers.
 * @returns an iterator over {@link SyntheticGalaxy}.
 * @throws {@link ConfigError} for a bad count, size, seed, start or volunteer number (at the call, not at the first galaxy).
 * @example
 * ```ts
 * for (const g of generateSyntheticGalaxies({ count: 100, size: 64, seed: 1 })) {
 *   console.log(g.id, g.counts[0], g.trueProbabilities[0]);
 * }
 * ```
 */
export function generateSyntheticGalaxies(options: SyntheticOptions): Generator<SyntheticGalaxy, void, undefined> {
  const { count, size = 64, seed = 0, schema = decalsDr5Schema, volunteers = DEFAULT_VOLUNTEERS, varyVolunteers = false, start = 0 } = options;
  assertCount('count', count);
  assertCount('start', start);
  assertCount('volunteers', volunteers);
  assertImageSize(size, 'generateSyntheticGalaxies');
  if (!Number.isSafeInteger(seed)) throw new ConfigError(`generateSyntheticGalaxies: seed must be an integer, got ${seed}`);
  // Options are checked above, eagerly; the galaxies themselves are made on demand.
  return galaxies(start, count, size, seed, schema, volunteers, varyVolunteers);
}

function* galaxies(
  start: number, count: number, size: number, seed: number, schema: Schema, volunteers: number, varyVolunteers: boolean,
): Generator<SyntheticGalaxy, void, undefined> {
  for (let index = start; index < start + count; index += 1) {
    const params = sampleGalaxyParameters(createRng(seed, index, STREAM_PARAMETERS));
    const image = renderGalaxy(params, { size, rng: createRng(seed, index, STREAM_NOISE) });
    const votes = createRng(seed, index, STREAM_VOTES);
    const n = varyVolunteers ? Math.max(1, votes.poisson(volunteers)) : volunteers;
    const trueProbabilities = trueAnswerProbabilities(params, schema, size);
    const counts = simulateVolunteers(trueProbabilities, schema, { volunteers: n, rng: votes });
    yield { id: syntheticId(index), index, image, counts, trueProbabilities, volunteers: n, params };
  }
}

/** The id of galaxy `index`: `synthetic-000042`. */
export function syntheticId(index: number): string {
  return `synthetic-${String(index).padStart(6, '0')}`;
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`generateSyntheticGalaxies: ${name} must be a non-negative integer, got ${value}`);
  }
}
