import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRow } from '../../src/data/catalog/types.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { catalogFromPostgres, type PostgresCatalogOptions } from '../../src/node/postgres.js';

/**
 * A real PostgreSQL server: start one with `eval "$(scripts/postgres-test-server.sh)"`, which
 * exports ZOOBOT_PG_URL. Without it the server tests are skipped.
 */
const URL = process.env.ZOOBOT_PG_URL;
if (!URL) console.warn('postgres.test.ts: ZOOBOT_PG_URL is unset, skipping the PostgreSQL tests (run scripts/postgres-test-server.sh)');

const labels = ['smooth-or-featured_smooth', 'smooth-or-featured_featured-or-disk'];
const schema = { labelColumns: labels };
// A table name of our own, so parallel runs on one server do not collide.
const table = `zoobot_galaxies_${process.pid}_${Math.floor(Math.random() * 1e9)}`;

async function collect(query: string, options: Omit<PostgresCatalogOptions, 'connection' | 'schema'> & Partial<PostgresCatalogOptions> = {}): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  for await (const row of catalogFromPostgres(query, { connection: URL!, schema, ...options })) rows.push(row);
  return rows;
}

async function rejection(promise: Promise<unknown>): Promise<DataError> {
  try { await promise; } catch (error) { if (error instanceof DataError) return error; throw error; }
  throw new Error('expected a DataError');
}

describe('catalogFromPostgres (no server needed)', () => {
  it('should reject a batch size that is not a positive integer', async () => {
    await expect(collect('SELECT 1', { connection: 'postgresql://127.0.0.1:1/none', batchSize: 0 })).rejects.toThrow(ConfigError);
    await expect(collect('SELECT 1', { connection: 'postgresql://127.0.0.1:1/none', batchSize: 2.5 })).rejects.toThrow(/batchSize/);
  });
});

