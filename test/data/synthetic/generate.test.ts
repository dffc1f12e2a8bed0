import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSyntheticGalaxies, syntheticId } from '../../../src/data/synthetic/generate.js';
import { checkConsistency, decalsDr5Schema, gz2OrthoSchema, questionTotals64 } from '../../../src/decisionTree/index.js';
import { trueAnswerProbabilities } from '../../../src/data/synthetic/truth.js';
import { ConfigError } from '../../../src/errors.js';

const SIZE = 24;

describe('generateSyntheticGalaxies', () => {
  it('should give identical galaxies (images, votes, truth) for the same seed', () => {
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), (seed) => {
      const a = [...generateSyntheticGalaxies({ count: 3, size: SIZE, seed })];
      const b = [...generateSyntheticGalaxies({ count: 3, size: SIZE, seed })];
      expect(b).toEqual(a);
      expect(Buffer.from(b[2]!.image.buffer)).toEqual(Buffer.from(a[2]!.image.buffer));
    }), { numRuns: 15 });
  });

  it('should give different galaxies for different seeds', () => {
    const [a] = [...generateSyntheticGalaxies({ count: 1, size: SIZE, seed: 1 })];
    const [b] = [...generateSyntheticGalaxies({ count: 1, size: SIZE, seed: 2 })];
    expect(a!.image).not.toEqual(b!.image);
  });

  it('should make galaxy i depend only on (seed, i, image size): not on count or start', () => {
    const all = [...generateSyntheticGalaxies({ count: 6, size: SIZE, seed: 5 })];
    const tail = [...generateSyntheticGalaxies({ count: 2, start: 4, size: SIZE, seed: 5 })];
    expect(tail).toEqual(all.slice(4));
    // A bigger image shows the same galaxy; the volunteers classify the image they are shown.
    const bigger = [...generateSyntheticGalaxies({ count: 6, size: 2 * SIZE, seed: 5 })];
    bigger.forEach((g, i) => {
      expect(g.params).toEqual(all[i]!.params);
      expect(g.trueProbabilities).toEqual(trueAnswerProbabilities(g.params, decalsDr5Schema, 2 * SIZE));
      expect(all[i]!.trueProbabilities).toEqual(trueAnswerProbabilities(g.params, decalsDr5Schema, SIZE));
      expect(g.image.length).toBe(4 * SIZE * SIZE);
    });
  });

  it('should give unique ids and votes that obey the tree for any schema', () => {
    const galaxies = [...generateSyntheticGalaxies({ count: 30, size: 16, seed: 9, schema: gz2OrthoSchema })];
    expect(new Set(galaxies.map((g) => g.id)).size).toBe(30);
    expect(galaxies[3]!.id).toBe(syntheticId(3));
    for (const g of galaxies) {
      expect(g.counts.length).toBe(gz2OrthoSchema.answerCount);
      expect(checkConsistency(g.counts, gz2OrthoSchema)).toEqual([]);
      expect(questionTotals64(g.counts, gz2OrthoSchema)[0]).toBe(40);
    }
  });

  it('should vary volunteer numbers when asked, keeping root totals equal to them', () => {
    const galaxies = [...generateSyntheticGalaxies({ count: 40, size: 16, seed: 2, volunteers: 30, varyVolunteers: true })];
    const numbers = new Set(galaxies.map((g) => g.volunteers));
    expect(numbers.size).toBeGreaterThan(3);
    for (const g of galaxies) expect(g.counts[0]! + g.counts[1]! + g.counts[2]!).toBe(g.volunteers);
  });

  it('should mix smooth, featured and artefact galaxies, with some ambiguous ones', () => {
    const galaxies = [...generateSyntheticGalaxies({ count: 300, size: 16, seed: 4 })];
    const kinds = new Set(galaxies.map((g) => g.params.morphology));
    expect(kinds).toEqual(new Set(['smooth', 'featured', 'artifact']));
    const ambiguous = galaxies.filter((g) => Math.max(g.trueProbabilities[0]!, g.trueProbabilities[1]!) < 0.8);
    expect(ambiguous.length).toBeGreaterThan(15);
    expect(ambiguous.length).toBeLessThan(150);
  });

  it('should reject bad options at the call, before any galaxy is made', () => {
    expect(() => generateSyntheticGalaxies({ count: -1 })).toThrow(ConfigError);
    expect(() => generateSyntheticGalaxies({ count: 1, size: 4 })).toThrow(/size/);
    expect(() => generateSyntheticGalaxies({ count: 1, seed: 0.5 })).toThrow(/seed/);
    expect(() => generateSyntheticGalaxies({ count: 1, volunteers: 1.5 })).toThrow(/volunteers/);
  });
});
