/**
 * Cosine nearest neighbours in a table of representations (e.g. the features `zoobot-ts represent`
 * writes): "galaxies that look like this one".
 *
 * @module metrics/nearestNeighbours
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';

/** Representations of `n` galaxies: `ids[i]` owns row `i` of `features`. */
export interface FeatureTable {
  readonly ids: readonly string[];
  /** `[n, d]`: either row-major flat (length `n * d`) or one array per galaxy. */
  readonly features: Float32Array | readonly (readonly number[])[];
}

/** One neighbour of a query. */
export interface Neighbour {
  readonly id: string;
  /** Cosine similarity with the query, in [-1, 1]. */
  readonly similarity: number;
}

/** Options of {@link nearestNeighbours}. */
export interface NearestNeighboursOptions {
  /** Leave the query galaxy out of its own neighbours (only when the query is an id). @defaultValue true */
  readonly excludeSelf?: boolean;
}

/** Row `i` of the table as a view (flat) or the stored array. */
function rowOf(table: FeatureTable, i: number, d: number): ArrayLike<number> {
  const { features } = table;
  return features instanceof Float32Array ? features.subarray(i * d, (i + 1) * d) : (features[i] as readonly number[]);
}

/** The feature dimension, checking every row has it. */
function dimensionOf(table: FeatureTable): number {
  const n = table.ids.length;
  if (n === 0) throw new ConfigError('nearestNeighbours: the table has no galaxies');
  const { features } = table;
  if (features instanceof Float32Array) {
    if (features.length % n !== 0) throw new ShapeError(`nearestNeighbours: ${features.length} feature values do not split into ${n} rows`);
    return features.length / n;
  }
  if (features.length !== n) throw new ShapeError(`nearestNeighbours: ${n} ids but ${features.length} feature rows`);
  const d = (features[0] as readonly number[]).length;
  features.forEach((row, i) => {
    if (row.length !== d) throw new ShapeError(`nearestNeighbours: galaxy "${table.ids[i]}" has ${row.length} features, the first has ${d}`);
  });
  return d;
}

/** Euclidean norm, in float64. */
function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += (v[j] as number) ** 2;
  return Math.sqrt(s);
}

/**
 * The `k` galaxies most similar to a query by cosine similarity, most similar first; ties keep
 * table order. Sums are in float64.
 *
 * @param table - ids and `[n, d]` features.
 * @param query - a galaxy id from the table, or a `[d]` feature vector.
 * @param k - how many neighbours (fewer when the table is smaller).
 * @param options - whether an id query is left out of its own neighbours.
 * @returns up to `k` neighbours with their similarities, highest first.
 * @throws ConfigError for an unknown id or a `k` that is not a positive integer; ShapeError when the
 *   query's or a row's length differs from the table's dimension; DataError for a zero vector
 *   (query or row), whose direction is undefined.
 * @example
 * ```ts
 * nearestNeighbours({ ids: ['a', 'b', 'c'], features: [[1, 0], [0.9, 0.1], [0, 1]] }, 'a', 1); // [{ id: 'b', similarity: 0.99... }]
 * ```
 */
export function nearestNeighbours(
  table: FeatureTable, query: string | ArrayLike<number>, k: number, options: NearestNeighboursOptions = {},
): Neighbour[] {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`nearestNeighbours: k must be a positive integer, got ${k}`);
  const d = dimensionOf(table);
  let self = -1;
  let q: ArrayLike<number>;
  if (typeof query === 'string') {
    self = table.ids.indexOf(query);
    if (self < 0) throw new ConfigError(`nearestNeighbours: unknown galaxy id "${query}"`);
    q = rowOf(table, self, d);
  } else {
    if (query.length !== d) throw new ShapeError(`nearestNeighbours: the query has ${query.length} features, the table ${d}`);
    q = query;
  }
  const qNorm = norm(q);
  if (qNorm === 0) throw new DataError(`nearestNeighbours: the query${self >= 0 ? ` "${query as string}"` : ''} is a zero vector`);
  const skip = options.excludeSelf ?? true ? self : -1;
  const scored: { index: number; similarity: number }[] = [];
  for (let i = 0; i < table.ids.length; i++) {
    if (i === skip) continue;
    const row = rowOf(table, i, d);
    const rowNorm = norm(row);
    if (rowNorm === 0) throw new DataError(`nearestNeighbours: galaxy "${table.ids[i]}" has a zero feature vector`);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += (q[j] as number) * (row[j] as number);
    scored.push({ index: i, similarity: dot / (qNorm * rowNorm) });
  }
  // Array.prototype.sort is stable, so equal similarities keep table order.
  scored.sort((a, b) => b.similarity - a.similarity);
  return scored.slice(0, k).map(({ index, similarity }) => ({ id: table.ids[index] as string, similarity }));
}
