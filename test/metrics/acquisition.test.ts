import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { acquire, acquisitionScores, galaxyBald, type PoolItem } from '../../src/metrics/index.js';

const schema = defineSchema({ sf: ['_s', '_f'], arms: ['_1', '_2', '_3'] }, { sf: null, arms: 'sf_f' }, { name: 'mini' });
const passes = 2;

const agree: PoolItem = { id: 'agree', passes, concentrations: [10, 10, 5, 5, 5, 10, 10, 5, 5, 5] };
const disagree: PoolItem = { id: 'disagree', passes, concentrations: [40, 2, 5, 5, 5, 2, 40, 5, 5, 5] };
const confident: PoolItem = { id: 'confident', passes, concentrations: [90, 2, 1, 1, 1, 90, 2, 1, 1, 1] };
const pool = [agree, disagree, confident];

const itemArb = (id: number) => fc.array(fc.double({ min: 0.5, max: 60, noNaN: true }), { minLength: 10, maxLength: 10 })
  .map((concentrations): PoolItem => ({ id: `g${id}`, passes, concentrations }));
const poolArb = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => itemArb(i))));

describe('acquire', () => {
  it('should rank the galaxy whose passes disagree first by BALD', () => {
    const picked = acquire(pool, 2, { schema, acquisition: 'bald', totalVotes: 20 });
    expect(picked.map((p) => p.id)[0]).toBe('disagree');
    expect(acquire([agree], 1, { schema })[0]!.score).toBe(0); // identical passes: no information
  });

  it('should return the top k scores in descending order, ids matching the pool', () => {
    fc.assert(fc.property(poolArb, fc.nat(10), fc.constantFrom('bald', 'entropy', 'margin', 'random' as const), (items, k, acquisition) => {
      const options = { schema, acquisition, totalVotes: 10, seed: 3 };
      const scores = acquisitionScores(items, options);
      const picked = acquire(items, k, options);
      expect(picked.length).toBe(Math.min(k, items.length));
      const sorted = [...scores].sort((a, b) => b - a);
      picked.forEach((p, i) => {
        expect(p.score).toBe(sorted[i]);
        expect(scores[items.findIndex((item) => item.id === p.id)]).toBe(p.score);
      });
    }), { numRuns: 25 });
  });

  it('should score BALD and entropy as galaxyBald does', () => {
    const scores = acquisitionScores(pool, { schema, acquisition: 'bald', totalVotes: 30 });
    const entropies = acquisitionScores(pool, { schema, acquisition: 'entropy', totalVotes: 30 });
    pool.forEach((item, g) => {
      const reference = galaxyBald(item, schema, { totalVotes: 30 });
      expect(scores[g]).toBeCloseTo(reference.mutualInformation, 12);
      expect(entropies[g]).toBeCloseTo(reference.predictiveEntropy, 12);
    });
  });

  it('should score margin by hand', () => {
    // Mean fractions: sf (0.5, 0.5) -> margin 0, weight 1; arms (1/3, 1/3, 1/3) -> margin 0, weight P(f) = 0.5.
    expect(acquisitionScores([agree], { schema, acquisition: 'margin' })[0]).toBeCloseTo(1 + 0.5, 14);
    // confident: sf mean (90/92, 2/92) -> 1 - 88/92; arms uniform, weight 2/92.
    expect(acquisitionScores([confident], { schema, acquisition: 'margin' })[0]).toBeCloseTo(1 - 88 / 92 + 2 / 92, 14);
  });

  it('should draw random scores reproducibly from the seed', () => {
    const a = acquisitionScores(pool, { schema, acquisition: 'random', seed: 1 });
    expect(acquisitionScores(pool, { schema, acquisition: 'random', seed: 1 })).toEqual(a);
    expect(acquisitionScores(pool, { schema, acquisition: 'random', seed: 2 })).not.toEqual(a);
    for (const s of a) expect(s >= 0 && s < 1).toBe(true);
  });

  it('should reject bad k, acquisitions and rows', () => {
    expect(() => acquire(pool, -1, { schema })).toThrow(ConfigError);
    expect(() => acquire(pool, 1.5, { schema })).toThrow(ConfigError);
    expect(() => acquire(pool, 1, { schema, acquisition: 'max' as never })).toThrow(/unknown acquisition "max"/);
    expect(() => acquire([{ id: 'x', passes: 3, concentrations: [1, 2] }], 1, { schema })).toThrow(ShapeError);
  });
});
