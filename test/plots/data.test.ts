// The data behind the figures, against direct float64 computations (fast-check properties).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeLearningCurvePoints, confusionCells, lossPoints } from '../../src/plots/index.js';

describe('activeLearningCurvePoints', () => {
  it('should give the mean and sample standard deviation over seeds at each labelled count', () => {
    const loss = fc.double({ min: 0, max: 1000, noNaN: true });
    fc.assert(fc.property(fc.array(fc.array(loss, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (seeds) => {
      const runs = seeds.map((losses, seed) => ({ strategy: 'bald', seed, records: losses.map((l, i) => ({ labelled: 10 * (i + 1), evaluation: { loss: l } })) }));
      const points = activeLearningCurvePoints(runs);
      expect(points.map((p) => p.labelled)).toEqual([10, 20, 30]);
      points.forEach((p, i) => {
        const values = seeds.map((s) => s[i]!);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
        expect(p.runs).toBe(values.length);
        expect(p.mean).toBeCloseTo(mean, 8);
        expect(p.std).toBeCloseTo(Math.sqrt(variance), 6);
        expect(p.lower).toBeLessThanOrEqual(p.mean);
        expect(p.upper).toBeGreaterThanOrEqual(p.mean);
      });
    }), { numRuns: 100 });
  });

  it('should skip rounds without an evaluation', () => {
    const points = activeLearningCurvePoints([{ strategy: 'random', records: [{ labelled: 5 }, { labelled: 9, evaluation: { loss: 2 } }] }]);
    expect(points).toEqual([{ strategy: 'random', labelled: 9, mean: 2, std: 0, lower: 2, upper: 2, runs: 1 }]);
  });
});

describe('confusionCells', () => {
  it('should keep every count and give row fractions that sum to 1 over non-empty rows', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }).chain((k) => fc.array(fc.array(fc.nat(50), { minLength: k, maxLength: k }), { minLength: k, maxLength: k })), (confusion) => {
      const answers = confusion.map((_, i) => `a${i}`);
      const cells = confusionCells({ question: 'q', answers, galaxies: 0, accuracy: 0, confusion, precision: [], recall: [] });
      expect(cells).toHaveLength(answers.length ** 2);
      answers.forEach((volunteer, i) => {
        const row = cells.filter((c) => c.volunteer === volunteer);
        expect(row.map((c) => c.count)).toEqual(confusion[i]);
        const total = confusion[i]!.reduce((a, b) => a + b, 0);
        expect(row.reduce((s, c) => s + c.rowFraction, 0)).toBeCloseTo(total > 0 ? 1 : 0, 10);
      });
    }));
  });
});

describe('lossPoints', () => {
  it('should give one point per epoch, split and question (plus the total), one-based epochs', () => {
    const history = [0, 1, 2, 3].map((epoch) => ({ epoch, loss: 4 - epoch, validationLoss: 5, questionLosses: { a: 1, b: 2, c: 3 }, validationQuestionLosses: { a: 1, b: Number.NaN, c: 3 } }));
    const points = lossPoints(history);
    // 4 epochs × (total + 3 questions) × 2 splits, less the 4 non-finite validation losses of b.
    expect(points).toHaveLength(4 * 4 * 2 - 4);
    expect(points.filter((p) => p.question === 'total' && p.split === 'training').map((p) => [p.epoch, p.loss])).toEqual([[1, 4], [2, 3], [3, 2], [4, 1]]);
  });
});
