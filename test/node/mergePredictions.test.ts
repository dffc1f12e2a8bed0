import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/errors.js';
import { mergePredictions } from '../../src/node/mergePredictions.js';
import { catalogSlice } from '../../src/node/workflows/predictCatalog.js';

const HEADER = 'id_str,smooth_fraction,smooth_std,smooth_asked';
const work = mkdtempSync(join(tmpdir(), 'zoobot-merge-'));
let fileCounter = 0;

function writeCsv(lines: readonly string[]): string {
  const path = join(work, `file-${fileCounter++}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const row = (id: string, i: number) => `${id},${(i / 100).toFixed(2)},0.1,1`;

describe('mergePredictions', () => {
  it('should rebuild the catalogue-ordered table from the slices of any K-way split', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), async (n, k) => {
      const ids = Array.from({ length: n }, (_, i) => `g${(i * 7919) % 1000}-${i}`);
      const full = ids.map(row);
      const catalog = writeCsv(['file_loc,id_str', ...ids.map((id) => `x.png,${id}`)]);
      const slices = Array.from({ length: k }, (_, s) => writeCsv([HEADER, ...catalogSlice(full, k, s)]));
      // Merge in reverse order: the catalogue, not the file order, decides the row order.
      const out = join(work, `merged-${fileCounter++}.csv`);
      const result = await mergePredictions([...slices].reverse(), out, { catalog, numShards: k, expectedCount: n });
      expect(readFileSync(out, 'utf8')).toBe(`${[HEADER, ...full].join('\n')}\n`);
      expect(result.galaxies).toBe(n);
      expect(result.perFile.reduce((a, b) => a + b, 0)).toBe(n);
    }), { numRuns: 20 });
  });

  it('should concatenate slices in the order given without a catalogue, keeping quoted ids', async () => {
    const a = writeCsv([HEADER, row('"a,1"', 1), row('b', 2)]);
    const b = writeCsv([HEADER, row('c', 3)]);
    const out = join(work, 'concat.csv');
    await mergePredictions([b, a], out);
    expect(readFileSync(out, 'utf8')).toBe(`${[HEADER, row('c', 3), row('"a,1"', 1), row('b', 2)].join('\n')}\n`);
  });

  it('should refuse overlapping slices, naming both files and the id, and leave no output behind', async () => {
    const a = writeCsv([HEADER, row('x', 1), row('y', 2)]);
    const b = writeCsv([HEADER, row('z', 3), row('y', 4)]);
    const out = join(work, 'overlap.csv');
    const error = await mergePredictions([a, b], out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain(`id "y" is also in ${a} (row 2)`);
    expect((error as DataError).file).toBe(b);
    expect((error as DataError).row).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).some((f) => f.startsWith('.overlap.csv'))).toBe(false);
  });

  it('should refuse missing slices and galaxies, unknown ids and differing headers', async () => {
    const catalog = writeCsv(['id_str', 'a', 'b', 'c']);
    const ab = writeCsv([HEADER, row('a', 1), row('b', 2)]);
    const c = writeCsv([HEADER, row('c', 3)]);
    const out = join(work, 'refused.csv');
    await expect(mergePredictions([ab], out, { catalog })).rejects.toThrow(/1 galaxies of the catalogue are in no slice \(first: "c"\)/);
    await expect(mergePredictions([ab], out, { numShards: 2 })).rejects.toThrow(/expected 2 slices but got 1 files/);
    await expect(mergePredictions([ab], out, { expectedCount: 3 })).rejects.toThrow(/hold 2 galaxies but 3 were expected/);
    const stranger = writeCsv([HEADER, row('c', 3), row('d', 4)]);
    await expect(mergePredictions([ab, stranger], out, { catalog })).rejects.toThrow(/id "d", which is not in the catalogue/);
    const otherHeader = writeCsv(['id_str,smooth_fraction', 'c,0.1']);
    await expect(mergePredictions([ab, otherHeader], out)).rejects.toThrow(/header differs/);
    const noId = writeCsv(['name,smooth_fraction', 'c,0.1']);
    await expect(mergePredictions([noId], out)).rejects.toThrow(/first column must be id_str/);
    await expect(mergePredictions([], out)).rejects.toThrow(ConfigError);
    await expect(mergePredictions([join(work, 'absent.csv')], out)).rejects.toThrow(/absent\.csv/);
    expect(existsSync(out)).toBe(false);
    await mergePredictions([c, ab], out, { catalog });
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(',')[0])).toEqual(['id_str', 'a', 'b', 'c']);
  });
});
