import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { nearestNeighbours } from '../../src/metrics/nearestNeighbours.js';

/** Independent float64 reference: normalise both vectors, then take their dot product. */
function cosine(a: readonly number[], b: readonly number[]): number {
  const unit = (v: readonly number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const ua = unit(a);
  const ub = unit(b);
  return ua.reduce((s, x, j) => s + x * (ub[j] as number), 0);
}

const nonZeroRow = (d: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d })
  .filter((v) => Math.hypot(...v) > 1e-3);
const tables = fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(
  fc.array(nonZeroRow(d), { minLength: 2, maxLength: 20 }), nonZeroRow(d), fc.integer({ min: 1, max: 25 }),
));

describe('nearestNeighbours', () => {
  it('returns the brute-force top k for vector queries, highest first (flat and nested tables agree)', () => {
    fc.assert(fc.property(tables, ([rows, query, k]) => {
      const ids = rows.map((_, i) => `g${i}`);
      const reference = rows.map((r) => cosine(query, r));
      const got = nearestNeighbours({ ids, features: rows }, query, k);
      expect(got).toHaveLength(Math.min(k, rows.length));
      const sorted = [...reference].sort((a, b) => b - a);
      got.forEach((n, i) => {
        expect(n.similarity).toBeCloseTo(reference[ids.indexOf(n.id)] as number, 10);
        expect(n.similarity).toBeCloseTo(sorted[i] as number, 10);
      });
      const flat = nearestNeighbours({ ids, features: Float32Array.from(rows.flat()) }, Float32Array.from(query), k);
      flat.forEach((n, i) => expect(n.similarity).toBeCloseTo(sorted[i] as number, 5));
    }));
  });

  it('leaves an id query out of its own neighbours unless asked not to', () => {
    fc.assert(fc.property(tables, ([rows, , k]) => {
      const ids = rows.map((_, i) => `g${i}`);
      const excluded = nearestNeighbours({ ids, features: rows }, 'g0', k);
      expect(excluded.map((n) => n.id)).not.toContain('g0');
      expect(excluded).toHaveLength(Math.min(k, rows.length - 1));
      const reference = rows.slice(1).map((r) => cosine(rows[0] as number[], r)).sort((a, b) => b - a);
      excluded.forEach((n, i) => expect(n.similarity).toBeCloseTo(reference[i] as number, 10));
      const included = nearestNeighbours({ ids, features: rows }, 'g0', k, { excludeSelf: false });
      expect(included[0]?.similarity).toBeCloseTo(1, 12);
    }));
  });

  it('keeps table order among ties and scales do not matter', () => {
    const got = nearestNeighbours({ ids: ['a', 'b', 'c', 'd'], features: [[0, 1], [2, 0], [1, 0], [-1, 0]] }, [5, 0], 4);
    expect(got.map((n) => n.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(got.map((n) => n.similarity)).toEqual([1, 1, 0, -1]);
  });

  it('throws typed errors naming the culprit', () => {
    const table = { ids: ['a', 'b'], features: [[1, 0], [0, 0]] };
    expect(() => nearestNeighbours(table, 'zz', 1)).toThrow(ConfigError);
    expect(() => nearestNeighbours(table, 'zz', 1)).toThrow(/"zz"/);
    expect(() => nearestNeighbours(table, [1, 0, 0], 1)).toThrow(ShapeError);
    expect(() => nearestNeighbours(table, [0, 0], 1)).toThrow(DataError);
    expect(() => nearestNeighbours(table, 'a', 1)).toThrow(/"b" has a zero/);
    expect(() => nearestNeighbours(table, 'a', 0)).toThrow(ConfigError);
    expect(() => nearestNeighbours({ ids: ['a'], features: new Float32Array(3) }, [1, 0, 0], 1)).toThrow(DataError);
    expect(() => nearestNeighbours({ ids: ['a', 'b'], features: new Float32Array(3) }, [1], 1)).toThrow(ShapeError);
  });
});
