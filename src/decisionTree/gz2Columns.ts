import { ConfigError, SchemaError } from '../errors.js';
import { gz2Schema } from './builtins.js';
import type { Schema } from './schema.js';

/** [published GZ2 task/answer prefix, Kaggle Galaxy Challenge column, bare question, answer]. */
const GZ2_ANSWER_NAMES: ReadonlyArray<readonly [string, string, string, string]> = [
  ['t01_smooth_or_features_a01_smooth', 'Class1.1', 'smooth-or-featured', 'smooth'],
  ['t01_smooth_or_features_a02_features_or_disk', 'Class1.2', 'smooth-or-featured', 'featured-or-disk'],
  ['t01_smooth_or_features_a03_star_or_artifact', 'Class1.3', 'smooth-or-featured', 'artifact'],
  ['t02_edgeon_a04_yes', 'Class2.1', 'disk-edge-on', 'yes'],
  ['t02_edgeon_a05_no', 'Class2.2', 'disk-edge-on', 'no'],
  ['t03_bar_a06_bar', 'Class3.1', 'bar', 'yes'],
  ['t03_bar_a07_no_bar', 'Class3.2', 'bar', 'no'],
  ['t04_spiral_a08_spiral', 'Class4.1', 'has-spiral-arms', 'yes'],
  ['t04_spiral_a09_no_spiral', 'Class4.2', 'has-spiral-arms', 'no'],
  ['t05_bulge_prominence_a10_no_bulge', 'Class5.1', 'bulge-size', 'no'],
  ['t05_bulge_prominence_a11_just_noticeable', 'Class5.2', 'bulge-size', 'just-noticeable'],
  ['t05_bulge_prominence_a12_obvious', 'Class5.3', 'bulge-size', 'obvious'],
  ['t05_bulge_prominence_a13_dominant', 'Class5.4', 'bulge-size', 'dominant'],
  ['t06_odd_a14_yes', 'Class6.1', 'something-odd', 'yes'],
  ['t06_odd_a15_no', 'Class6.2', 'something-odd', 'no'],
  ['t07_rounded_a16_completely_round', 'Class7.1', 'how-rounded', 'round'],
  ['t07_rounded_a17_in_between', 'Class7.2', 'how-rounded', 'in-between'],
  ['t07_rounded_a18_cigar_shaped', 'Class7.3', 'how-rounded', 'cigar'],
  ['t09_bulge_shape_a25_rounded', 'Class9.1', 'bulge-shape', 'round'],
  ['t09_bulge_shape_a26_boxy', 'Class9.2', 'bulge-shape', 'boxy'],
  ['t09_bulge_shape_a27_no_bulge', 'Class9.3', 'bulge-shape', 'no-bulge'],
  ['t10_arms_winding_a28_tight', 'Class10.1', 'spiral-winding', 'tight'],
  ['t10_arms_winding_a29_medium', 'Class10.2', 'spiral-winding', 'medium'],
  ['t10_arms_winding_a30_loose', 'Class10.3', 'spiral-winding', 'loose'],
  ['t11_arms_number_a31_1', 'Class11.1', 'spiral-arm-count', '1'],
  ['t11_arms_number_a32_2', 'Class11.2', 'spiral-arm-count', '2'],
  ['t11_arms_number_a33_3', 'Class11.3', 'spiral-arm-count', '3'],
  ['t11_arms_number_a34_4', 'Class11.4', 'spiral-arm-count', '4'],
  ['t11_arms_number_a36_more_than_4', 'Class11.5', 'spiral-arm-count', 'more-than-4'],
  ['t11_arms_number_a37_cant_tell', 'Class11.6', 'spiral-arm-count', 'cant-tell'],
];

/** Which published GZ2 naming to map from. */
export type Gz2ColumnSource = 'published' | 'kaggle';

/** Options of {@link gz2ColumnMap}. */
export interface Gz2ColumnMapOptions {
  /** @defaultValue `'published'` (Willett et al. 2013 tables) */
  readonly source?: Gz2ColumnSource;
  /**
   * Which statistic column of the published tables to map (`_count`, `_weight`, `_fraction`, ...).
   * Ignored for Kaggle names. @defaultValue `'count'`
   */
  readonly statistic?: string;
}

/**
 * Maps published GZ2 column names onto a GZ2 schema's label columns: Willett et al. 2013's
 * `t01_smooth_or_features_a01_smooth_count`, or the Kaggle Galaxy Challenge's `Class1.1`.
 * Task 08 (odd feature type) has no column in the schema and is not mapped. Kaggle values
 * are fractions of all volunteers, not counts: use them as targets, not as vote counts.
 *
 * @param schema - a GZ2 schema, bare or `-gz2` (e.g. {@link gz2Schema} or `gz2OrthoSchema`).
 * @returns source column name -> schema label column.
 */
export function gz2ColumnMap(schema: Schema = gz2Schema, options: Gz2ColumnMapOptions = {}): Record<string, string> {
  const source = options.source ?? 'published';
  if (source !== 'published' && source !== 'kaggle') {
    throw new ConfigError(`gz2ColumnMap: unsupported source "${String(source)}". Should be one of: published, kaggle`);
  }
  const statistic = options.statistic ?? 'count';
  const map: Record<string, string> = {};
  for (const [published, kaggle, question, answer] of GZ2_ANSWER_NAMES) {
    const text = schema.hasQuestion(question) ? question : `${question}-gz2`;
    const column = `${text}_${answer}`;
    if (!schema.hasColumn(column)) {
      throw new SchemaError(`gz2ColumnMap: schema '${schema.name}' has no column "${column}"; is it a GZ2 schema?`);
    }
    map[source === 'kaggle' ? kaggle : `${published}_${statistic}`] = column;
  }
  return map;
}
