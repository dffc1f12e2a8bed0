import type { GalaxyParameters } from '../../../src/data/synthetic/parameters.js';

/** A bright, centred, face-on disk galaxy without bar, arms or artefacts; tests override what they vary. */
export function diskGalaxy(overrides: Partial<GalaxyParameters> = {}): GalaxyParameters {
  return {
    morphology: 'featured', flux: 2, centerX: 0, centerY: 0, positionAngle: 0,
    bulgeFraction: 0.2, sersicIndex: 2, bulgeRadius: 0.025, bulgeAxisRatio: 1,
    diskScaleLength: 0.09, inclination: 0,
    barStrength: 0, barLength: 1.7, barAngle: 0,
    armCount: 0, pitchAngle: 0.3, armAmplitude: 0, armPhase: 0,
    disturbance: 0, tailAngle: 0, companion: null,
    artifact: { kind: 'none', x: 0, y: 0, angle: 0, strength: 0 },
    psfFwhm: 0.015, skyNoise: 1,
    ...overrides,
  };
}

/** A bright, centred, round elliptical (one Sersic component). */
export function smoothGalaxy(overrides: Partial<GalaxyParameters> = {}): GalaxyParameters {
  return diskGalaxy({
    morphology: 'smooth', bulgeFraction: 1, sersicIndex: 4, bulgeRadius: 0.08, bulgeAxisRatio: 1,
    diskScaleLength: 0, armCount: 0, armAmplitude: 0, ...overrides,
  });
}

/**
 * Intensity-weighted second moments of a row-major image, written independently of the
 * renderer: returns the axis ratio sqrt(lambda_min / lambda_max) and the major-axis angle
 * (radians, x to the right, y down, in [0, pi)).
 */
export function secondMoments(image: ArrayLike<number>, size: number): { axisRatio: number; angle: number } {
  let total = 0;
  let mx = 0;
  let my = 0;
  for (let r = 0; r < size; r += 1) {
    for (let c = 0; c < size; c += 1) {
      const w = image[r * size + c] ?? 0;
      total += w;
      mx += w * c;
      my += w * r;
    }
  }
  mx /= total;
  my /= total;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let r = 0; r < size; r += 1) {
    for (let c = 0; c < size; c += 1) {
      const w = image[r * size + c] ?? 0;
      xx += w * (c - mx) ** 2;
      yy += w * (r - my) ** 2;
      xy += w * (c - mx) * (r - my);
    }
  }
  const half = (xx + yy) / 2;
  const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  const angle = 0.5 * Math.atan2(2 * xy, xx - yy);
  return { axisRatio: Math.sqrt((half - root) / (half + root)), angle: (angle + Math.PI) % Math.PI };
}
