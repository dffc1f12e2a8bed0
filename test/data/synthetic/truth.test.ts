import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleGalaxyParameters } from '../../../src/data/synthetic/parameters.js';
import { createRng } from '../../../src/data/synthetic/random.js';
import { trueAnswerProbabilities } from '../../../src/data/synthetic/truth.js';
import {
  builtinSchemas, decalsDr5OrthoSchema, decalsDr5Schema, gz2OrthoSchema, ringsSchema, type Schema,
} from '../../../src/decisionTree/index.js';
import { diskGalaxy, smoothGalaxy } from './galaxies.js';

const schemas = Object.values(builtinSchemas);
const galaxyArb = fc.integer().map((seed) => sampleGalaxyParameters(createRng(seed, 0, 0)));

function p(schema: Schema, probabilities: Float64Array, column: string): number {
  return probabilities[schema.getAnswer(column).index] ?? Number.NaN;
}

describe('trueAnswerProbabilities', () => {
  it('should give every question of every built-in schema a probability vector (>= 0, sums to 1)', () => {
    fc.assert(fc.property(galaxyArb, fc.constantFrom(...schemas), (params, schema) => {
      const probabilities = trueAnswerProbabilities(params, schema);
      expect(probabilities.length).toBe(schema.answerCount);
      for (const q of schema.questions) {
        let total = 0;
        for (let i = q.startIndex; i < q.endIndex; i += 1) {
          const x = probabilities[i] ?? Number.NaN;
          expect(x).toBeGreaterThanOrEqual(0);
          total += x;
        }
        expect(total).toBeCloseTo(1, 12);
      }
    }));
  });

  it('should give the same probabilities for bare and "-dr5" column names', () => {
    fc.assert(fc.property(galaxyArb, (params) => {
      expect(trueAnswerProbabilities(params, decalsDr5OrthoSchema)).toEqual(trueAnswerProbabilities(params, decalsDr5Schema));
    }));
  });

  it('should map GZ2 answers onto the same semantics (bar yes = strong + weak, bulge obvious = large + moderate)', () => {
    fc.assert(fc.property(galaxyArb, (params) => {
      const dr5 = trueAnswerProbabilities(params, decalsDr5Schema);
      const gz2 = trueAnswerProbabilities(params, gz2OrthoSchema);
      const d = (c: string): number => p(decalsDr5Schema, dr5, c);
      const g = (c: string): number => p(gz2OrthoSchema, gz2, c);
      expect(g('bar-gz2_yes')).toBeCloseTo(d('bar_strong') + d('bar_weak'), 12);
      expect(g('bulge-size-gz2_obvious')).toBeCloseTo(d('bulge-size_large') + d('bulge-size_moderate'), 12);
      expect(g('smooth-or-featured-gz2_smooth')).toBeCloseTo(d('smooth-or-featured_smooth'), 12);
      expect(g('how-rounded-gz2_cigar')).toBeCloseTo(d('how-rounded_cigar-shaped'), 12);
    }));
  });

  it('should fall back to uniform answers for questions it does not simulate', () => {
    const probabilities = trueAnswerProbabilities(diskGalaxy(), ringsSchema);
    expect([...probabilities]).toEqual([0.5, 0.5]);
  });

  it('should make clear edge-on disks "featured" and "edge-on", and bright round ellipticals "smooth" and "round"', () => {
    const s = decalsDr5Schema;
    const edgeOn = trueAnswerProbabilities(diskGalaxy({ inclination: (88 * Math.PI) / 180 }), s);
    expect(p(s, edgeOn, 'smooth-or-featured_featured-or-disk')).toBeGreaterThan(0.9);
    expect(p(s, edgeOn, 'disk-edge-on_yes')).toBeGreaterThan(0.9);
    const round = trueAnswerProbabilities(smoothGalaxy(), s);
    expect(p(s, round, 'smooth-or-featured_smooth')).toBeGreaterThan(0.9);
    expect(p(s, round, 'how-rounded_round')).toBeGreaterThan(0.9);
    const spiral = trueAnswerProbabilities(diskGalaxy({ armCount: 2, armAmplitude: 0.9 }), s);
    expect(p(s, spiral, 'has-spiral-arms_yes')).toBeGreaterThan(0.9);
    expect(p(s, spiral, 'disk-edge-on_no')).toBeGreaterThan(0.9);
    expect(p(s, spiral, 'spiral-arm-count_2')).toBeGreaterThan(p(s, spiral, 'spiral-arm-count_4'));
  });

  it('should make features less certain as the galaxy gets fainter (realistic ambiguity)', () => {
    const s = decalsDr5Schema;
    fc.assert(fc.property(fc.double({ min: 0.6, max: 3, noNaN: true }), fc.double({ min: 1.05, max: 4, noNaN: true }), (flux, factor) => {
      const bright = diskGalaxy({ flux: flux * factor, armCount: 2, armAmplitude: 0.8 });
      const faint = diskGalaxy({ flux, armCount: 2, armAmplitude: 0.8 });
      const yes = (g: typeof bright): number => p(s, trueAnswerProbabilities(g, s), 'has-spiral-arms_yes');
      expect(yes(faint)).toBeLessThanOrEqual(yes(bright) + 1e-12);
    }));
  });

  it('should be monotone in the feature: a stronger bar is never less "strong", a more inclined disk never less "edge-on"', () => {
    const s = decalsDr5Schema;
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const strong = (x: number): number => p(s, trueAnswerProbabilities(diskGalaxy({ barStrength: x }), s), 'bar_strong');
      expect(strong(lo)).toBeLessThanOrEqual(strong(hi) + 1e-12);
      const edge = (x: number): number => p(s, trueAnswerProbabilities(diskGalaxy({ inclination: (x * Math.PI) / 2 }), s), 'disk-edge-on_yes');
      expect(edge(lo)).toBeLessThanOrEqual(edge(hi) + 1e-12);
    }));
  });

  it('should show arms and bars less on a coarser image, and leave a finely sampled image at the PSF-limited view', () => {
    const s = decalsDr5Schema;
    fc.assert(fc.property(galaxyArb, fc.integer({ min: 16, max: 1024 }), fc.integer({ min: 16, max: 1024 }), (params, a, b) => {
      const [coarse, fine] = a <= b ? [a, b] : [b, a];
      const at = (size: number | undefined, column: string): number => p(s, trueAnswerProbabilities(params, s, size), column);
      for (const column of ['has-spiral-arms_yes', 'bar_strong']) {
        expect(at(coarse, column)).toBeLessThanOrEqual(at(fine, column) + 1e-12);
        expect(at(fine, column)).toBeLessThanOrEqual(at(undefined, column) + 1e-12);
      }
      // Two pixels of a 10^6-pixel image are far below any PSF (FWHM >= 0.012 of the side).
      expect(Math.abs(at(1e6, 'has-spiral-arms_yes') - at(undefined, 'has-spiral-arms_yes'))).toBeLessThan(1e-6);
    }));
  });

  it('should hide arms that span a few pixels: a clear two-armed spiral reads as featured at 256 px but not at 16 px', () => {
    const s = decalsDr5Schema;
    const spiral = diskGalaxy({ armCount: 2, armAmplitude: 0.9, flux: 3, skyNoise: 1 });
    const featured = (size: number): number => p(s, trueAnswerProbabilities(spiral, s, size), 'smooth-or-featured_featured-or-disk');
    expect(featured(256)).toBeGreaterThan(0.8);
    expect(featured(16)).toBeLessThan(featured(256) - 0.3);
  });
});
