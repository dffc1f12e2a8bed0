import { describe, expect, it } from 'vitest';
import {
  builtinSchemas, decalsDr5Schema, decalsDr5OrthoSchema, decalsDr12Schema, gz2Schema, ringsSchema, getSchema,
} from '../../src/decisionTree/index.js';
import { SchemaError } from '../../src/errors.js';

describe('built-in schemas', () => {
  it('DECaLS DR5 has the 10 questions and 34 answers of the published tree', () => {
    expect(decalsDr5Schema.questionCount).toBe(10);
    expect(decalsDr5Schema.answerCount).toBe(34);
    expect(decalsDr5OrthoSchema.labelColumns[0]).toBe('smooth-or-featured-dr5_smooth');
    expect(decalsDr5OrthoSchema.getQuestion('spiral-winding-dr5').dependsOn?.column).toBe('has-spiral-arms-dr5_yes');
  });

  it('DR1/2 and GZ2 both have 30 answers', () => {
    expect(decalsDr12Schema.answerCount).toBe(30);
    expect(gz2Schema.answerCount).toBe(30);
    expect(ringsSchema.labelColumns).toEqual(['ring_yes', 'ring_no']);
  });

  it('every built-in survives a JSON round trip under its own name', () => {
    for (const [name, schema] of Object.entries(builtinSchemas)) {
      expect(schema.name).toBe(name);
      expect(getSchema(name)).toBe(schema);
    }
    expect(() => getSchema('dr99')).toThrow(SchemaError);
  });
});
