/**
 * Similarity search over a representation table on disk (what `zoobot-ts represent` writes):
 * "which galaxies look most like this one?", streamed so the table never sits whole in memory.
 *
 * @module node/similarGalaxies
 */
import { stat } from 'node:fs/promises';
import { ID_COLUMN } from '../data/catalog/types.js';
import { ConfigError, DataError } from '../errors.js';
import { nearestNeighbours, type Neighbour } from '../metrics/nearestNeighbours.js';
import { csvRecords } from './catalogFiles.js';
import { parquetRows } from './parquetFiles.js';

/** Options of {@link findSimilarGalaxies}. */
export interface FindSimilarOptions {
  /** How many neighbours to return. @defaultValue 10 */
  readonly k?: number;
}

/** What {@link findSimilarGalaxies} returns. */
export interface SimilarGalaxies {
  /** The query's `id_str`. */
  readonly query: string;
  /** Up to `k` other galaxies, most similar (cosine) first; ties keep table order. */
  readonly neighbours: readonly Neighbour[];
  /** Galaxies (rows) in the table, the query included. */
  readonly galaxies: number;
  /** Features per galaxy. */
  readonly features: number;
}

/** Rows scored together: big enough to amortise the call, small enough to keep memory flat. */
const CHUNK_ROWS = 4096;

/** The table's ids and feature rows, chunk by chunk, each row numbered (1-based, the header is row 0). */
interface FeatureChunk {
  readonly ids: string[];
  readonly rows: number[][];
  readonly rowNumbers: number[];
}

/**
 * A feature cell as a number: Parquet gives numbers (or bigints), CSV gives text. Empty, null and
 * non-finite cells are refused (`Number('')` would quietly be 0).
 */
function featureValue(cell: unknown): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'string' && cell.trim() !== '') return Number(cell);
  return Number.NaN;
}

/** Streams a table's feature chunks, checking every feature cell is a finite number. */
async function* featureChunks(
  path: string, records: AsyncGenerator<unknown[]> = path.endsWith('.parquet') ? parquetRows(path) : csvRecords(path), firstRow = 0,
): AsyncGenerator<FeatureChunk> {
  const first = await records.next();
  if (first.done === true) throw new DataError('empty table (no header)', { file: path, row: 0 });
  const header = first.value.map(String);
  const idIndex = header.indexOf(ID_COLUMN);
  if (idIndex < 0) throw new DataError('missing column', { file: path, row: 0, column: ID_COLUMN });
  const featureIndices = header.map((_, i) => i).filter((i) => i !== idIndex);
  if (featureIndices.length === 0) throw new DataError(`no feature columns besides ${ID_COLUMN}`, { file: path, row: 0 });
  let chunk: FeatureChunk = { ids: [], rows: [], rowNumbers: [] };
  let row = firstRow;
  for await (const record of records) {
    row += 1;
    const values = new Array<number>(featureIndices.length);
    for (let j = 0; j < featureIndices.length; j += 1) {
      const cell = record[featureIndices[j] as number];
      const value = featureValue(cell);
      if (!Number.isFinite(value)) {
        const column = header[featureIndices[j] as number];
        throw new DataError(`not a finite number: ${typeof cell === 'string' ? JSON.stringify(cell) : String(cell)}`, { file: path, row, column });
      }
      values[j] = value;
    }
    chunk.ids.push(String(record[idIndex] ?? ''));
    chunk.rows.push(values);
    chunk.rowNumbers.push(row);
    if (chunk.ids.length === CHUNK_ROWS) {
      yield chunk;
      chunk = { ids: [], rows: [], rowNumbers: [] };
    }
  }
  if (chunk.ids.length > 0) yield chunk;
}

/** The query's row number and features, scanning the whole table (CSV). */
async function findQueryByScan(path: string, id: string): Promise<{ row: number; features: number[] } | undefined> {
  for await (const chunk of featureChunks(path)) {
    const i = chunk.ids.indexOf(id);
    if (i >= 0) return { row: chunk.rowNumbers[i] as number, features: chunk.rows[i] as number[] };
  }
  return undefined;
}

/** The same for Parquet, reading only the id column, then the query's row. */
async function findQueryParquet(path: string, id: string): Promise<{ row: number; features: number[] } | undefined> {
  const ids = parquetRows(path, { columns: [ID_COLUMN] });
  await ids.next(); // the header
  let index = 0;
  let found = false;
  for await (const [cell] of ids) {
    if (String(cell) === id) { found = true; break; }
    index += 1;
  }
  if (!found) return undefined;
  for await (const chunk of featureChunks(path, parquetRows(path, { rowStart: index, rowEnd: index + 1 }), index)) {
    return { row: index + 1, features: chunk.rows[0] as number[] };
  }
  return undefined;
}

/**
 * The `k` galaxies of a representation table most similar to one of its galaxies, by cosine
 * similarity of their features (sums in float64). The table is a CSV (optionally `.gz`) or a
 * `.parquet` file with an `id_str` column; every other column is a feature. It is streamed twice:
 * once to find the query (for Parquet only the `id_str` column, then the query's row), once to
 * score every row, a CSV chunk or a Parquet row group at a time, so memory does not grow with the
 * table. The query's own row is left out of its neighbours.
 *
 * @param path - the table, e.g. the output of `zoobot-ts represent`.
 * @param id - the query galaxy's `id_str`.
 * @param options - how many neighbours.
 * @returns the query, its neighbours with their similarities, and the table's size.
 * @throws DataError naming the file when it is missing, unreadable, has no `id_str` column or no
 *   galaxy with `id`; naming the file, row and column of a feature that is not a finite number;
 *   naming the galaxy whose features are all zero. ConfigError when `k` is not a positive integer.
 * @example
 * ```ts
 * const { neighbours } = await findSimilarGalaxies('features.parquet', 'J112953.88-000427.4', { k: 5 });
 * for (const { id, similarity } of neighbours) console.log(id, similarity.toFixed(3));
 * ```
 */
export async function findSimilarGalaxies(path: string, id: string, options: FindSimilarOptions = {}): Promise<SimilarGalaxies> {
  const { k = 10 } = options;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`findSimilarGalaxies: k must be a positive integer, got ${k}`);
  const exists = await stat(path).then((s) => s.isFile(), () => false);
  if (!exists) throw new DataError('missing: no such file', { file: path });
  const query = await (path.endsWith('.parquet') ? findQueryParquet(path, id) : findQueryByScan(path, id));
  if (query === undefined) throw new DataError(`no galaxy with ${ID_COLUMN} "${id}"`, { file: path, column: ID_COLUMN });
  let best: Neighbour[] = [];
  let galaxies = 0;
  for await (const chunk of featureChunks(path)) {
    galaxies += chunk.ids.length;
    const self = chunk.rowNumbers.indexOf(query.row);
    const ids = self < 0 ? chunk.ids : chunk.ids.filter((_, i) => i !== self);
    const rows = self < 0 ? chunk.rows : chunk.rows.filter((_, i) => i !== self);
    if (ids.length === 0) continue;
    // The best k of the earlier chunks come first, so a stable sort keeps table order on ties.
    best = [...best, ...nearestNeighbours({ ids, features: rows }, query.features, k)]
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, k);
  }
  return { query: id, neighbours: best, galaxies, features: query.features.length };
}
