/**
 * The published Galaxy Zoo decision trees.
 *
 * Answer lists and order follow Zoobot's `galaxy-datasets` label metadata (so that models
 * and catalogues are column-compatible with Zoobot). Dependencies follow the real volunteer
 * trees where Zoobot simplified them; each difference is noted beside the tree. A question
 * reached from two answers (e.g. merging after smooth OR featured) cannot be expressed with
 * a single dependency, so, as in Zoobot, it is treated as always asked.
 *
 * Every tree comes in a bare form (`smooth-or-featured_smooth`, as in the DR5 vote tables and
 * the term project) and an "ortho" form whose questions carry the campaign suffix
 * (`smooth-or-featured-dr5_smooth`, as in Zoobot's own catalogues).
 *
 * @module
 */
import { SchemaError } from '../errors.js';
import { defineSchema, type Dependencies, type QuestionAnswerPairs, type Schema } from './schema.js';
import { withSuffix } from './suffix.js';

const decalsDr5Pairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_featured-or-disk', '_artifact'],
  'disk-edge-on': ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  bar: ['_strong', '_weak', '_no'],
  'bulge-size': ['_dominant', '_large', '_moderate', '_small', '_none'],
  'how-rounded': ['_round', '_in-between', '_cigar-shaped'],
  'edge-on-bulge': ['_boxy', '_none', '_rounded'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_more-than-4', '_cant-tell'],
  merging: ['_none', '_minor-disturbance', '_major-disturbance', '_merger'],
};

const decalsDependencies: Dependencies = {
  'smooth-or-featured': null,
  'disk-edge-on': 'smooth-or-featured_featured-or-disk',
  'has-spiral-arms': 'disk-edge-on_no',
  bar: 'disk-edge-on_no',
  'bulge-size': 'disk-edge-on_no',
  'how-rounded': 'smooth-or-featured_smooth',
  'edge-on-bulge': 'disk-edge-on_yes',
  'spiral-winding': 'has-spiral-arms_yes',
  'spiral-arm-count': 'has-spiral-arms_yes',
  // Really asked after smooth OR featured (an artifact vote ends the classification).
  merging: null,
};

// DR1/2: bar yes/no, three bulge sizes, "completely" round, no cant-tell, the old merging answers.
const decalsDr12Pairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_featured-or-disk', '_artifact'],
  'disk-edge-on': ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  bar: ['_yes', '_no'],
  'bulge-size': ['_dominant', '_obvious', '_none'],
  'how-rounded': ['_completely', '_in-between', '_cigar-shaped'],
  'edge-on-bulge': ['_boxy', '_none', '_rounded'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_more-than-4'],
  merging: ['_neither', '_tidal-debris', '_both', '_merger'],
};

const gz2Pairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_featured-or-disk', '_artifact'],
  'disk-edge-on': ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  bar: ['_yes', '_no'],
  'bulge-size': ['_dominant', '_obvious', '_just-noticeable', '_no'],
  'something-odd': ['_yes', '_no'],
  'how-rounded': ['_round', '_in-between', '_cigar'],
  'bulge-shape': ['_round', '_boxy', '_no-bulge'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_more-than-4', '_cant-tell'],
};

// The real GZ2 tree (Willett et al. 2013, T01-T11): edge-on "no" leads to bar, then spiral,
// then bulge size. Zoobot hangs all three on featured-or-disk instead; see gz2ZoobotDependencies.
const gz2Dependencies: Dependencies = {
  'smooth-or-featured': null,
  'disk-edge-on': 'smooth-or-featured_featured-or-disk',
  'has-spiral-arms': 'disk-edge-on_no',
  bar: 'disk-edge-on_no',
  'bulge-size': 'disk-edge-on_no',
  // Really asked after smooth OR featured; T08 (odd feature type) is left out, as in Zoobot.
  'something-odd': null,
  'how-rounded': 'smooth-or-featured_smooth',
  'bulge-shape': 'disk-edge-on_yes',
  'spiral-winding': 'has-spiral-arms_yes',
  'spiral-arm-count': 'has-spiral-arms_yes',
};

const gz2ZoobotDependencies: Dependencies = {
  ...gz2Dependencies,
  'has-spiral-arms': 'smooth-or-featured_featured-or-disk',
  bar: 'smooth-or-featured_featured-or-disk',
  'bulge-size': 'smooth-or-featured_featured-or-disk',
};

const hubblePairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_features', '_artifact'],
  'how-rounded': ['_completely', '_in-between', '_cigar-shaped'],
  'clumpy-appearance': ['_yes', '_no'],
  'clump-count': ['_1', '_2', '_3', '_4', '_5-plus', '_cant-tell'],
  'disk-edge-on': ['_yes', '_no'],
  'bulge-shape': ['_rounded', '_boxy', '_none'],
  bar: ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_5-plus', '_cant-tell'],
  'bulge-size': ['_none', '_just-noticeable', '_obvious', '_dominant'],
  'galaxy-symmetrical': ['_yes', '_no'],
  'clumps-embedded-larger-object': ['_yes', '_no'],
};

// GZ Hubble (Willett et al. 2017). Zoobot hangs spiral winding and arm count on edge-on "no";
// the real tree (and the FERENGI vote totals in shared/data) ask them after spiral "yes".
// The clump-configuration questions are left out, as in Zoobot (several answers lead on).
const hubbleDependencies: Dependencies = {
  'smooth-or-featured': null,
  'how-rounded': 'smooth-or-featured_smooth',
  'clumpy-appearance': 'smooth-or-featured_features',
  'clump-count': 'clumpy-appearance_yes',
  'galaxy-symmetrical': 'clumpy-appearance_yes',
  'clumps-embedded-larger-object': 'clumpy-appearance_yes',
  'disk-edge-on': 'clumpy-appearance_no',
  'bulge-shape': 'disk-edge-on_yes',
  bar: 'disk-edge-on_no',
  'has-spiral-arms': 'disk-edge-on_no',
  'spiral-winding': 'has-spiral-arms_yes',
  'spiral-arm-count': 'has-spiral-arms_yes',
  'bulge-size': 'disk-edge-on_no',
};

const candelsPairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_features', '_artifact'],
  'how-rounded': ['_completely', '_in-between', '_cigar-shaped'],
  'clumpy-appearance': ['_yes', '_no'],
  'clump-count': ['_1', '_2', '_3', '_4', '_5-plus', '_cant-tell'],
  'disk-edge-on': ['_yes', '_no'],
  'edge-on-bulge': ['_yes', '_no'],
  bar: ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_5-plus', '_cant-tell'],
  'bulge-size': ['_none', '_obvious', '_dominant'],
  merging: ['_merger', '_tidal-debris', '_both', '_neither'],
};

// GZ CANDELS (Simmons et al. 2017); as GZ Hubble, winding and arm count follow spiral "yes".
const candelsDependencies: Dependencies = {
  'smooth-or-featured': null,
  'how-rounded': 'smooth-or-featured_smooth',
  'clumpy-appearance': 'smooth-or-featured_features',
  'clump-count': 'clumpy-appearance_yes',
  'disk-edge-on': 'clumpy-appearance_no',
  'edge-on-bulge': 'disk-edge-on_yes',
  bar: 'disk-edge-on_no',
  'has-spiral-arms': 'disk-edge-on_no',
  'spiral-winding': 'has-spiral-arms_yes',
  'spiral-arm-count': 'has-spiral-arms_yes',
  'bulge-size': 'disk-edge-on_no',
  merging: null,
};

const cosmicDawnPairs: QuestionAnswerPairs = {
  'smooth-or-featured': ['_smooth', '_featured-or-disk', '_problem'],
  'disk-edge-on': ['_yes', '_no'],
  'has-spiral-arms': ['_yes', '_no'],
  bar: ['_strong', '_weak', '_no'],
  'bulge-size': ['_dominant', '_large', '_moderate', '_small', '_none'],
  'how-rounded': ['_round', '_in-between', '_cigar-shaped'],
  'edge-on-bulge': ['_boxy', '_none', '_rounded'],
  'spiral-winding': ['_tight', '_medium', '_loose'],
  'spiral-arm-count': ['_1', '_2', '_3', '_4', '_more-than-4', '_cant-tell'],
  merging: ['_none', '_minor-disturbance', '_major-disturbance', '_merger'],
  clumps: ['_yes', '_no'],
  problem: ['_star', '_artifact', '_zoom'],
  artifact: ['_satellite', '_scattered', '_diffraction', '_ray', '_saturation', '_other'],
};

const cosmicDawnDependencies: Dependencies = {
  ...decalsDependencies,
  clumps: 'disk-edge-on_no',
  problem: 'smooth-or-featured_problem',
  artifact: 'problem_artifact',
};

