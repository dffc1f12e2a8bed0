import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  askedProbability, askedProbability64, defineSchema, dependencyMask, decalsDr5Schema, expectedVotes,
  expectedVotes64, voteFractions64, voteFractions, questionTotals, questionTotals64, checkConsistency,
  type Schema,
} from '../../src/decisionTree/index.js';
import { ShapeError, ConfigError } from '../../src/errors.js';
import { treeSpecArb, weightsArb } from '../arbitraries/schema.js';
import { leakedTensors } from '../helpers/backends.js';

/** Normalises raw positive weights within each question into vote fractions. */
function normalisePerQuestion(weights: number[], schema: Schema): number[] {
  return schema.answers.map((a) => {
    let total = 0;
    for (let i = a.question.startIndex; i < a.question.endIndex; i += 1) total += weights[i] ?? 0;
    return (weights[a.index] ?? 0) / total;
  });
}

const treeWithFractions = treeSpecArb.chain((spec) => {
  const schema = defineSchema(spec.pairs, spec.dependencies);
  return weightsArb(schema.answerCount).map((w) => ({ schema, fractions: normalisePerQuestion(w, schema) }));
});

describe('askedProbability', () => {
  it('should be in [0, 1], 1 for root questions, and never exceed the parent question', () => {
    fc.assert(fc.property(treeWithFractions, ({ schema, fractions }) => {
      const asked = askedProbability64(fractions, schema);
      for (const q of schema.questions) {
        const p = asked[q.index]!;
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        if (q.dependsOn === null) expect(p).toBe(1);
        else expect(p).toBeLessThanOrEqual(asked[q.dependsOn.question.index]! + 1e-12);
      }
    }));
  });

  it('should equal the product of fractions along the dependency chain', () => {
    const f = Array.from({ length: 34 }, (_, i) => ((i * 37) % 11) / 10);
    const s = decalsDr5Schema;
    const col = (c: string) => f[s.getAnswer(c).index]!;
    const asked = askedProbability64(f, s);
    expect(asked[s.getQuestion('spiral-winding').index]).toBeCloseTo(
      col('smooth-or-featured_featured-or-disk') * col('disk-edge-on_no') * col('has-spiral-arms_yes'), 12);
    expect(asked[s.getQuestion('how-rounded').index]).toBeCloseTo(col('smooth-or-featured_smooth'), 12);
  });

  it('should agree between the tensor op and the float64 version', () => {
    fc.assert(fc.property(treeWithFractions, ({ schema, fractions }) => {
      const batch = [fractions, fractions.map((x) => x * 0.5)];
      const got = tf.tidy(() => askedProbability(tf.tensor2d(batch), schema).arraySync());
      batch.forEach((row, b) => {
        askedProbability64(row, schema).forEach((p, q) => expect(got[b]![q]).toBeCloseTo(p, 5));
      });
    }), { numRuns: 20 });
  });

  it('should scale to expected votes and leak no tensors', () => {
    const f = normalisePerQuestion(Array.from({ length: 34 }, (_, i) => 1 + (i % 3)), decalsDr5Schema);
    const votes64 = expectedVotes64(f, decalsDr5Schema, 40);
    const leaked = leakedTensors(() => {
      const got = tf.tidy(() => expectedVotes(tf.tensor2d([f]), decalsDr5Schema, 40).arraySync()[0]!);
      votes64.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    });
    expect(leaked).toBe(0);
  });

  it('should reject fractions of the wrong width', () => {
    expect(() => askedProbability(tf.zeros([2, 33]) as tf.Tensor2D, decalsDr5Schema)).toThrow(ShapeError);
    expect(() => askedProbability64([0.5], decalsDr5Schema)).toThrow(/expected 34 values/);
  });

  it('should mark exactly one gating answer per dependent question', () => {
    const mask = dependencyMask(decalsDr5Schema);
    decalsDr5Schema.questions.forEach((q, i) => {
      expect(mask[i]!.reduce((a, b) => a + b, 0)).toBe(q.dependsOn === null ? 0 : 1);
    });
  });
});

const countsArb = treeSpecArb.chain((spec) => {
  const schema = defineSchema(spec.pairs, spec.dependencies);
  return fc.array(fc.nat({ max: 50 }), { minLength: schema.answerCount, maxLength: schema.answerCount })
    .map((counts) => ({ schema, counts }));
});

describe('vote counts', () => {
  it('should give fractions summing to 1 for every question with votes and 0 otherwise', () => {
    fc.assert(fc.property(countsArb, ({ schema, counts }) => {
      const fractions = voteFractions64(counts, schema);
      const totals = questionTotals64(counts, schema);
      for (const q of schema.questions) {
        const sum = fractions.slice(q.startIndex, q.endIndex).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(totals[q.index]! > 0 ? 1 : 0, 12);
      }
    }));
  });

  it('should handle 0/0 as asked', () => {
    const counts = new Array<number>(34).fill(0);
    expect(voteFractions64(counts, decalsDr5Schema, { unanswered: 'nan' }).every(Number.isNaN)).toBe(true);
    expect(voteFractions64(counts, decalsDr5Schema, { unanswered: 'uniform' })[0]).toBeCloseTo(1 / 3, 12);
    expect(() => voteFractions64(counts, decalsDr5Schema, { unanswered: 'bogus' as 'nan' })).toThrow(ConfigError);
  });

  it('should agree between tensor and float64 versions', () => {
    fc.assert(fc.property(countsArb, fc.constantFrom('zero', 'uniform', 'nan') as fc.Arbitrary<'zero'>, ({ schema, counts }, unanswered) => {
      const [fractions, totals] = tf.tidy(() => {
        const t = tf.tensor2d([counts]);
        return [voteFractions(t, schema, { unanswered }).arraySync()[0]!, questionTotals(t, schema).arraySync()[0]!];
      });
      const want = voteFractions64(counts, schema, { unanswered });
      want.forEach((w, i) => (Number.isNaN(w) ? expect(fractions[i]).toBeNaN() : expect(fractions[i]).toBeCloseTo(w, 5)));
      expect(totals).toEqual(questionTotals64(counts, schema));
    }), { numRuns: 20 });
  });

  it('should report every over-voted question and nothing else', () => {
    const s = decalsDr5Schema;
    const counts = new Array<number>(34).fill(0);
    counts[s.getAnswer('smooth-or-featured_featured-or-disk').index] = 5;
    counts[s.getAnswer('disk-edge-on_no').index] = 7; // 7 > 5: over-voted
    counts[s.getAnswer('bar_no').index] = 6; // 6 <= 7: fine
    expect(checkConsistency(counts, s)).toEqual([
      { question: 'disk-edge-on', questionTotal: 7, dependency: 'smooth-or-featured_featured-or-disk', dependencyCount: 5, excess: 2 },
    ]);
  });
});
