/**
 * The physical description of one synthetic galaxy and a seeded sampler for it.
 *
 * Lengths are fractions of the image side, so the same galaxy can be rendered at any size.
 * Angles are radians.
 *
 * @module
 */
import type { Rng } from './random.js';

/** What the galaxy really is; volunteers only see what the image shows. */
export type Morphology = 'smooth' | 'featured' | 'artifact';

/** An image defect drawn over the galaxy. */
export type ArtifactKind = 'none' | 'satellite-trail' | 'bright-star';

/** A second galaxy close to the first, for mergers. */
export interface Companion {
  /** Offset of its centre from the main galaxy's centre (fraction of the image side). */
  readonly dx: number;
  readonly dy: number;
  /** Its flux relative to the main galaxy's. */
  readonly fluxRatio: number;
  /** Its Sersic effective radius. */
  readonly radius: number;
  /** Its Sersic index. */
  readonly sersicIndex: number;
}

/** An artefact and where it lies. */
export interface Artifact {
  readonly kind: ArtifactKind;
  /** Point on the trail, or the star's centre (fraction of the image side from the centre). */
  readonly x: number;
  readonly y: number;
  /** Direction of the trail, or of the diffraction spikes. */
  readonly angle: number;
  /** Surface brightness of the trail or peak of the star, relative to the galaxy's. */
  readonly strength: number;
}

/** Everything that determines one synthetic galaxy's image and its true answer probabilities. */
export interface GalaxyParameters {
  readonly morphology: Morphology;
  /** Total flux of the galaxy, arbitrary units (0.4 faint to 3 bright). */
  readonly flux: number;
  /** Offset of the centre from the image centre (fraction of the side). */
  readonly centerX: number;
  readonly centerY: number;
  /** Position angle of the major axis. */
  readonly positionAngle: number;
  /** Bulge-to-total flux ratio in [0, 1] (1 for an elliptical). */
  readonly bulgeFraction: number;
  /** Sersic index of the bulge (1 exponential to 6 steep de Vaucouleurs-like). */
  readonly sersicIndex: number;
  /** Effective (half-light) radius of the bulge. */
  readonly bulgeRadius: number;
  /** Intrinsic axis ratio of the bulge as seen on the sky (smooth galaxies: their roundness). */
  readonly bulgeAxisRatio: number;
  /** Exponential scale length of the disk (0 when there is no disk). */
  readonly diskScaleLength: number;
  /** Inclination of the disk: 0 face-on, pi/2 edge-on. */
  readonly inclination: number;
  /** Bar strength in [0, 1] (0: no bar). */
  readonly barStrength: number;
  /** Bar half-length in units of the disk scale length. */
  readonly barLength: number;
  /** Bar angle in the disk plane, from the disk's major axis. */
  readonly barAngle: number;
  /** Number of spiral arms (1 to 6). */
  readonly armCount: number;
  /** Pitch angle of the logarithmic arms: small is tightly wound. */
  readonly pitchAngle: number;
  /** Fractional amplitude of the arm modulation of the disk, in [0, 1] (0: no arms). */
  readonly armAmplitude: number;
  /** Phase of the arm pattern. */
  readonly armPhase: number;
  /** Disturbance in [0, 1]: about 0.25 minor, 0.5 major disturbance, 0.75 and up merger. */
  readonly disturbance: number;
  /** Angle of the tidal tails. */
  readonly tailAngle: number;
  /** Present for mergers. */
  readonly companion: Companion | null;
  readonly artifact: Artifact;
  /** Gaussian PSF FWHM (fraction of the side). */
  readonly psfFwhm: number;
  /**
   * Sky noise standard deviation per pixel, in surface-brightness units (flux per unit area,
   * the area measured in image sides squared).
   */
  readonly skyNoise: number;
}

/** Fraction of galaxies of each kind (smooth and featured about equal, as in GZ DECaLS). */
const SMOOTH_FRACTION = 0.47;
const ARTIFACT_FRACTION = 0.03;

/**
 * Draws a galaxy's parameters. The proportions are loosely those of GZ DECaLS: about half
 * smooth, a few per cent artefacts; among disks about a fifth edge-on, a third barred and
 * most with arms. Some galaxies are made faint or their features weak on purpose so that the
 * true answers are genuinely uncertain.
 *
 * @param rng - the galaxy's parameter stream.
 * @returns the parameters (plain, frozen-free data; JSON-able).
 */
