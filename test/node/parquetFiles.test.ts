import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { DataError } from '../../src/errors.js';
import type { CatalogRow } from '../../src/data/catalog/types.js';
import { loadCatalogCsv, writeCatalogCsv } from '../../src/node/catalogFiles.js';
import {
  loadCatalogParquet, readCatalogParquet, writeCatalogParquet, writePredictionsParquet, writeTableParquet,
} from '../../src/node/parquetFiles.js';
import { predictionColumns, writePredictionsCsv } from '../../src/node/predictionsFile.js';
import { rejection, tempDirs } from '../helpers/tempDirs.js';

const schema = { labelColumns: ['q_a', 'q-b'] };
const tmp = tempDirs('zoobot-parquet-');

/** A Parquet file written directly with hyparquet-writer, as another tool would (tiny row groups). */
function foreignParquet(path: string, columns: Record<string, { data: unknown[]; type: 'STRING' | 'DOUBLE' | 'INT32' | 'INT64' }>, rowGroupSize = 3): void {
  const columnData = Object.entries(columns).map(([name, { data, type }]) => ({ name, data, type }));
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize })));
}

describe('readCatalogParquet / writeCatalogParquet', () => {
  // Ids without surrounding space (the parser trims), counts up to 2^40 to exercise INT64 storage.
  const catalogue = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== ''), { minLength: 0, maxLength: 12 })
    .chain((ids) => fc.tuple(
      fc.constant(ids),
      fc.array(fc.tuple(fc.nat(500), fc.integer({ min: 0, max: 2 ** 40 })), { minLength: ids.length, maxLength: ids.length }),
      fc.array(fc.string({ maxLength: 5 }), { minLength: ids.length, maxLength: ids.length }),
    ))
    .map(([ids, counts, notes]): CatalogRow[] => ids.map((id, i) => ({
      id_str: id, file_loc: `im,g/${i}".png`, counts: counts[i]!, extra: { note: notes[i]! },
    })));

  it('should give the same rows as the CSV reader and as written', async () => {
    const dir = tmp();
    await fc.assert(fc.asyncProperty(catalogue, async (rows) => {
      const csv = join(dir, 'cat.csv');
      const parquet = join(dir, 'cat.parquet');
      await writeCatalogCsv(csv, rows, schema);
      await writeCatalogParquet(parquet, rows, schema);
      const options = { schema, keepColumns: rows.length > 0 ? ['note'] : [] };
      const fromCsv = await loadCatalogCsv(csv, options);
      const fromParquet = await loadCatalogParquet(parquet, options);
      expect(fromParquet.problems).toEqual([]);
      expect(fromParquet.rows).toEqual(fromCsv.rows);
      expect(fromParquet.rows).toEqual(rows);
    }), { numRuns: 25 });
    expect(readdirSync(dir).sort()).toEqual(['cat.csv', 'cat.parquet']); // no temporary files left behind
  });

  it('should stream a catalogue spanning several row groups in order', async () => {
    const path = join(tmp(), 'big.parquet');
    const n = 25_003; // three row groups of the writer's 10,000 rows
    const rows = Array.from({ length: n }, (_, i): CatalogRow => ({ id_str: `g${i}`, file_loc: `${i}.png`, counts: [i % 7, i % 11] }));
    await writeCatalogParquet(path, rows, schema);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    expect(metadata.row_groups.length).toBe(3);
    const counts: number[][] = [];
    for await (const row of readCatalogParquet(path, { schema })) counts.push([...row.counts]);
    expect(counts).toEqual(rows.map((r) => r.counts));
  });

  it('should read files written by other tools: float, int32 and text counts, renamed columns', async () => {
    const path = join(tmp(), 'foreign.parquet');
    foreignParquet(path, {
      iauname: { data: ['a', 'b', 'c', 'd'], type: 'STRING' },
      q_a: { data: [1, 2.0, 3, 40], type: 'DOUBLE' },
      'q-b': { data: [5, 6, 7, 8], type: 'INT32' },
      ra: { data: [0.25, 1.5, 2, 3], type: 'DOUBLE' },
    });
    const { rows } = await loadCatalogParquet(path, { schema, requireFileLoc: false, columnMap: { iauname: 'id_str' }, keepColumns: ['ra'] });
    expect(rows).toEqual([
      { id_str: 'a', file_loc: '', counts: [1, 5], extra: { ra: '0.25' } },
      { id_str: 'b', file_loc: '', counts: [2, 6], extra: { ra: '1.5' } },
      { id_str: 'c', file_loc: '', counts: [3, 7], extra: { ra: '2' } },
      { id_str: 'd', file_loc: '', counts: [40, 8], extra: { ra: '3' } },
    ]);
  });

  it.each([
    ['a negative count', -2, 'negative'],
    ['a fractional count', 2.5, 'not a whole number'],
    ['a missing count', null, 'empty'],
    ['a NaN count', Number.NaN, 'not a finite number'],
  ])('should name the file, row and column of %s (past the first row group)', async (_name, bad, message) => {
    const path = join(tmp(), 'bad.parquet');
    const counts = [1, 2, 3, 4, 5, bad, 7];
    foreignParquet(path, {
      id_str: { data: counts.map((_, i) => `g${i}`), type: 'STRING' },
      file_loc: { data: counts.map((_, i) => `${i}.png`), type: 'STRING' },
      q_a: { data: counts.map(() => 1), type: 'INT32' },
      'q-b': { data: counts, type: 'DOUBLE' },
    });
    const error = await rejection(loadCatalogParquet(path, { schema }));
    expect([error.file, error.row, error.column]).toEqual([path, 6, 'q-b']);
    expect(error.message).toContain(message);
    const skipped = await loadCatalogParquet(path, { schema, onError: 'skip' });
    expect(skipped.rows.map((r) => r.id_str)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g6']);
    expect(skipped.problems.map((p) => p.row)).toEqual([6]);
  });

  it('should report missing columns at row 0 before reading rows', async () => {
    const path = join(tmp(), 'cols.parquet');
    foreignParquet(path, { id_str: { data: ['a'], type: 'STRING' }, q_a: { data: [1], type: 'INT32' } });
    const error = await rejection(loadCatalogParquet(path, { schema }));
    expect([error.file, error.row, error.column]).toEqual([path, 0, 'file_loc']);
    expect(error.message).toContain('q-b');
  });

  it('should give a DataError naming the file for a truncated or missing file', async () => {
    const dir = tmp();
    const path = join(dir, 'cut.parquet');
    await writeCatalogParquet(path, [{ id_str: 'a', file_loc: 'a.png', counts: [1, 2] }], schema);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    const cut = await rejection(loadCatalogParquet(path, { schema }));
    expect(cut.file).toBe(path);
    expect(cut.message).toContain(path);
    const missing = await rejection(loadCatalogParquet(join(dir, 'nope.parquet'), { schema }));
    expect(missing.file).toBe(join(dir, 'nope.parquet'));
  });

  it('should check images relative to the file when asked', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'here.png'), '');
    const path = join(dir, 'imgs.parquet');
    await writeCatalogParquet(path, [
      { id_str: 'a', file_loc: 'here.png', counts: [1, 2] },
      { id_str: 'b', file_loc: 'gone.png', counts: [1, 2] },
    ], schema);
    const { rows, problems } = await loadCatalogParquet(path, { schema, checkImages: true, onError: 'skip' });
    expect(rows.map((r) => r.id_str)).toEqual(['a']);
    expect(problems.map((p) => [p.row, p.column])).toEqual([[2, 'file_loc']]);
  });
});