describe.skipIf(!URL)('catalogFromPostgres against a real PostgreSQL server (ZOOBOT_PG_URL)', () => {
  const admin = new pg.Client({ connectionString: URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (
      id_str text, file_loc text, "${labels[0]}" integer, "${labels[1]}" bigint, ra double precision, pos serial)`);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await admin.end();
  });

  async function fill(rows: readonly CatalogRow[], ra: (i: number) => number = (i) => i + 0.25): Promise<void> {
    await admin.query(`TRUNCATE ${table} RESTART IDENTITY`);
    for (const [i, row] of rows.entries()) {
      await admin.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5)`, [row.id_str, row.file_loc, row.counts[0], row.counts[1], ra(i)]);
    }
  }

  it('should stream the inserted galaxies back in order for any batch size', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== '' && !s.includes('\0')), { minLength: 0, maxLength: 9 }),
      fc.array(fc.tuple(fc.nat(2 ** 31 - 1), fc.integer({ min: 0, max: 2 ** 45 })), { minLength: 9, maxLength: 9 }),
      fc.integer({ min: 1, max: 4 }),
      async (ids, counts, batchSize) => {
        const rows = ids.map((id, i): CatalogRow => ({ id_str: id, file_loc: `images/${i}.png`, counts: counts[i]!, extra: { ra: String(i + 0.25) } }));
        await fill(rows);
        const back = await collect(`SELECT * FROM ${table} ORDER BY pos`, { batchSize, keepColumns: ['ra'] });
        expect(back).toEqual(rows);
      },
    ), { numRuns: 15 });
  });

  it('should stream through a cursor: the first rows of a two-billion-row query arrive at once', async () => {
    // A set-returning function in the select list is evaluated lazily, so only a cursor can return
    // early; fetching it whole would run into the statement timeout (a failure, not a hang).
    const connection = { connectionString: URL, options: '-c statement_timeout=20000' };
    const query = `SELECT 'g' || n AS id_str, n || '.png' AS file_loc, n AS "${labels[0]}", 0 AS "${labels[1]}"
      FROM (SELECT generate_series(1, 2000000000) AS n) AS s`;
    const ids: string[] = [];
    for await (const row of catalogFromPostgres(query, { connection, schema, batchSize: 4 })) {
      ids.push(row.id_str);
      if (ids.length === 10) break;
    }
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `g${i + 1}`));
  });

  it('should read counts stored as numeric, float or text, rename columns, and accept a trailing semicolon', async () => {
    const rows = await collect(`SELECT 'g' || n AS iauname, (n * 2)::numeric AS "${labels[0]}", (n + 0.0)::float8 AS "${labels[1]}"
      FROM generate_series(1, 5) AS n UNION ALL SELECT 'g9', 7.000, '8'::text::float4 ORDER BY 1;\n`, {
      batchSize: 2, requireFileLoc: false, columnMap: { iauname: 'id_str' },
    });
    expect(rows.map((r) => [r.id_str, ...r.counts])).toEqual([['g1', 2, 1], ['g2', 4, 2], ['g3', 6, 3], ['g4', 8, 4], ['g5', 10, 5], ['g9', 7, 8]]);
  });

  it('should give a DataError naming the query, row and column of a negative count', async () => {
    await fill(Array.from({ length: 7 }, (_, i): CatalogRow => ({ id_str: `g${i}`, file_loc: `${i}.png`, counts: [1, i === 5 ? -3 : i] })));
    const query = `SELECT * FROM ${table} ORDER BY pos`;
    const error = await rejection(collect(query, { batchSize: 2 }));
    expect(error.file).toContain(query);
    expect([error.row, error.column]).toEqual([6, labels[1]]);
    expect(error.message).toMatch(/negative/);
    const withLabel = await rejection(collect(query, { batchSize: 2, label: 'votes table' }));
    expect(withLabel.file).toBe('votes table');
    const skipped: DataError[] = [];
    const good = await collect(query, { batchSize: 2, onError: 'skip', onProblem: (e) => skipped.push(e) });
    expect(good.map((r) => r.id_str)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g6']);
    expect(skipped.map((e) => e.row)).toEqual([6]);
  });

  it('should name missing columns at row 0 and report SQL errors naming the query', async () => {
    const missing = await rejection(collect(`SELECT id_str, file_loc FROM ${table}`));
    expect([missing.row, missing.column]).toEqual([0, labels[0]]);
    const bad = await rejection(collect('SELECT * FROM no_such_table_zoobot'));
    expect(bad.file).toContain('no_such_table_zoobot');
    expect(bad.message).toMatch(/does not exist/);
    const unreachable = await rejection(collect('SELECT 1', { connection: 'postgresql://postgres@127.0.0.1:1/postgres' }));
    expect(unreachable.file).toBe('postgres: SELECT 1');
  });

  it('should run read-only and close its connection when the consumer stops early', async () => {
    await fill(Array.from({ length: 6 }, (_, i): CatalogRow => ({ id_str: `g${i}`, file_loc: `${i}.png`, counts: [i, i] })));
    const app = `zoobot-test-${process.pid}`;
    const connection = { connectionString: URL, application_name: app };
    const seen: string[] = [];
    for await (const row of catalogFromPostgres(`SELECT * FROM ${table} ORDER BY pos`, { connection, schema, batchSize: 2 })) {
      seen.push(row.id_str);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['g0', 'g1', 'g2']);
    // The server ends the backend shortly after the client disconnects: poll (bounded) for it to go.
    let open = -1;
    for (let tries = 0; tries < 100 && open !== 0; tries += 1) {
      const result = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
      open = Number(result.rows[0]?.n);
      if (open !== 0) await new Promise((done) => setTimeout(done, 20));
    }
    expect(open).toBe(0);
    const write = await rejection(collect(`WITH x AS (DELETE FROM ${table} RETURNING *) SELECT * FROM x`));
    expect(write.message).toMatch(/read-only|DELETE/i);
  });
});
