import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCatalog } from '../../../src/data/split.js';
import { ConfigError, DataError } from '../../../src/errors.js';

const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id_str: `g${i}`, stratum: i % 3 === 0 ? 'a' : 'b' }));
const fractionsArb = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 })
  .filter((w) => w.some((x) => x > 0))
  .map((w) => { const s = w.reduce((a, b) => a + b, 0); return w.map((x) => x / s); });

describe('splitCatalog', () => {
  it('should put every galaxy in exactly one split', () => {
    fc.assert(fc.property(fc.nat(300), fractionsArb, fc.integer(), (n, fractions, seed) => {
      const splits = splitCatalog(rowsOf(n), { fractions, seed });
      const ids = splits.flat().map((r) => r.id_str);
      expect(ids.length).toBe(n);
      expect(new Set(ids).size).toBe(n);
    }));
  });

  it('should give split sizes within 1 of fraction * n', () => {
    fc.assert(fc.property(fc.nat(300), fractionsArb, fc.integer(), (n, fractions, seed) => {
      splitCatalog(rowsOf(n), { fractions, seed }).forEach((split, j) => {
        expect(Math.abs(split.length - fractions[j]! * n)).toBeLessThanOrEqual(1 + 1e-9);
      });
    }));
  });

  it('should be reproducible and independent of row order', () => {
    const permuted = fc.nat(200).chain((n) => fc.shuffledSubarray(rowsOf(n), { minLength: n, maxLength: n }));
    fc.assert(fc.property(permuted, fc.integer(), (shuffled, seed) => {
      const rows = rowsOf(shuffled.length);
      const ids = (r: typeof rows) => splitCatalog(r, { fractions: [0.7, 0.2, 0.1], seed }).map((s) => s.map((x) => x.id_str).sort());
      expect(ids(shuffled)).toEqual(ids(rows));
    }));
  });

  it('should change with the seed', () => {
    const a = splitCatalog(rowsOf(100), { fractions: [0.5, 0.5], seed: 1 })[0]!.map((r) => r.id_str).sort();
    const b = splitCatalog(rowsOf(100), { fractions: [0.5, 0.5], seed: 2 })[0]!.map((r) => r.id_str).sort();
    expect(a).not.toEqual(b);
  });

  it('should spread each stratum in the requested fractions when stratified', () => {
    fc.assert(fc.property(fc.nat(300), fractionsArb, fc.integer(), (n, fractions, seed) => {
      const rows = rowsOf(n);
      const splits = splitCatalog(rows, { fractions, seed, stratifyBy: (r) => r.stratum });
      for (const stratum of ['a', 'b']) {
        const size = rows.filter((r) => r.stratum === stratum).length;
        splits.forEach((split, j) => {
          const got = split.filter((r) => r.stratum === stratum).length;
          expect(Math.abs(got - fractions[j]! * size)).toBeLessThanOrEqual(2 + 1e-9);
        });
      }
    }));
  });

  it('rejects bad fractions and duplicate ids', () => {
    expect(() => splitCatalog(rowsOf(3), { fractions: [0.5, 0.6] })).toThrow(ConfigError);
    expect(() => splitCatalog(rowsOf(3), { fractions: [-0.5, 1.5] })).toThrow(ConfigError);
    expect(() => splitCatalog([{ id_str: 'x' }, { id_str: 'x' }], { fractions: [1] })).toThrow(DataError);
  });
});
