import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCatalog, type ParseCatalogOptions } from '../../../src/data/catalog/parse.js';
import { DataError } from '../../../src/errors.js';

const schema = { labelColumns: ['q_a', 'q_b'] };
const HEADER = ['id_str', 'file_loc', 'q_a', 'q_b', 'ra'];

async function collect(records: string[][], options: ParseCatalogOptions = {}, columns = HEADER) {
  const rows = [];
  for await (const row of parseCatalog({ columns, records, file: 'cat.csv' }, schema, options)) rows.push(row);
  return rows;
}

async function rejection(promise: Promise<unknown>): Promise<DataError> {
  try { await promise; } catch (error) { if (error instanceof DataError) return error; throw error; }
  throw new Error('expected a DataError');
}

describe('parseCatalog', () => {
  it('should return the typed counts of valid rows', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { maxLength: 20 }),
      async (counts) => {
        const records = counts.map(([a, b], i) => [`g${i}`, `img/${i}.png`, String(a), `${b}.0`, '1.5']);
        const rows = await collect(records, { keepColumns: ['ra'] });
        expect(rows.map((r) => r.counts)).toEqual(counts);
        expect(rows.map((r) => r.id_str)).toEqual(counts.map((_, i) => `g${i}`));
        expect(rows.every((r) => r.extra?.ra === '1.5')).toBe(true);
      },
    ));
  });

  it.each([
    ['-1', /negative/],
    ['NaN', /not a finite number/],
    ['', /empty/],
    ['2.5', /not a whole number/],
    ['abc', /not a finite number/],
  ])('rejects the count "%s" naming file, row and column', async (cell, message) => {
    const error = await rejection(collect([['g0', 'a.png', '1', '2', '0'], ['g1', 'b.png', '3', cell, '0']]));
    expect(error.message).toMatch(message);
    expect({ file: error.file, row: error.row, column: error.column }).toEqual({ file: 'cat.csv', row: 2, column: 'q_b' });
  });

  it('rejects a missing column in the header, listing it', async () => {
    const error = await rejection(collect([], {}, ['id_str', 'file_loc', 'q_a', 'q_c']));
    expect(error.row).toBe(0);
    expect(error.column).toBe('q_b');
    expect(error.message).toMatch(/q_b \(file has: q_a, q_c\)/);
  });

  it('rejects a duplicate id, naming the first row', async () => {
    const error = await rejection(collect([['g0', 'a', '1', '1', '0'], ['g0', 'b', '1', '1', '0']]));
    expect(error.message).toMatch(/duplicate id "g0" \(first seen in row 1\)/);
    expect(error.row).toBe(2);
  });

  it('rejects an empty image path unless images are optional, and missing images when checked', async () => {
    expect((await rejection(collect([['g0', '', '1', '1', '0']]))).column).toBe('file_loc');
    expect(await collect([['g0', '', '1', '1', '0']], { requireFileLoc: false })).toHaveLength(1);
    const error = await rejection(collect([['g0', 'gone.png', '1', '1', '0']], { imageExists: () => false }));
    expect(error.message).toMatch(/image not found: gone.png/);
  });

  it('skips bad rows with a report when asked', async () => {
    const problems: DataError[] = [];
    const rows = await collect([
      ['g0', 'a', '1', '1', '0'],
      ['g1', 'b', '-1', '1', '0'],
      ['g0', 'c', '1', '1', '0'],
      ['g2', 'd', '4', '5', '0'],
    ], { onError: 'skip', onProblem: (e) => problems.push(e) });
    expect(rows.map((r) => r.id_str)).toEqual(['g0', 'g2']);
    expect(problems.map((p) => [p.row, p.column])).toEqual([[2, 'q_a'], [3, 'id_str']]);
  });

  it('renames columns with columnMap', async () => {
    const rows = await collect([['7', '1', '2']], { columnMap: { subject_id: 'id_str' }, requireFileLoc: false },
      ['subject_id', 'q_a', 'q_b']);
    expect(rows[0]).toEqual({ id_str: '7', file_loc: '', counts: [1, 2] });
  });
});