/** GZ DECaLS DR5 tree, bare question names (10 questions, 34 answers). */
export const decalsDr5Schema: Schema = defineSchema(decalsDr5Pairs, decalsDependencies, { name: 'decals-dr5' });
/** GZ DECaLS DR5 tree with `-dr5` question suffixes, as in Zoobot's catalogues. */
export const decalsDr5OrthoSchema: Schema = withSuffix(decalsDr5Schema, '-dr5', 'decals-dr5-ortho');
/** GZ DECaLS DR8: the DR5 tree, bare names. */
export const decalsDr8Schema: Schema = defineSchema(decalsDr5Pairs, decalsDependencies, { name: 'decals-dr8' });
/** GZ DECaLS DR8 with `-dr8` suffixes. */
export const decalsDr8OrthoSchema: Schema = withSuffix(decalsDr8Schema, '-dr8', 'decals-dr8-ortho');
/** GZ DECaLS DR1/2 tree, bare names (10 questions, 30 answers). */
export const decalsDr12Schema: Schema = defineSchema(decalsDr12Pairs, decalsDependencies, { name: 'decals-dr12' });
/** GZ DECaLS DR1/2 with `-dr12` suffixes. */
export const decalsDr12OrthoSchema: Schema = withSuffix(decalsDr12Schema, '-dr12', 'decals-dr12-ortho');
/** Galaxy Zoo 2 with the real tree's dependencies (10 questions, 30 answers), bare names. */
export const gz2Schema: Schema = defineSchema(gz2Pairs, gz2Dependencies, { name: 'gz2' });
/** Galaxy Zoo 2 with `-gz2` suffixes and the real tree's dependencies. */
export const gz2OrthoSchema: Schema = withSuffix(gz2Schema, '-gz2', 'gz2-ortho');
/**
 * Galaxy Zoo 2 with Zoobot's simplified dependencies (bar, spiral and bulge size after
 * featured-or-disk instead of edge-on "no"), `-gz2` suffixes. Same columns as {@link gz2OrthoSchema}.
 */
export const gz2ZoobotOrthoSchema: Schema = withSuffix(
  defineSchema(gz2Pairs, gz2ZoobotDependencies, { name: 'gz2-zoobot' }), '-gz2', 'gz2-zoobot-ortho',
);
/** Galaxy Zoo: Hubble, bare names (13 questions). */
export const hubbleSchema: Schema = defineSchema(hubblePairs, hubbleDependencies, { name: 'hubble' });
/** Galaxy Zoo: Hubble with `-hubble` suffixes. */
export const hubbleOrthoSchema: Schema = withSuffix(hubbleSchema, '-hubble', 'hubble-ortho');
/** Galaxy Zoo: CANDELS, bare names (12 questions). */
export const candelsSchema: Schema = defineSchema(candelsPairs, candelsDependencies, { name: 'candels' });
/** Galaxy Zoo: CANDELS with `-candels` suffixes. */
export const candelsOrthoSchema: Schema = withSuffix(candelsSchema, '-candels', 'candels-ortho');
/** Galaxy Zoo: Cosmic Dawn (HSC), bare names (13 questions). */
export const cosmicDawnSchema: Schema = defineSchema(cosmicDawnPairs, cosmicDawnDependencies, { name: 'cosmic-dawn' });
/** Galaxy Zoo: Cosmic Dawn with `-cd` suffixes. */
export const cosmicDawnOrthoSchema: Schema = withSuffix(cosmicDawnSchema, '-cd', 'cosmic-dawn-ortho');
/** GZ Rings: one question, ring yes/no (no campaign suffix exists). */
export const ringsSchema: Schema = defineSchema({ ring: ['_yes', '_no'] }, { ring: null }, { name: 'rings' });

/** Every built-in schema by its name. */
export const builtinSchemas: Readonly<Record<string, Schema>> = Object.freeze(
  Object.fromEntries(
    [
      decalsDr5Schema, decalsDr5OrthoSchema, decalsDr8Schema, decalsDr8OrthoSchema, decalsDr12Schema,
      decalsDr12OrthoSchema, gz2Schema, gz2OrthoSchema, gz2ZoobotOrthoSchema, hubbleSchema, hubbleOrthoSchema,
      candelsSchema, candelsOrthoSchema, cosmicDawnSchema, cosmicDawnOrthoSchema, ringsSchema,
    ].map((s) => [s.name, s]),
  ),
);

/**
 * A built-in schema by name (see {@link builtinSchemas}).
 * @throws {@link SchemaError} listing the valid names.
 */
export function getSchema(name: string): Schema {
  const schema = builtinSchemas[name];
  if (schema === undefined) {
    throw new SchemaError(`getSchema: unknown schema "${name}". Should be one of: ${Object.keys(builtinSchemas).join(', ')}`);
  }
  return schema;
}
