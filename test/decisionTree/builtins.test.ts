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

describe('GZ2 column names', () => {
  it('should map Kaggle and published names onto the same 30 columns of bare and ortho schemas', async () => {
    const { gz2ColumnMap, gz2OrthoSchema } = await import('../../src/decisionTree/index.js');
    const kaggle = gz2ColumnMap(gz2Schema, { source: 'kaggle' });
    const published = gz2ColumnMap(gz2Schema);
    expect(new Set(Object.values(kaggle))).toEqual(new Set(gz2Schema.labelColumns));
    expect(Object.values(published)).toEqual(Object.values(kaggle));
    expect(kaggle['Class1.1']).toBe('smooth-or-featured_smooth');
    expect(published.t05_bulge_prominence_a10_no_bulge_count).toBe('bulge-size_no');
    expect(gz2ColumnMap(gz2OrthoSchema, { statistic: 'fraction' }).t11_arms_number_a37_cant_tell_fraction)
      .toBe('spiral-arm-count-gz2_cant-tell');
    expect(() => gz2ColumnMap(decalsDr5Schema)).toThrow(SchemaError);
  });
});
