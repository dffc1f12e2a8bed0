import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/errors.js';
import { writeTableParquet } from '../../src/node/parquetFiles.js';
import { findSimilarGalaxies } from '../../src/node/similarGalaxies.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-similar-'));
let fileCount = 0;
const freshPath = (ext: string): string => join(work, `table-${fileCount++}.${ext}`);

/** Writes `id_str, feat_0..` as CSV; String(x) round-trips a double exactly. */
function writeCsv(ids: readonly string[], rows: readonly (readonly number[])[]): string {
  const path = freshPath('csv');
  const d = rows[0]?.length ?? 0;
  const header = ['id_str', ...Array.from({ length: d }, (_, j) => `feat_${j}`)].join(',');
  writeFileSync(path, `${[header, ...rows.map((r, i) => [ids[i], ...r.map(String)].join(','))].join('\n')}\n`);
  return path;
}

/** The same table as Parquet (DOUBLE columns, so values are exact). */
async function writeParquet(ids: readonly string[], rows: readonly (readonly number[])[]): Promise<string> {
  const path = freshPath('parquet');
  const d = rows[0]?.length ?? 0;
  const names = Array.from({ length: d }, (_, j) => `feat_${j}`);
  await writeTableParquet(path, [{ name: 'id_str', type: 'STRING' }, ...names.map((name) => ({ name, type: 'DOUBLE' as const }))],
    rows.map((r, i) => Object.fromEntries([['id_str', ids[i]], ...names.map((n, j) => [n, r[j]])])));
  return path;
}

/** Independent float64 reference: normalise, then dot. */
function cosine(a: readonly number[], b: readonly number[]): number {
  const unit = (v: readonly number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const ub = unit(b);
  return unit(a).reduce((s, x, j) => s + x * (ub[j] as number), 0);
}

const nonZeroRow = (d: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d })
  .filter((v) => Math.hypot(...v) > 1e-3);

describe('findSimilarGalaxies', () => {
  it('should return the brute-force top k of the other galaxies, from CSV and Parquet alike', async () => {
    const tables = fc.integer({ min: 1, max: 5 }).chain((d) => fc.tuple(
      fc.array(nonZeroRow(d), { minLength: 2, maxLength: 15 }), fc.nat(), fc.integer({ min: 1, max: 20 }),
    ));
    await fc.assert(fc.asyncProperty(tables, async ([rows, pick, k]) => {
      const ids = rows.map((_, i) => `g${i}`);
      const q = pick % rows.length;
      const reference = rows.map((r, i) => ({ id: ids[i] as string, similarity: cosine(rows[q] as number[], r) })).filter((_, i) => i !== q);
      const sorted = reference.map((r) => r.similarity).sort((a, b) => b - a);
      for (const path of [writeCsv(ids, rows), await writeParquet(ids, rows)]) {
        const result = await findSimilarGalaxies(path, `g${q}`, { k });
        expect(result).toMatchObject({ query: `g${q}`, galaxies: rows.length, features: rows[0]?.length });
        expect(result.neighbours).toHaveLength(Math.min(k, rows.length - 1));
        result.neighbours.forEach((n, i) => {
          expect(n.id).not.toBe(`g${q}`);
          expect(n.similarity).toBeCloseTo(reference.find((r) => r.id === n.id)?.similarity as number, 10);
          expect(n.similarity).toBeCloseTo(sorted[i] as number, 10);
        });
      }
    }), { numRuns: 20 });
  });

  it('should merge neighbours across streamed chunks and Parquet row groups (12,000 galaxies on a circle)', async () => {
    // Galaxy i points at angle i·φ (φ irrational, lengths vary): cos of the angle difference is the similarity.
    const phi = 2.399963229728653;
    const n = 12_000;
    const rows = Array.from({ length: n }, (_, i) => [(1 + (i % 3)) * Math.cos(i * phi), (1 + (i % 3)) * Math.sin(i * phi)]);
    const ids = rows.map((_, i) => `galaxy-${i}`);
    const q = 10_321; // in the second Parquet row group (10,000 rows each) and the third CSV chunk (4,096 rows each)
    const closedForm = new Map(ids.map((id, i) => [id, Math.cos((i - q) * phi)]));
    const best = [...closedForm].filter(([id]) => id !== `galaxy-${q}`).map(([, s]) => s).sort((a, b) => b - a).slice(0, 7);
    for (const path of [writeCsv(ids, rows), await writeParquet(ids, rows)]) {
      const result = await findSimilarGalaxies(path, `galaxy-${q}`, { k: 7 });
      expect(result.galaxies).toBe(n);
      // Near-equal angles make near-ties, so compare values, and each id's own value, rather than the order of ids.
      result.neighbours.forEach((x, i) => {
        expect(x.similarity).toBeCloseTo(best[i] as number, 9);
        expect(x.similarity).toBeCloseTo(closedForm.get(x.id) as number, 9);
      });
      // The best matches lie on both sides of the chunk boundaries.
      const rowsOf = result.neighbours.map((x) => Number(x.id.slice('galaxy-'.length)));
      expect(rowsOf.some((r) => r < 4096) && rowsOf.some((r) => r >= 10_000)).toBe(true);
    }
  });

  it('should name the file, row and column of a feature that is not a number', async () => {
    const csv = freshPath('csv');
    writeFileSync(csv, 'id_str,feat_0,feat_1\na,1,2\nb,3,oops\nc,1,1\n');
    await expect(findSimilarGalaxies(csv, 'a')).rejects.toMatchObject({ name: 'DataError', file: csv, row: 2, column: 'feat_1' });
    const empty = freshPath('csv');
    writeFileSync(empty, 'id_str,feat_0\na,1\nb,\n');
    await expect(findSimilarGalaxies(empty, 'a')).rejects.toMatchObject({ file: empty, row: 2, column: 'feat_0' });
    const parquet = freshPath('parquet');
    await writeTableParquet(parquet, [{ name: 'id_str', type: 'STRING' }, { name: 'file_loc', type: 'STRING' }, { name: 'feat_0', type: 'DOUBLE' }],
      [{ id_str: 'a', file_loc: 'images/a.png', feat_0: 1 }]);
    await expect(findSimilarGalaxies(parquet, 'a')).rejects.toMatchObject({ name: 'DataError', file: parquet, row: 1, column: 'file_loc' });
  });

  it('should give typed errors for an unknown id, a missing file, a table without id_str, and a bad k', async () => {
    const csv = writeCsv(['a', 'b'], [[1, 0], [0, 1]]);
    const unknown = await findSimilarGalaxies(csv, 'nope').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DataError);
    expect(unknown).toMatchObject({ file: csv, column: 'id_str' });
    expect((unknown as Error).message).toContain('"nope"');
    const parquet = await writeParquet(['a', 'b'], [[1, 0], [0, 1]]);
    await expect(findSimilarGalaxies(parquet, 'nope')).rejects.toMatchObject({ name: 'DataError', file: parquet, column: 'id_str' });
    const missing = join(work, 'missing.parquet');
    await expect(findSimilarGalaxies(missing, 'a')).rejects.toMatchObject({ name: 'DataError', file: missing });
    const noId = freshPath('csv');
    writeFileSync(noId, 'name,feat_0\na,1\n');
    await expect(findSimilarGalaxies(noId, 'a')).rejects.toMatchObject({ file: noId, row: 0, column: 'id_str' });
    await expect(findSimilarGalaxies(csv, 'a', { k: 0 })).rejects.toBeInstanceOf(ConfigError);
  });
});
