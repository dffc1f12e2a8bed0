import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/synthetic/random.js';
import { simulateVolunteers } from '../../../src/data/synthetic/volunteers.js';
import {
  builtinSchemas, checkConsistency, decalsDr5Schema, questionTotals64, type Schema,
} from '../../../src/decisionTree/index.js';
import { ConfigError, ShapeError } from '../../../src/errors.js';

const schemas = Object.values(builtinSchemas);

/** Per-question probability vectors built from arbitrary positive weights (independent of the generator). */
function probabilitiesArb(schema: Schema): fc.Arbitrary<Float64Array> {
  return fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: schema.answerCount, maxLength: schema.answerCount })
    .map((weights) => {
      const p = new Float64Array(weights);
      for (const q of schema.questions) {
        let total = 0;
        for (let i = q.startIndex; i < q.endIndex; i += 1) total += p[i] ?? 0;
        for (let i = q.startIndex; i < q.endIndex; i += 1) p[i] = (p[i] ?? 0) / total;
      }
      return p;
    });
}

/**
 * Deviation t with P(|Binomial(n, p) - n p| >= t) <= 1e-9, from Bernstein's inequality
 * P(|S - n p| >= t) <= 2 exp(-t^2 / (2 (n p (1 - p) + t / 3))), solved for t.
 */
function binomialDeviationBound(n: number, p: number): number {
  const log = Math.log(2 / 1e-9);
  return log / 3 + Math.sqrt((log * log) / 9 + 2 * log * n * p * (1 - p));
}

const schemaAndProbabilities = fc.constantFrom(...schemas).chain((schema) => fc.tuple(fc.constant(schema), probabilitiesArb(schema)));

describe('simulateVolunteers', () => {
  it('should give every root question exactly one vote per volunteer', () => {
    fc.assert(fc.property(schemaAndProbabilities, fc.integer({ min: 0, max: 80 }), fc.integer(), ([schema, p], volunteers, seed) => {
      const totals = questionTotals64(simulateVolunteers(p, schema, { volunteers, rng: createRng(seed) }), schema);
      for (const q of schema.questions) if (q.dependsOn === null) expect(totals[q.index]).toBe(volunteers);
    }));
  });

  it('should give every dependent question exactly as many votes as its parent answer (the tree is obeyed)', () => {
    fc.assert(fc.property(schemaAndProbabilities, fc.integer({ min: 0, max: 80 }), fc.integer(), ([schema, p], volunteers, seed) => {
      const counts = simulateVolunteers(p, schema, { volunteers, rng: createRng(seed) });
      expect(checkConsistency(counts, schema)).toEqual([]);
      const totals = questionTotals64(counts, schema);
      for (const q of schema.questions) {
        if (q.dependsOn !== null) expect(totals[q.index]).toBe(counts[q.dependsOn.index]);
      }
      for (const c of counts) expect(Number.isInteger(c) && c >= 0).toBe(true);
    }));
  });

  it('should give no votes to an answer of probability 0, nor to the questions below it', () => {
    const schema = decalsDr5Schema;
    const p = new Float64Array(schema.answerCount).fill(0);
    for (const q of schema.questions) p[q.startIndex] = 1; // always the first answer
    const counts = simulateVolunteers(p, schema, { volunteers: 30, rng: createRng(1) });
    // smooth -> how-rounded round; merging none; nothing under featured-or-disk.
    const expected = new Map([
      ['smooth-or-featured_smooth', 30], ['how-rounded_round', 30], ['merging_none', 30],
    ]);
    schema.answers.forEach((a) => expect(counts[a.index]).toBe(expected.get(a.column) ?? 0));
  });

  it('should give vote counts within a Bernstein bound of their binomial expectations', () => {
    // Many volunteers on one galaxy: given its question's total n, an answer's count is Binomial(n, p),
    // and how often a question is asked is Binomial(volunteers, reach). A normal (k-sigma) bound is
    // wrong for n p (1 - p) near 0, where one stray vote exceeds it: Bernstein's inequality holds for all.
    fc.assert(fc.property(schemaAndProbabilities, fc.integer(), ([schema, p], seed) => {
      const volunteers = 20_000;
      const counts = simulateVolunteers(p, schema, { volunteers, rng: createRng(seed) });
      const totals = questionTotals64(counts, schema);
      for (const a of schema.answers) {
        const n = totals[a.question.index] ?? 0;
        const pi = p[a.index] ?? 0;
        expect(Math.abs((counts[a.index] ?? 0) - n * pi)).toBeLessThanOrEqual(binomialDeviationBound(n, pi) + 1e-6);
      }
      // How often a question is asked: volunteers x product of the answer probabilities along its path.
      for (const q of schema.questions) {
        let reach = 1;
        for (let d = q.dependsOn; d !== null; d = d.question.dependsOn) reach *= p[d.index] ?? 0;
        expect(Math.abs((totals[q.index] ?? 0) - volunteers * reach)).toBeLessThanOrEqual(binomialDeviationBound(volunteers, reach) + 1e-6);
      }
    }), { numRuns: 10 });
  });

  it('should reject probabilities of the wrong length and bad volunteer counts', () => {
    const rng = createRng(1);
    expect(() => simulateVolunteers([0.5, 0.5], decalsDr5Schema, { volunteers: 1, rng })).toThrow(ShapeError);
    const p = new Float64Array(decalsDr5Schema.answerCount).fill(0.5);
    expect(() => simulateVolunteers(p, decalsDr5Schema, { volunteers: -1, rng })).toThrow(ConfigError);
    expect(() => simulateVolunteers(p, decalsDr5Schema, { volunteers: 2.5, rng })).toThrow(/volunteers/);
  });
});
