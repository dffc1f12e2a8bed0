import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Schema, defineSchema, withSuffix, withoutSuffix, decalsDr5Schema, decalsDr5OrthoSchema, dependencyOrder,
} from '../../src/decisionTree/index.js';
import { SchemaError } from '../../src/errors.js';
import { treeSpecArb } from '../arbitraries/schema.js';

describe('defineSchema', () => {
  it('should lay out label columns in question order, then answer order', () => {
    fc.assert(fc.property(treeSpecArb, ({ pairs, dependencies }) => {
      const schema = defineSchema(pairs, dependencies);
      const expected = Object.entries(pairs).flatMap(([q, answers]) => answers.map((a) => `${q}${a}`));
      expect(schema.labelColumns).toEqual(expected);
      schema.answers.forEach((answer, i) => {
        expect(answer.index).toBe(i);
        expect(answer.question.answers).toContain(answer);
      });
    }));
  });

  it('should give index ranges that partition [0, answers)', () => {
    fc.assert(fc.property(treeSpecArb, ({ pairs, dependencies }) => {
      const schema = defineSchema(pairs, dependencies);
      let next = 0;
      for (const [start, end] of schema.questionIndexGroups) {
        expect(start).toBe(next);
        expect(end).toBeGreaterThan(start);
        next = end;
      }
      expect(next).toBe(schema.answerCount);
    }));
  });

  it('should resolve every dependency to the named answer', () => {
    fc.assert(fc.property(treeSpecArb, ({ pairs, dependencies }) => {
      const schema = defineSchema(pairs, dependencies);
      for (const q of schema.questions) expect(q.dependsOn?.column ?? null).toBe(dependencies[q.text]);
      const order = dependencyOrder(schema);
      for (const q of order) {
        if (q.dependsOn !== null) expect(order.indexOf(q.dependsOn.question)).toBeLessThan(order.indexOf(q));
      }
    }));
  });

  it('should survive a JSON round trip unchanged', () => {
    fc.assert(fc.property(treeSpecArb, ({ pairs, dependencies }) => {
      const schema = defineSchema(pairs, dependencies, { name: 'random' });
      const back = Schema.fromJSON(JSON.stringify(schema));
      expect(back.toJSON()).toEqual(schema.toJSON());
      expect(back.labelColumns).toEqual(schema.labelColumns);
    }));
  });

  it('should be immutable', () => {
    const q = decalsDr5Schema.questions[0]!;
    expect(Object.isFrozen(decalsDr5Schema)).toBe(true);
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.answers[0])).toBe(true);
    expect(() => (decalsDr5Schema.questions as Schema['questions'][number][]).push(q)).toThrow();
  });

  it('should ignore dependency entries for questions it does not have (Zoobot combined dictionaries)', () => {
    const schema = defineSchema({ a: ['_x', '_y'] }, { a: null, 'b-dr5': 'a_x' });
    expect(schema.questionCount).toBe(1);
  });
});

describe('defineSchema errors', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a cycle', () => defineSchema({ a: ['_x'], b: ['_y'] }, { a: 'b_y', b: 'a_x' }), /cycle through question "a"/],
    ['a self-dependency', () => defineSchema({ a: ['_x', '_y'] }, { a: 'a_x' }), /cycle/],
    ['an unknown dependency answer', () => defineSchema({ a: ['_x'], b: ['_y'] }, { a: null, b: 'a_z' }), /"b" depends on unknown answer "a_z"/],
    ['a missing dependency entry', () => defineSchema({ a: ['_x'] }, {}), /"a" has no entry in dependencies/],
    ['a duplicate answer', () => defineSchema({ a: ['_x', '_x'] }, { a: null }), /duplicate label column "a_x"/],
    ['a duplicate column across questions', () => defineSchema({ a: ['_b_c'], a_b: ['_c'] }, { a: null, a_b: null }), /duplicate label column "a_b_c"/],
    ['an empty question', () => defineSchema({ a: [] }, { a: null }), /"a" has no answers/],
    ['no questions', () => defineSchema({}, {}), /at least one question/],
    ['malformed JSON', () => Schema.fromJSON('{"pairs": {}}'), /expected an object/],
  ];
  it.each(cases)('should reject %s with a SchemaError naming it', (_, build, message) => {
    expect(build).toThrow(SchemaError);
    expect(build).toThrow(message);
  });

  it('should name valid choices for an unknown question or column', () => {
    expect(() => decalsDr5Schema.getQuestion('nope')).toThrow(/Should be one of: smooth-or-featured, disk-edge-on/);
    expect(() => decalsDr5Schema.getAnswer('bar_yes')).toThrow(/unknown label column "bar_yes"/);
  });
});

describe('suffixes', () => {
  it('should add and remove a campaign suffix on every question and dependency', () => {
    expect(withSuffix(decalsDr5Schema, '-dr5').toJSON().pairs).toEqual(decalsDr5OrthoSchema.toJSON().pairs);
    expect(withSuffix(decalsDr5Schema, '-dr5').dependencies).toEqual(decalsDr5OrthoSchema.dependencies);
    expect(withoutSuffix(decalsDr5OrthoSchema).toJSON()).toEqual({ ...decalsDr5Schema.toJSON(), name: decalsDr5OrthoSchema.name });
  });

  it('should round-trip withSuffix/withoutSuffix on random trees', () => {
    fc.assert(fc.property(treeSpecArb, fc.constantFrom('-dr5', '-gz2', '-x1'), ({ pairs, dependencies }, suffix) => {
      const schema = defineSchema(pairs, dependencies);
      expect(withoutSuffix(withSuffix(schema, suffix), suffix).toJSON()).toEqual(schema.toJSON());
    }));
  });

  it('should refuse to strip a suffix that is not there', () => {
    expect(() => withoutSuffix(decalsDr5Schema, '-dr5')).toThrow(SchemaError);
    expect(() => withoutSuffix(decalsDr5Schema)).toThrow(/no campaign suffix/);
  });
});
