/**
 * Deterministic train/validation/test splits keyed on galaxy ids.
 *
 * @module data/split
 */
import { ConfigError, DataError } from '../errors.js';

/** Options of {@link splitCatalog}. */
export interface SplitOptions<T> {
  /** Fraction of galaxies per split, e.g. `[0.7, 0.2, 0.1]`; non-negative, summing to 1. */
  readonly fractions: readonly number[];
  /** Any integer; the same seed and ids always give the same splits. @defaultValue 0 */
  readonly seed?: number;
  /**
   * Stratum of each row (e.g. its most-voted answer): every stratum is then spread over the
   * splits in the requested fractions, to within 2 galaxies per stratum and split.
   */
  readonly stratifyBy?: (row: T) => string;
}

/** cyrb53: a fast 53-bit string hash, good enough to order ids pseudo-randomly. */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function checkFractions(fractions: readonly number[]): void {
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (fractions.length === 0 || fractions.some((f) => !Number.isFinite(f) || f < 0) || Math.abs(sum - 1) > 1e-9) {
    throw new ConfigError(
      `splitCatalog: fractions should be non-negative and sum to 1, got [${fractions.join(', ')}] (sum ${sum})`,
    );
  }
}

/**
 * Splits rows into disjoint groups. Each galaxy's place depends only on its id, the seed and the
 * set of ids (not on row order): rows are ordered by a seeded hash of `id_str`, then dealt to the
 * split that is furthest below its quota, so every split's size is within 1 of `fraction * n`.
 *
 * @param rows - rows with unique `id_str`.
 * @param options - fractions, seed, optional stratification.
 * @returns one array per fraction, each in hashed order.
 * @throws ConfigError for bad fractions; DataError for a duplicate id (a galaxy must not land in two splits).
 * @example
 * const [train, val, test] = splitCatalog(rows, { fractions: [0.7, 0.2, 0.1], seed: 42 });
 */
export function splitCatalog<T extends { readonly id_str: string }>(rows: readonly T[], options: SplitOptions<T>): T[][] {
  const { fractions, stratifyBy } = options;
  checkFractions(fractions);
  const seed = options.seed ?? 0;
  const keyed = rows.map((row) => ({ row, hash: hash53(row.id_str, seed), stratum: stratifyBy?.(row) ?? '' }));
  const ids = new Set<string>();
  for (const { row } of keyed) {
    if (ids.has(row.id_str)) throw new DataError(`splitCatalog: duplicate id "${row.id_str}"`, { column: 'id_str' });
    ids.add(row.id_str);
  }
  // Strata are dealt one after the other, so each is spread like the whole.
  keyed.sort((a, b) => (a.stratum < b.stratum ? -1 : a.stratum > b.stratum ? 1 : a.hash - b.hash
    || (a.row.id_str < b.row.id_str ? -1 : 1)));
  const splits: T[][] = fractions.map(() => []);
  keyed.forEach(({ row }, i) => {
    let best = 0;
    let bestDeficit = -Infinity;
    fractions.forEach((fraction, j) => {
      const deficit = fraction * (i + 1) - splits[j]!.length;
      if (deficit > bestDeficit + 1e-12) { best = j; bestDeficit = deficit; }
    });
    splits[best]!.push(row);
  });
  return splits;
}
