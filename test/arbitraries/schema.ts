import fc from 'fast-check';
import type { Dependencies, QuestionAnswerPairs } from '../../src/decisionTree/index.js';

/** Plain inputs of a random, valid decision tree. */
export interface TreeSpec {
  readonly pairs: QuestionAnswerPairs;
  readonly dependencies: Dependencies;
}

/**
 * Random acyclic trees: question i may depend on an answer of any question created before it,
 * then the column order is shuffled so it differs from the dependency order.
 */
export const treeSpecArb: fc.Arbitrary<TreeSpec> = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 })
  .chain((answerCounts) =>
    fc.tuple(
      fc.constant(answerCounts),
      fc.tuple(...answerCounts.map((_, i) => (i === 0 ? fc.constant(-1) : fc.integer({ min: -1, max: i - 1 })))),
      fc.tuple(...answerCounts.map(() => fc.nat())),
      fc.shuffledSubarray(answerCounts.map((_, i) => i), { minLength: answerCounts.length }),
    ),
  )
  .map(([answerCounts, parents, answerPicks, order]) => {
    const pairs: Record<string, string[]> = {};
    for (const i of order) pairs[`q${i}`] = Array.from({ length: answerCounts[i] ?? 1 }, (_, a) => `_a${a}`);
    const dependencies: Record<string, string | null> = {};
    answerCounts.forEach((_, i) => {
      const parent = parents[i] ?? -1;
      dependencies[`q${i}`] = parent < 0 ? null : `q${parent}_a${(answerPicks[i] ?? 0) % (answerCounts[parent] ?? 1)}`;
    });
    return { pairs, dependencies };
  });

/** Random per-answer weights in (0, 1], to be normalised per question into vote fractions. */
export function weightsArb(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: 1e-3, max: 1, noNaN: true }), { minLength: length, maxLength: length });
}
