/**
 * True answer probabilities of a synthetic galaxy: for every question of a schema, the
 * probability that a volunteer who is asked the question picks each answer.
 *
 * They are built from what the image shows ({@link observe}), not from the hidden class, so
 * faint, small or weak features give uncertain answers, and neighbouring answers of ordered
 * questions (bar strength, bulge size, winding, ...) blur into each other.
 *
 * @module
 */
import { commonCampaignSuffix, type Question, type Schema } from '../../decisionTree/index.js';
import { observe, sigmoid, type Observables } from './observables.js';
import type { GalaxyParameters } from './parameters.js';

/** Answer text -> probability for one semantic question; aliases of other schemas included. */
type AnswerProbabilities = Readonly<Record<string, number>>;

/**
 * Probabilities of ordered categories (low to high) for a value seen with logistic blur:
 * P(k) = s((t_k - x) / scale) - s((t_(k-1) - x) / scale), s the logistic function
 * (a cumulative-logit model: neighbouring categories get the ambiguity).
 */
function ordinal(value: number, thresholds: readonly number[], scale: number): number[] {
  const cumulative = [...thresholds.map((t) => sigmoid((t - value) / scale)), 1];
  return cumulative.map((c, k) => c - (k === 0 ? 0 : cumulative[k - 1] ?? 0));
}

/** Mixes `p` toward uniform: a volunteer who cannot see well guesses more. */
function blur(p: readonly number[], clarity: number): number[] {
  const keep = 0.4 + 0.6 * clarity;
  return p.map((x) => keep * x + (1 - keep) / p.length);
}

function named(texts: readonly string[], p: readonly number[]): Record<string, number> {
  return Object.fromEntries(texts.map((t, i) => [t, p[i] ?? 0]));
}

function smoothOrFeatured(o: Observables): AnswerProbabilities {
  // A featureless disk reads as smooth more often than not; edge-on disks, arms and bars do not.
  const evidence = Math.max(o.arms, o.bar * 0.9, o.edgeOn, o.disk * 0.3) + 0.45 * o.disturbance
    + 0.25 * Math.max(0, 0.45 - o.axisRatio);
  const artifact = 0.01 + 0.98 * o.artifact;
  const featured = (1 - artifact) * sigmoid((evidence - 0.27) / 0.06);
  const smooth = 1 - artifact - featured;
  return { smooth, 'featured-or-disk': featured, features: featured, artifact, problem: artifact };
}

function diskEdgeOn(o: Observables): AnswerProbabilities {
  const yes = 0.02 + 0.96 * sigmoid((o.edgeOn - 0.5) / 0.1);
  return { yes, no: 1 - yes };
}

function hasSpiralArms(o: Observables): AnswerProbabilities {
  const yes = 0.03 + 0.94 * sigmoid((o.arms - 0.22) / 0.06);
  return { yes, no: 1 - yes };
}

function bar(o: Observables): AnswerProbabilities {
  const [no = 0, weak = 0, strong = 0] = ordinal(o.bar, [0.15, 0.45], 0.06);
  return { strong, weak, no, yes: strong + weak };
}

function bulgeSize(p: GalaxyParameters, o: Observables): AnswerProbabilities {
  const [none = 0, small = 0, moderate = 0, large = 0, dominant = 0] = blur(
    ordinal(p.bulgeFraction, [0.04, 0.14, 0.3, 0.55], 0.04), o.clarity,
  );
  return {
    dominant, large, moderate, small, none,
    // GZ2, GZ Hubble and DR1/2 wordings: "obvious" spans large and moderate.
    obvious: large + moderate, 'just-noticeable': small, no: none,
  };
}

function howRounded(o: Observables): AnswerProbabilities {
  const [cigar = 0, between = 0, round = 0] = ordinal(o.axisRatio, [0.42, 0.75], 0.05);
  return { round, completely: round, 'in-between': between, 'cigar-shaped': cigar, cigar };
}

function edgeOnBulge(p: GalaxyParameters, o: Observables): AnswerProbabilities {
  const none = blur([sigmoid((0.06 - p.bulgeFraction) / 0.03), 0], o.clarity)[0] ?? 0;
  // Bars seen side-on look like boxy (peanut) bulges.
  const boxy = (1 - none) * sigmoid((p.barStrength - 0.4) / 0.1);
  const rounded = 1 - none - boxy;
  return { boxy, none, rounded, round: rounded, 'no-bulge': none, yes: 1 - none, no: none };
}

function spiralWinding(p: GalaxyParameters, o: Observables): AnswerProbabilities {
  const degrees = (p.pitchAngle * 180) / Math.PI;
  const [tight = 0, medium = 0, loose = 0] = blur(ordinal(degrees, [16, 27], 3), Math.min(1, 2 * o.arms));
  return { tight, medium, loose };
}

