/**
 * What a volunteer can actually see of a galaxy: signal-to-noise, projected shape and how
 * clearly each feature stands out. Shared by the renderer (geometry) and the true answer
 * probabilities (visibility), so that the votes follow what the image shows.
 *
 * @module
 */
import type { GalaxyParameters } from './parameters.js';

/** Intrinsic thickness of a disk (axis ratio seen exactly edge-on). */
export const DISK_THICKNESS = 0.12;

/** Flux fraction that tidal tails take from a galaxy of this disturbance (0 below 0.08). */
export function tailFraction(disturbance: number): number {
  return 0.3 * Math.max(0, disturbance - 0.08);
}

/**
 * Pixels per resolution element at which an image still shows structure: two, the Nyquist
 * sampling of the smallest feature it can carry.
 */
export const NYQUIST_PIXELS = 2;

/**
 * The smallest structure an image shows, as a fraction of its side: the PSF's FWHM and the pixel
 * grid's limit ({@link NYQUIST_PIXELS} pixels) added in quadrature. Without an image size, the
 * PSF alone (an image sampled finely enough not to lose anything).
 */
export function resolutionElement(psfFwhm: number, imageSize?: number): number {
  return imageSize === undefined ? psfFwhm : Math.hypot(psfFwhm, NYQUIST_PIXELS / imageSize);
}

/** Sky axis ratio of a thick disk seen at `inclination` (Hubble 1926). */
export function diskAxisRatio(inclination: number): number {
  const c = Math.cos(inclination);
  return Math.sqrt(c * c * (1 - DISK_THICKNESS * DISK_THICKNESS) + DISK_THICKNESS * DISK_THICKNESS);
}

/** Cubic smooth step from 0 at `low` to 1 at `high`. */
export function smoothstep(x: number, low: number, high: number): number {
  const t = Math.min(1, Math.max(0, (x - low) / (high - low)));
  return t * t * (3 - 2 * t);
}

/** Logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Derived, visible quantities of one galaxy, each in [0, 1] unless noted. */
export interface Observables {
  /**
   * Detectability of the galaxy's light: flux / (sky noise x half-light radius), which is
   * proportional to the integrated signal-to-noise of an extended source (unbounded).
   */
  readonly detectability: number;
  /** How clearly any structure can be seen at all, from the detectability. */
  readonly clarity: number;
  /** Flux-weighted sky axis ratio of the whole galaxy (1 round, small elongated). */
  readonly axisRatio: number;
  /** How edge-on the disk looks (0 for a galaxy without a disk). */
  readonly edgeOn: number;
  /** How clearly spiral arms show. */
  readonly arms: number;
  /** How clearly a bar shows. */
  readonly bar: number;
  /** How clearly there is a disk at all (a featureless disk still counts a little). */
  readonly disk: number;
  /** How clearly the galaxy is disturbed (tails, companion). */
  readonly disturbance: number;
  /** How much an artefact dominates the image. */
  readonly artifact: number;
}

/**
 * The visible quantities that the true answer probabilities are built from.
 *
 * @param p - the galaxy.
 * @param imageSize - side in pixels of the image the volunteers are shown. Arms and bars smaller
 *   than the {@link resolutionElement} do not show, so the votes follow what that image can show
 *   (as in Galaxy Zoo, where volunteers classify the image they are given). Omit it for the
 *   PSF-limited view.
 * @returns its {@link Observables}.
 */
export function observe(p: GalaxyParameters, imageSize?: number): Observables {
  const hasDisk = p.diskScaleLength > 0;
  const diskQ = hasDisk ? diskAxisRatio(p.inclination) : 1;
  const bt = p.bulgeFraction;
  const halfLight = bt * p.bulgeRadius + (1 - bt) * 1.68 * p.diskScaleLength;
  const axisRatio = bt * p.bulgeAxisRatio + (1 - bt) * diskQ;
  // Calibrated by eye on contact sheets: arms of amplitude > 0.6 show from about 1.5 up.
  const detectability = p.flux / (p.skyNoise * halfLight);
  const clarity = smoothstep(detectability, 0.8, 3.5);
  // Structure smaller than about two resolution elements is washed out.
  const resolved = hasDisk ? smoothstep(p.diskScaleLength / resolutionElement(p.psfFwhm, imageSize), 1.5, 4) : 0;
  const faceOn = smoothstep(Math.cos(p.inclination), 0.25, 0.7);
  const diskLight = 1 - 0.7 * bt;
  const edgeOn = hasDisk ? smoothstep(0.42 - diskQ, 0, 0.2) * smoothstep(detectability, 0.5, 2) : 0;
  const arms = p.armAmplitude * clarity * resolved * faceOn * diskLight;
  const bar = p.barStrength * clarity * resolved * smoothstep(Math.cos(p.inclination), 0.2, 0.6);
  const disk = hasDisk ? (1 - bt) * clarity : 0;
  const disturbance = Math.min(1, p.disturbance * (0.4 + 0.6 * smoothstep(detectability, 0.5, 3)));
  const artifactSignal = p.artifact.kind === 'none' ? 0 : p.artifact.strength / (p.artifact.strength + p.flux);
  return {
    detectability, clarity, axisRatio, edgeOn, arms, bar, disk, disturbance,
    artifact: p.morphology === 'artifact' ? Math.max(0.75, artifactSignal) : 0.15 * artifactSignal,
  };
}
