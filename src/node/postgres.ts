/**
 * Galaxy catalogues straight from PostgreSQL: a query's rows are streamed through a server-side
 * cursor, a batch at a time, and validated with the same parser as CSV catalogues. `pg` is an
 * optional peer dependency, loaded only when this is called.
 *
 * @module node/postgres
 */
import type { Client, ClientConfig, QueryArrayResult } from 'pg';
import { ConfigError, DataError } from '../errors.js';
import { parseCatalog, type ParseCatalogOptions } from '../data/catalog/parse.js';
import type { CatalogRow, CatalogSchema } from '../data/catalog/types.js';

/** Options of {@link catalogFromPostgres}. */
export interface PostgresCatalogOptions extends Omit<ParseCatalogOptions, 'imageExists'> {
  /** A `pg` client configuration or a connection string (`postgresql://user@host:port/db`). */
  readonly connection: ClientConfig | string;
  /** Label columns to read; a decision-tree `Schema` fits. */
  readonly schema: CatalogSchema;
  /** Rows fetched per round trip. @defaultValue 1000 */
  readonly batchSize?: number;
  /** Name of the source in error messages. @defaultValue `postgres: <the query>` */
  readonly label?: string;
}

/** The cursor is private to our own connection, so a fixed name cannot clash. */
const CURSOR = 'zoobot_catalog_cursor';

/** Loads `pg` on first use, with an install hint when it is missing. */
async function loadPg(): Promise<typeof import('pg')> {
  try {
    const module = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
    // pg is CommonJS: under ESM its exports sit on `default`.
    return module.default ?? module;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigError("catalogFromPostgres needs the optional peer dependency 'pg': npm install pg", { cause: error });
  }
}

/** Every value as PostgreSQL's own text, so counts stored as int8, numeric or float parse alike. */
const textTypes = { getTypeParser: () => (text: string) => text };

/** Runs a driver call, turning connection and SQL failures into DataErrors naming the source. */
async function onServer<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read catalogue from PostgreSQL: ${(error as Error).message}`, { file: label }, { cause: error });
  }
}

/** Fetches the next `batchSize` rows of the open cursor, every cell as text or null. */
function fetchBatch(client: Client, batchSize: number, label: string): Promise<QueryArrayResult<(string | null)[]>> {
  return onServer(label, () => client.query<(string | null)[]>({
    text: `FETCH FORWARD ${batchSize} FROM ${CURSOR}`, rowMode: 'array', types: textTypes,
  }));
}

/** Streams the cursor's rows (null cells as empty) from `first` on, one batch per round trip. */
async function* cursorRecords(
  client: Client, batchSize: number, label: string, first: QueryArrayResult<(string | null)[]>,
): AsyncGenerator<string[]> {
  for (let batch = first; ; batch = await fetchBatch(client, batchSize, label)) {
    for (const row of batch.rows) yield row.map((cell) => cell ?? '');
    if (batch.rows.length < batchSize) return;
  }
}

/**
 * Reads a catalogue from a PostgreSQL query as a stream of validated rows. The query runs in a
 * read-only transaction behind a server-side cursor (`DECLARE ... CURSOR` / `FETCH n`), so only
 * `batchSize` rows are held at a time. Cells are read as PostgreSQL text, so counts may be stored
 * as any integer, numeric or float type; quote hyphenated column names (`"smooth-or-featured_smooth"`).
 *
 * @param query - a SELECT (or any statement a cursor accepts), without parameters.
 * @param options - connection, schema, batch size, column renaming and error policy.
 * @returns an async generator of {@link CatalogRow}s in query order. Stopping early closes the cursor
 * and the connection.
 * @throws ConfigError when `pg` is not installed or `batchSize` is not a positive integer.
 * @throws DataError naming the query (or `label`), one-based row and column of a bad value, or the
 * query alone when the server cannot be reached or rejects the query.
 * @example
 * for await (const row of catalogFromPostgres('SELECT * FROM gz_votes', { connection: process.env.DATABASE_URL!, schema: decalsDr5Schema, requireFileLoc: false })) ...
 */
export async function* catalogFromPostgres(query: string, options: PostgresCatalogOptions): AsyncGenerator<CatalogRow> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ConfigError(`catalogFromPostgres: batchSize must be a positive integer, got ${batchSize}`);
  }
  // A trailing semicolon is natural in SQL but not allowed inside DECLARE ... CURSOR FOR.
  const statement = query.trim().replace(/;+\s*$/, '');
  const label = options.label ?? `postgres: ${statement.replace(/\s+/g, ' ')}`;
  const pg = await loadPg();
  const config = typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
  const client = new pg.Client(config);
  // A connection lost between fetches is reported by the next FETCH; without a listener the
  // client's 'error' event would crash the process instead.
  client.on('error', () => undefined);
  let connected = false;
  try {
    const first = await onServer(label, async () => {
      await client.connect();
      connected = true;
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${statement}`);
      // The first FETCH also brings the column names, even when it has no rows.
      return fetchBatch(client, batchSize, label);
    });
    const columns = first.fields.map((field) => field.name);
    const records = cursorRecords(client, batchSize, label, first);
    yield* parseCatalog({ columns, records, file: label }, options.schema, options);
  } finally {
    // Ending the connection also rolls back the read-only transaction and drops the cursor.
    if (connected) await client.end().catch(() => undefined);
  }
}