describe('writeTableParquet', () => {
  it('should write typed columns that read back equal, with nulls, from any (async) iterable', async () => {
    const path = join(tmp(), 'table.parquet');
    async function* rows() {
      yield { name: 'x', value: 0.125, n: 3n };
      yield { name: 'y', value: null, n: 2n ** 40n };
    }
    const count = await writeTableParquet(path, [{ name: 'name', type: 'STRING' }, { name: 'value', type: 'DOUBLE' }, { name: 'n', type: 'INT64' }], rows());
    expect(count).toBe(2);
    const back = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
    expect(back).toEqual([{ name: 'x', value: 0.125, n: 3n }, { name: 'y', value: null, n: 2n ** 40n }]);
  });

  it('should leave the previous file untouched and no temporary file when a write fails', async () => {
    const dir = tmp();
    const path = join(dir, 't.parquet');
    const columns = [{ name: 'n', type: 'INT32' as const }];
    await writeTableParquet(path, columns, [{ n: 1 }]);
    const before = readFileSync(path);
    async function* rows() {
      for (let i = 0; i < 25_000; i += 1) yield { n: i };
      throw new Error('source failed');
    }
    await expect(writeTableParquet(path, columns, rows())).rejects.toThrow('source failed');
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['t.parquet']);
  });
});

describe('writePredictionsParquet', () => {
  const tree = defineSchema({ q: ['_a', '_b'], r: ['_x', '_y', '_z'] }, { q: null, r: 'q_b' });

  it('should write the predictions CSV columns with the same values, and mean fractions equal to the mixture mean', async () => {
    const dir = tmp();
    const passes = 3;
    const answers = tree.answerCount;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.float({ min: Math.fround(0.5), max: Math.fround(100), noNaN: true }), { minLength: 2 * passes * answers, maxLength: 2 * passes * answers }),
      async (alphas) => {
        const batch = { ids: ['g,0', 'g1'], concentrations: Float32Array.from(alphas), labels: new Float32Array(2 * answers), passes, answers };
        async function* batches() { yield batch; }
        const parquet = join(dir, 'p.parquet');
        const csv = join(dir, 'p.csv');
        expect(await writePredictionsParquet(parquet, tree, batches())).toBe(2);
        await writePredictionsCsv(csv, tree, batches());
        const rows = await parquetReadObjects({ file: await asyncBufferFromFile(parquet) });
        const columns = predictionColumns(tree);
        expect(Object.keys(rows[0]!)).toEqual(columns);
        // Same numbers as the CSV writer (which prints 6 significant digits).
        const csvRows = (await loadCsvCells(csv)).slice(1);
        rows.forEach((row, g) => columns.slice(1).forEach((column, k) => {
          expect(Math.abs(Number(row[column]) - Number(csvRows[g]![k + 1]))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(Number(row[column]))));
        }));
        // Independent float64 reference: the mean over passes of alpha_i / sum of the question's alphas.
        const c = Array.from(batch.concentrations);
        rows.forEach((row, g) => {
          const groups = [['q_a', 0, 2], ['q_b', 0, 2], ['r_x', 2, 5], ['r_y', 2, 5], ['r_z', 2, 5]] as const;
          groups.forEach(([column, start, end]) => {
            const i = tree.labelColumns.indexOf(column);
            let mean = 0;
            for (let p = 0; p < passes; p += 1) {
              const base = (g * passes + p) * answers;
              let total = 0;
              for (let j = start; j < end; j += 1) total += c[base + j]!;
              mean += c[base + i]! / total / passes;
            }
            expect(row[`${column}_fraction`]).toBeCloseTo(mean, 10);
          });
        });
      },
    ), { numRuns: 10 });
  });
});

async function loadCsvCells(path: string): Promise<string[][]> {
  const { parse } = await import('csv-parse/sync');
  return parse(readFileSync(path)) as string[][];
}