export function sampleGalaxyParameters(rng: Rng): GalaxyParameters {
  const u = rng.next();
  const morphology: Morphology = u < ARTIFACT_FRACTION ? 'artifact' : u < ARTIFACT_FRACTION + SMOOTH_FRACTION ? 'smooth' : 'featured';
  const featured = morphology === 'featured';
  // Log-uniform flux: faint galaxies show their features less clearly.
  const flux = morphology === 'artifact' ? rng.uniform(0.1, 0.8) : Math.exp(rng.uniform(Math.log(0.4), Math.log(3)));
  const base = {
    morphology,
    flux,
    centerX: rng.normal(0, 0.01),
    centerY: rng.normal(0, 0.01),
    positionAngle: rng.uniform(0, Math.PI),
  };

  const disk = featured ? sampleDisk(rng) : noDisk(rng);
  const disturbance = sampleDisturbance(rng);
  const companion = disturbance > 0.75 ? sampleCompanion(rng) : null;
  return {
    ...base,
    ...disk,
    disturbance,
    tailAngle: rng.uniform(0, 2 * Math.PI),
    companion,
    artifact: sampleArtifact(rng, morphology === 'artifact'),
    psfFwhm: rng.uniform(0.012, 0.025),
    skyNoise: rng.uniform(1, 3),
  };
}

type Structure = Pick<GalaxyParameters,
  'bulgeFraction' | 'sersicIndex' | 'bulgeRadius' | 'bulgeAxisRatio' | 'diskScaleLength' | 'inclination'
  | 'barStrength' | 'barLength' | 'barAngle' | 'armCount' | 'pitchAngle' | 'armAmplitude' | 'armPhase'>;

/** An elliptical: one Sersic component, no disk structure. */
function noDisk(rng: Rng): Structure {
  return {
    bulgeFraction: 1,
    sersicIndex: rng.uniform(2, 6),
    bulgeRadius: Math.exp(rng.uniform(Math.log(0.045), Math.log(0.14))),
    // E0 to E6: the flattest ellipticals (E7) are rare, and this keeps them apart from edge-on disks.
    bulgeAxisRatio: rng.uniform(0.4, 1),
    diskScaleLength: 0,
    inclination: 0,
    barStrength: 0,
    barLength: 0,
    barAngle: 0,
    armCount: 0,
    pitchAngle: 0,
    armAmplitude: 0,
    armPhase: 0,
  };
}

/** A disk galaxy: bulge + exponential disk, maybe a bar, usually arms. */
function sampleDisk(rng: Rng): Structure {
  // cos(i) uniform = random orientations in space.
  const inclination = Math.acos(rng.next());
  const barred = rng.bernoulli(0.35);
  const armed = rng.bernoulli(0.8);
  // Arm counts: mostly two, as observed.
  const armCount = 1 + rng.categorical([0.08, 0.55, 0.17, 0.1, 0.06, 0.04]);
  return {
    bulgeFraction: rng.beta(1.3, 2.6),
    sersicIndex: rng.uniform(1, 4),
    bulgeRadius: Math.exp(rng.uniform(Math.log(0.015), Math.log(0.045))),
    bulgeAxisRatio: rng.uniform(0.7, 1),
    diskScaleLength: Math.exp(rng.uniform(Math.log(0.06), Math.log(0.13))),
    inclination,
    barStrength: barred ? rng.beta(2, 2) : 0,
    barLength: rng.uniform(1.2, 2.2),
    barAngle: rng.uniform(0, Math.PI),
    armCount: armed ? armCount : 0,
    // 8 to 40 degrees: Sa (tight) to Sd (loose).
    pitchAngle: rng.uniform(8, 40) * (Math.PI / 180),
    armAmplitude: armed ? rng.beta(2.2, 1.6) : 0,
    armPhase: rng.uniform(0, 2 * Math.PI),
  };
}

/** Mostly undisturbed; a long tail of disturbances and mergers. */
function sampleDisturbance(rng: Rng): number {
  const u = rng.next();
  if (u < 0.75) return rng.uniform(0, 0.12);
  if (u < 0.88) return rng.uniform(0.12, 0.45);
  if (u < 0.95) return rng.uniform(0.45, 0.75);
  return rng.uniform(0.75, 1);
}

function sampleCompanion(rng: Rng): Companion {
  const distance = rng.uniform(0.1, 0.22);
  const angle = rng.uniform(0, 2 * Math.PI);
  return {
    dx: distance * Math.cos(angle),
    dy: distance * Math.sin(angle),
    fluxRatio: rng.uniform(0.25, 0.9),
    radius: rng.uniform(0.02, 0.05),
    sersicIndex: rng.uniform(1, 4),
  };
}

/** Artefact images get a strong defect; a few ordinary images get a mild one. */
function sampleArtifact(rng: Rng, isArtifact: boolean): Artifact {
  const present = isArtifact || rng.bernoulli(0.05);
  const kind: ArtifactKind = present ? (rng.bernoulli(0.5) ? 'satellite-trail' : 'bright-star') : 'none';
  const star = kind === 'bright-star';
  return {
    kind,
    x: star && !isArtifact ? rng.uniform(0.22, 0.4) * (rng.bernoulli(0.5) ? 1 : -1) : rng.uniform(-0.15, 0.15),
    y: star && !isArtifact ? rng.uniform(-0.4, 0.4) : rng.uniform(-0.15, 0.15),
    angle: rng.uniform(0, Math.PI),
    strength: isArtifact ? rng.uniform(1, 3) : rng.uniform(0.2, 0.6),
  };
}
