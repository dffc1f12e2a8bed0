import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { CatalogRow } from '../../src/data/catalog/types.js';
import { DataError } from '../../src/errors.js';
import { loadCatalogCsv } from '../../src/node/catalogFiles.js';
import { combineCatalog } from '../../src/node/combineCatalog.js';
import { writeTableParquet } from '../../src/node/parquetFiles.js';
import { hasSharedData, sharedDataPath } from '../helpers/sharedData.js';
import { tempDirs } from '../helpers/tempDirs.js';

const schema = { labelColumns: ['q_a', 'q_b'] };
const tmp = tempDirs('zoobot-combine-');

/** A 2x2 greyscale PNG whose pixels encode `shade`, so a test can tell which file a path points at. */
function tinyPng(path: string, shade: number): void {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(shade);
  writeFileSync(path, PNG.sync.write(png));
}
const shadeOf = (path: string): number => PNG.sync.read(readFileSync(path)).data[0]!;

const vote = (id: string, a = 1, b = 2): CatalogRow => ({ id_str: id, file_loc: '', counts: [a, b] });

describe('combineCatalog', () => {
  it('should join votes with images by id, report both sides, and write a catalogue whose paths resolve', async () => {
    const dir = tmp();
    const images = join(dir, 'images');
    mkdirSync(join(images, 'J000'), { recursive: true });
    tinyPng(join(images, 'a.png'), 10);
    tinyPng(join(images, 'b.PNG'), 20);
    tinyPng(join(images, 'c.jpg'), 31); // same id as c.png: png is preferred
    tinyPng(join(images, 'c.png'), 30);
    tinyPng(join(images, 'x.png'), 40); // no votes
    tinyPng(join(images, 'J000', 'd.png'), 50); // only found when recursive
    writeFileSync(join(images, 'notes.txt'), 'not an image');
    const output = join(dir, 'out', 'catalogue.csv');
    mkdirSync(join(dir, 'out'));
    const votes = [vote('a', 1, 1), vote('b', 2, 2), vote('c', 3, 3), vote('d', 4, 4), vote('e', 5, 5)];

    const flat = await combineCatalog({ votes, imageDir: images, schema, output });
    expect(flat.rows.map((r) => [r.id_str, r.file_loc, r.counts])).toEqual([
      ['a', join('..', 'images', 'a.png'), [1, 1]],
      ['b', join('..', 'images', 'b.PNG'), [2, 2]],
      ['c', join('..', 'images', 'c.png'), [3, 3]],
    ]);
    expect(flat.missingImages).toEqual(['d', 'e']);
    expect(flat.unmatchedImages).toEqual([join(images, 'x.png')]);
    expect(flat.duplicateImages).toEqual([join(images, 'c.jpg')]);

    // The written catalogue passes the CSV reader's image check, and each path is the right image.
    const back = await loadCatalogCsv(output, { schema, checkImages: true });
    expect(back.rows).toEqual(flat.rows);
    expect(back.rows.map((r) => shadeOf(resolve(dir, 'out', r.file_loc)))).toEqual([10, 20, 30]);

    const deep = await combineCatalog({ votes, imageDir: images, schema, recursive: true, extensions: ['jpg', 'png'] });
    expect(deep.rows.map((r) => [r.id_str, r.file_loc])).toEqual([
      ['a', join(images, 'a.png')], ['b', join(images, 'b.PNG')], ['c', join(images, 'c.jpg')], ['d', join(images, 'J000', 'd.png')],
    ]);
    expect(deep.missingImages).toEqual(['e']);
    expect(deep.duplicateImages).toEqual([join(images, 'c.png')]);
  });

  it('should split ids into matched, missing and unmatched like set intersection and differences', async () => {
    const id = fc.stringMatching(/^[A-Za-z0-9+-][A-Za-z0-9.+-]{0,7}$/);
    await fc.assert(fc.asyncProperty(fc.uniqueArray(id, { maxLength: 8 }), fc.uniqueArray(id, { maxLength: 8 }), async (voteIds, imageIds) => {
      const images = tmp();
      for (const i of imageIds) writeFileSync(join(images, `${i}.jpeg`), '');
      const result = await combineCatalog({ votes: voteIds.map((v) => vote(v)), imageDir: images, schema, write: false });
      const imageSet = new Set(imageIds);
      expect(result.rows.map((r) => r.id_str)).toEqual(voteIds.filter((v) => imageSet.has(v)));
      expect(result.rows.every((r) => r.file_loc === join(images, `${r.id_str}.jpeg`))).toBe(true);
      expect(result.missingImages).toEqual(voteIds.filter((v) => !imageSet.has(v)));
      expect(result.unmatchedImages).toEqual(imageIds.filter((i) => !voteIds.includes(i)).map((i) => join(images, `${i}.jpeg`)).sort());
    }), { numRuns: 20 });
  });

  it('should read a vote file (CSV or Parquet) with its own id column, and pass on its DataErrors', async () => {
    const dir = tmp();
    tinyPng(join(dir, 'g1.png'), 1);
    tinyPng(join(dir, 'g2.png'), 2);
    writeFileSync(join(dir, 'votes.csv'), 'objid,q_a,q_b,ra\ng1,3,4,10.5\ng2,5,6,11\ng3,7,8,12\n');
    await writeTableParquet(join(dir, 'votes.parquet'), [
      { name: 'objid', type: 'STRING' }, { name: 'q_a', type: 'INT32' }, { name: 'q_b', type: 'DOUBLE' }, { name: 'ra', type: 'DOUBLE' },
    ], [{ objid: 'g1', q_a: 3, q_b: 4, ra: 10.5 }, { objid: 'g2', q_a: 5, q_b: 6, ra: 11 }, { objid: 'g3', q_a: 7, q_b: 8, ra: 12 }]);
    for (const file of ['votes.csv', 'votes.parquet']) {
      const result = await combineCatalog({ votes: join(dir, file), idColumn: 'objid', keepColumns: ['ra'], imageDir: dir, schema, write: false });
      expect(result.rows).toEqual([
        { id_str: 'g1', file_loc: join(dir, 'g1.png'), counts: [3, 4], extra: { ra: '10.5' } },
        { id_str: 'g2', file_loc: join(dir, 'g2.png'), counts: [5, 6], extra: { ra: '11' } },
      ]);
      expect(result.missingImages).toEqual(['g3']);
    }
    writeFileSync(join(dir, 'bad.csv'), 'objid,q_a,q_b\ng1,3,-4\n');
    const error = await combineCatalog({ votes: join(dir, 'bad.csv'), idColumn: 'objid', imageDir: dir, schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect([(error as DataError).row, (error as DataError).column]).toEqual([1, 'q_b']);
  });
});

const RINGS = 'gz_decals_rings_images';
describe.skipIf(!hasSharedData(RINGS, 'example_ring_catalog_basic.csv'))('combineCatalog on the real DECaLS ring sample (shared data)', () => {
  it('should match the 100 images present to their catalogue rows and report the other 370 as missing', async () => {
    // The ring catalogue has `iauname`, a binary `ring` label and vote fractions but no counts, so the
    // schema has no label columns and the label is carried as an extra column.
    const catalogue = sharedDataPath(RINGS, 'example_ring_catalog_basic.csv');
    const output = join(tmp(), 'rings.csv');
    const result = await combineCatalog({
      votes: catalogue, idColumn: 'iauname', keepColumns: ['ring'], schema: { labelColumns: [] },
      imageDir: sharedDataPath(RINGS, 'images'), output,
    });
    // Independent reference: per the data README, the images are catalogue rows 0-49 and 235-284.
    const records = parse(readFileSync(catalogue), { columns: true }) as Record<string, string>[];
    const present = [...records.slice(0, 50), ...records.slice(235, 285)];
    expect(result.rows.map((r) => [r.id_str, r.extra?.ring])).toEqual(present.map((r) => [r.iauname, r.ring]));
    expect(result.missingImages).toHaveLength(370);
    expect(result.unmatchedImages).toEqual([]);
    expect(result.duplicateImages).toEqual([]);
    const back = await loadCatalogCsv(output, { schema: { labelColumns: [] }, keepColumns: ['ring'], checkImages: true });
    expect(back.rows).toEqual(result.rows);
  });
});
