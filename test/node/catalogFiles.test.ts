import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decalsDr5Schema, gz2ColumnMap, gz2Schema } from '../../src/decisionTree/index.js';
import { loadCatalogCsv, readCatalogCsv, writeCatalogCsv } from '../../src/node/catalogFiles.js';
import { hasSharedData, sharedDataPath } from '../helpers/sharedData.js';
import { rejection, tempDirs } from '../helpers/tempDirs.js';

const schema = { labelColumns: ['q_a', 'q_b'] };
const tmp = tempDirs('zoobot-catalog-');

describe('readCatalogCsv / writeCatalogCsv', () => {
  it('should round-trip rows through a CSV file, including quoted cells', async () => {
    const dir = tmp();
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== ''), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(500), fc.nat(500)), { minLength: 8, maxLength: 8 }),
      async (ids, counts) => {
        const rows = ids.map((id, i) => ({ id_str: id, file_loc: `im,g/${i}".png`, counts: counts[i]!, extra: { ra: `${i}.5` } }));
        const path = join(dir, 'cat.csv');
        await writeCatalogCsv(path, rows, schema);
        const { rows: back, problems } = await loadCatalogCsv(path, { schema, keepColumns: ['ra'] });
        expect(problems).toEqual([]);
        expect(back).toEqual(rows);
      },
    ), { numRuns: 30 });
    expect(readdirSync(dir)).toEqual(['cat.csv']); // no temporary files left behind
  });

  it('reads gzipped CSV', async () => {
    const path = join(tmp(), 'cat.csv.gz');
    writeFileSync(path, gzipSync('id_str,file_loc,q_a,q_b\ng0,a.png,1,2\ng1,b.png,3,4\n'));
    const rows = [];
    for await (const row of readCatalogCsv(path, { schema })) rows.push(row.counts);
    expect(rows).toEqual([[1, 2], [3, 4]]);
  });

  it('skips bad rows with a report, or throws on the first one', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'present.png'), '');
    const path = join(dir, 'cat.csv');
    writeFileSync(path, 'id_str,file_loc,q_a,q_b\ng0,present.png,1,2\ng1,missing.png,1,2\ng2,present.png,NaN,2\ng0,present.png,1,1\n');
    const { rows, problems } = await loadCatalogCsv(path, { schema, onError: 'skip', checkImages: true });
    expect(rows.map((r) => r.id_str)).toEqual(['g0']);
    expect(problems.map((p) => [p.file, p.row, p.column])).toEqual([[path, 2, 'file_loc'], [path, 3, 'q_a'], [path, 4, 'id_str']]);
    const error = await rejection(loadCatalogCsv(path, { schema, checkImages: true }));
    expect(error.message).toMatch(/row 2, column 'file_loc': galaxy "g1": image not found/);
  });

  it('reports malformed CSV and a missing column as DataErrors naming the file', async () => {
    const dir = tmp();
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'id_str,file_loc,q_a,q_b\ng0,a,1,2\ng1,b,1\n');
    expect((await rejection(loadCatalogCsv(ragged, { schema }))).file).toBe(ragged);
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, 'id_str,file_loc,q_a\ng0,a,1\n');
    const error = await rejection(loadCatalogCsv(missing, { schema }));
    expect([error.row, error.column]).toEqual([0, 'q_b']);
    expect((await rejection(loadCatalogCsv(join(dir, 'absent.csv'), { schema }))).message).toMatch(/cannot read/);
  });
});

const DR5 = ['gz_decals_dr5_votes', 'example_panoptes_predictions.csv'] as const;
describe.skipIf(!hasSharedData(...DR5))('real data: DECaLS DR5 vote counts', () => {
  const columnMap = { subject_id: 'id_str' };

  it('loads all 1,618 galaxies against the DR5 schema', async () => {
    const { rows, problems } = await loadCatalogCsv(sharedDataPath(...DR5), {
      schema: decalsDr5Schema, columnMap, requireFileLoc: false, onError: 'skip',
    });
    expect(problems).toEqual([]);
    expect(rows.length).toBe(1618);
    expect(new Set(rows.map((r) => r.id_str)).size).toBe(1618);
    // README: the merging question used the old answers, so the DR5 ones are never voted for.
    const merger = decalsDr5Schema.labelColumns.indexOf('merging_none');
    expect(rows.every((r) => r.counts[merger] === 0)).toBe(true);
  });

  it('names the missing merging columns when a schema expects other answers', async () => {
    const labelColumns = [...decalsDr5Schema.labelColumns.filter((c) => !c.startsWith('merging_')), 'merging_tidal-debris'];
    const error = await rejection(loadCatalogCsv(sharedDataPath(...DR5), { schema: { labelColumns }, columnMap, requireFileLoc: false }));
    expect(error.column).toBe('merging_tidal-debris');
    expect(error.message).toMatch(/merging_tidal-debris \(file has: merging_merger, merging_tidal-debris-v1/);
  });
});

const GZ2 = ['gz2_stripe82_coadd2', 'table5.csv.gz'] as const;
describe.skipIf(!hasSharedData(...GZ2))('real data: GZ2 Stripe 82 table (gzipped)', () => {
  it('streams all 19,761 galaxies with published column names mapped to the GZ2 schema', async () => {
    const { rows, problems } = await loadCatalogCsv(sharedDataPath(...GZ2), {
      schema: gz2Schema, columnMap: { ...gz2ColumnMap(gz2Schema), objid: 'id_str' }, requireFileLoc: false,
    });
    expect(problems).toEqual([]);
    expect(rows.length).toBe(19761);
    // README (and the paper's table): objid 8647474690312307154 has 10 smooth votes; the id stays exact.
    const first = rows[0]!;
    expect(first.id_str).toBe('8647474690312307154');
    expect(first.counts[gz2Schema.labelColumns.indexOf('smooth-or-featured_smooth')]).toBe(10);
  });
});