function spiralArmCount(p: GalaxyParameters, o: Observables): AnswerProbabilities {
  const cantTell = 0.03 + 0.7 * sigmoid((0.3 - o.arms) / 0.08);
  // Counting errors are off by one more often than by two; clearer arms are counted better.
  const sharpness = 1 + 2.5 * o.arms;
  const weights = [1, 2, 3, 4, 5].map((k) => Math.exp(-sharpness * Math.abs(k - Math.min(Math.max(p.armCount, 1), 5))));
  const total = weights.reduce((a, b) => a + b, 0);
  const [one = 0, two = 0, three = 0, four = 0, more = 0] = weights.map((w) => ((1 - cantTell) * w) / total);
  return { 1: one, 2: two, 3: three, 4: four, 'more-than-4': more, '5-plus': more, 'cant-tell': cantTell };
}

function merging(o: Observables): AnswerProbabilities {
  const [none = 0, minor = 0, major = 0, merger = 0] = ordinal(o.disturbance, [0.15, 0.42, 0.72], 0.05);
  return {
    none, 'minor-disturbance': minor, 'major-disturbance': major, merger,
    // DR1/2 and CANDELS wordings.
    neither: none, 'tidal-debris': minor + major, both: merger / 2,
  };
}

function somethingOdd(o: Observables): AnswerProbabilities {
  const [none = 0] = ordinal(o.disturbance, [0.15], 0.05);
  const yes = Math.min(0.98, 1 - none + 0.5 * o.artifact);
  return { yes, no: 1 - yes };
}

/** The semantic questions this generator knows, by bare question name. */
const SEMANTIC_QUESTIONS: Readonly<Record<string, (p: GalaxyParameters, o: Observables) => AnswerProbabilities>> = {
  'smooth-or-featured': (_p, o) => smoothOrFeatured(o),
  'disk-edge-on': (_p, o) => diskEdgeOn(o),
  'has-spiral-arms': (_p, o) => hasSpiralArms(o),
  bar: (_p, o) => bar(o),
  'bulge-size': bulgeSize,
  'how-rounded': (_p, o) => howRounded(o),
  'edge-on-bulge': edgeOnBulge,
  'bulge-shape': edgeOnBulge,
  'spiral-winding': spiralWinding,
  'spiral-arm-count': spiralArmCount,
  merging: (_p, o) => merging(o),
  'something-odd': (_p, o) => somethingOdd(o),
};

/**
 * The bare names of the questions this generator can answer (`smooth-or-featured`, `bar`, ...).
 * Questions of a schema match with or without their campaign suffix (`bar-dr5` is `bar`).
 */
export const SIMULATED_QUESTIONS: readonly string[] = Object.freeze(Object.keys(SEMANTIC_QUESTIONS));

function bareName(question: Question, suffix: string | null): string {
  if (question.text in SEMANTIC_QUESTIONS || suffix === null || !question.text.endsWith(suffix)) return question.text;
  return question.text.slice(0, question.text.length - suffix.length);
}

const suffixCache = new WeakMap<Schema, string | null>();

/** The schema's campaign suffix, or null for a bare schema (cached: called once per galaxy). */
function campaignSuffix(schema: Schema): string | null {
  let suffix = suffixCache.get(schema);
  if (suffix === undefined) {
    try {
      suffix = commonCampaignSuffix(schema);
    } catch {
      suffix = null; // A bare schema: the question names are used as they are.
    }
    suffixCache.set(schema, suffix);
  }
  return suffix;
}

/**
 * True answer probabilities of a galaxy for every question of `schema`, in label-column
 * order: entries `[q.startIndex, q.endIndex)` are question `q`'s answer probabilities, and
 * sum to 1. They are the probabilities the simulated volunteers draw their answers from,
 * conditional on being asked the question.
 *
 * Known questions ({@link SIMULATED_QUESTIONS}) are matched by bare name; their answers by text,
 * including other schemas' wordings (`yes` for a bar of any strength, `obvious` for large or
 * moderate bulges, `cigar`, `features`, `tidal-debris`, ...); a question whose answers only
 * partly match is renormalised over the matched answers. Questions the generator does not
 * simulate (clumps, rings, GZ Hubble's symmetry, ...) or with an unknown answer get a uniform
 * distribution: their votes carry no signal.
 *
 * @param params - the galaxy.
 * @param schema - the decision tree.
 * @param imageSize - side in pixels of the image the volunteers classify (see {@link observe});
 *   omit it for the PSF-limited view.
 * @returns a `Float64Array` of length `schema.answerCount`.
 */
export function trueAnswerProbabilities(params: GalaxyParameters, schema: Schema, imageSize?: number): Float64Array {
  const seen = observe(params, imageSize);
  const suffix = campaignSuffix(schema);
  const out = new Float64Array(schema.answerCount);
  for (const question of schema.questions) {
    const semantic = SEMANTIC_QUESTIONS[bareName(question, suffix)];
    const table = semantic?.(params, seen);
    const values = question.answers.map((a) => table?.[a.text]);
    const known = values.every((v): v is number => v !== undefined);
    const total = known ? values.reduce((sum, v) => sum + v, 0) : 0;
    for (const [k, answer] of question.answers.entries()) {
      out[answer.index] = known && total > 0 ? (values[k] ?? 0) / total : 1 / question.answers.length;
    }
  }
  return out;
}
