import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleGalaxyParameters } from '../../../src/data/synthetic/parameters.js';
import { createRng } from '../../../src/data/synthetic/random.js';
import { renderGalaxy } from '../../../src/data/synthetic/render.js';
import { ConfigError } from '../../../src/errors.js';
import { diskGalaxy, secondMoments, smoothGalaxy } from './galaxies.js';

const SIZE = 64;

/** Sum |I - rot90(I)| / sum I about the image centre (0 for a round galaxy). */
function rotationalAsymmetry(image: Float32Array, size: number): number {
  let diff = 0;
  let total = 0;
  for (let r = 0; r < size; r += 1) {
    for (let c = 0; c < size; c += 1) {
      const v = image[r * size + c] ?? 0;
      diff += Math.abs(v - (image[c * size + (size - 1 - r)] ?? 0));
      total += v;
    }
  }
  return diff / total;
}

describe('renderGalaxy', () => {
  it('should give size*size values in [0, 1] that are not constant, for any sampled galaxy', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 16, max: 80 }), (seed, size) => {
      const image = renderGalaxy(sampleGalaxyParameters(createRng(seed, 0, 0)), { size, rng: createRng(seed, 0, 1) });
      expect(image).toBeInstanceOf(Float32Array);
      expect(image.length).toBe(size * size);
      let min = Infinity;
      let max = -Infinity;
      for (const v of image) {
        expect(v >= 0 && v <= 1).toBe(true);
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(max - min).toBeGreaterThan(0.05);
    }), { numRuns: 30 });
  });

  it('should render the large Galaxy Zoo size (424 px)', () => {
    const image = renderGalaxy(diskGalaxy({ armCount: 2, armAmplitude: 0.8 }), { size: 424, rng: createRng(1) });
    expect(image.length).toBe(424 * 424);
    // The centre is the brightest region.
    const centre = image[212 * 424 + 212] ?? 0;
    expect(centre).toBeGreaterThan(image[5 * 424 + 5] ?? 1);
  });

  it('should be deterministic given the noise stream, and noiseless without one', () => {
    const params = diskGalaxy({ armCount: 3, armAmplitude: 0.7, barStrength: 0.5 });
    expect(renderGalaxy(params, { size: SIZE, rng: createRng(3) })).toEqual(renderGalaxy(params, { size: SIZE, rng: createRng(3) }));
    expect(renderGalaxy(params, { size: SIZE, rng: createRng(3) })).not.toEqual(renderGalaxy(params, { size: SIZE, rng: createRng(4) }));
    expect(renderGalaxy(params, { size: SIZE })).toEqual(renderGalaxy(params, { size: SIZE }));
  });

  it('should make inclined disks elongated along their position angle (second moments)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: Math.PI, noNaN: true, maxExcluded: true }), (positionAngle) => {
      const edgeOn = secondMoments(renderGalaxy(diskGalaxy({ inclination: 1.5, positionAngle, bulgeFraction: 0.1 }), { size: SIZE }), SIZE);
      const faceOn = secondMoments(renderGalaxy(diskGalaxy({ inclination: 0, positionAngle, bulgeFraction: 0.1 }), { size: SIZE }), SIZE);
      expect(edgeOn.axisRatio).toBeLessThan(0.45);
      expect(faceOn.axisRatio).toBeGreaterThan(0.9);
      // Angles are equal modulo pi.
      const delta = Math.abs(edgeOn.angle - positionAngle);
      expect(Math.min(delta, Math.PI - delta)).toBeLessThan(0.05);
    }), { numRuns: 10 });
  });

  it('should make the axis ratio of an elliptical follow its parameter', () => {
    const round = secondMoments(renderGalaxy(smoothGalaxy({ bulgeAxisRatio: 1 }), { size: SIZE }), SIZE);
    const flat = secondMoments(renderGalaxy(smoothGalaxy({ bulgeAxisRatio: 0.35 }), { size: SIZE }), SIZE);
    expect(round.axisRatio).toBeGreaterThan(0.95);
    expect(flat.axisRatio).toBeLessThan(0.7);
  });

  it('should give face-on spirals and bars structure that a smooth round galaxy lacks (rotational asymmetry)', () => {
    const smooth = rotationalAsymmetry(renderGalaxy(smoothGalaxy(), { size: SIZE }), SIZE);
    const plainDisk = rotationalAsymmetry(renderGalaxy(diskGalaxy(), { size: SIZE }), SIZE);
    const spiral = rotationalAsymmetry(renderGalaxy(diskGalaxy({ armCount: 2, armAmplitude: 0.9, pitchAngle: 0.35 }), { size: SIZE }), SIZE);
    const barred = rotationalAsymmetry(renderGalaxy(diskGalaxy({ barStrength: 0.9 }), { size: SIZE }), SIZE);
    // Round, centred galaxies are symmetric up to rounding; arms and bars are not (thresholds
    // well below the measured 0.9 and 0.06, well above the symmetric ones' 0).
    expect(smooth).toBeLessThan(0.002);
    expect(plainDisk).toBeLessThan(0.002);
    expect(spiral).toBeGreaterThan(0.3);
    expect(barred).toBeGreaterThan(0.03);
  });

  it('should blur more with a wider PSF (lower peak) and add noise with a noise stream', () => {
    const peak = (image: Float32Array): number => image.reduce((m, v) => Math.max(m, v), 0);
    const sharp = renderGalaxy(smoothGalaxy({ psfFwhm: 0.01 }), { size: SIZE });
    const blurred = renderGalaxy(smoothGalaxy({ psfFwhm: 0.05 }), { size: SIZE });
    expect(peak(blurred)).toBeLessThan(peak(sharp));
    // The corner is empty sky: 0 without noise, positive somewhere with it.
    const noisy = renderGalaxy(smoothGalaxy(), { size: SIZE, rng: createRng(1) });
    expect(sharp[0]).toBeLessThan(0.01);
    expect(Array.from(noisy.subarray(0, SIZE)).some((v) => v > 0.02)).toBe(true);
  });

  it('should reject sizes outside [16, 1024]', () => {
    expect(() => renderGalaxy(diskGalaxy(), { size: 8 })).toThrow(ConfigError);
    expect(() => renderGalaxy(diskGalaxy(), { size: 64.5 })).toThrow(/size/);
  });
});
