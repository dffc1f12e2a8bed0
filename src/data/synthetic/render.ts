/**
 * Renders a synthetic galaxy: Sersic bulge + exponential disk (inclined, with a Ferrers bar
 * and logarithmic spiral arms), tidal tails and a companion for disturbed galaxies, artefacts,
 * Gaussian PSF blur, sky + Poisson noise and an asinh stretch to [0, 1].
 *
 * @module
 */
import { ConfigError } from '../../errors.js';
import { diskAxisRatio, smoothstep, tailFraction } from './observables.js';
import type { GalaxyParameters } from './parameters.js';
import type { Rng } from './random.js';

/** Smallest and largest image side supported. */
export const MIN_IMAGE_SIZE = 16;
export const MAX_IMAGE_SIZE = 1024;

/** Surface brightness (flux per image-side squared) at which the asinh stretch turns logarithmic. */
const STRETCH_SOFTENING = 2.5;
/** Surface brightness that maps to 1 (brighter pixels saturate, as in survey cutouts). */
const STRETCH_MAX = 150;
/** Poisson noise: variance per unit surface brightness (the galaxy's own shot noise). */
const SHOT_NOISE_GAIN = 0.04;
/** Reference surface brightness of artefacts with strength 1. */
const ARTIFACT_BRIGHTNESS = 120;

/** Options of {@link renderGalaxy}. */
export interface RenderOptions {
  /** Image side in pixels (the image is square). */
  readonly size: number;
  /** Noise stream; without it the image is noiseless (useful to look at the model itself). */
  readonly rng?: Rng;
}

/**
 * Checks an image side.
 * @throws {@link ConfigError} naming `where` when `size` is not an integer in [16, 1024].
 */
export function assertImageSize(size: number, where: string): void {
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE || size > MAX_IMAGE_SIZE) {
    throw new ConfigError(`${where}: size must be an integer in [${MIN_IMAGE_SIZE}, ${MAX_IMAGE_SIZE}], got ${size}`);
  }
}

type Profile = (x: number, y: number) => number;

/**
 * Renders one galaxy.
 *
 * @param params - the galaxy, from {@link sampleGalaxyParameters}.
 * @param options - image side and the noise stream.
 * @returns a `Float32Array` of `size * size` greyscale values in [0, 1], row-major, row 0 at the top.
 * @throws {@link ConfigError} for a size outside [16, 1024] or not an integer.
 * @example
 * ```ts
 * const image = renderGalaxy(sampleGalaxyParameters(createRng(1, 0, 0)), { size: 64, rng: createRng(1, 0, 1) });
 * ```
 */
export function renderGalaxy(params: GalaxyParameters, options: RenderOptions): Float32Array {
  const size = options.size;
  assertImageSize(size, 'renderGalaxy');
  const sb = new Float64Array(size * size);
  const scratch = new Float64Array(size * size);
  const pixel = 1 / size;
  const tails = tailFraction(params.disturbance);
  const own = params.flux * (1 - tails);

  if (params.bulgeFraction > 0) {
    addComponent(sb, scratch, size, own * params.bulgeFraction, bulgeProfile(params, pixel));
  }
  if (params.bulgeFraction < 1 && params.diskScaleLength > 0) {
    addComponent(sb, scratch, size, own * (1 - params.bulgeFraction), diskProfile(params));
  }
  if (tails > 0) addComponent(sb, scratch, size, params.flux * tails, tailProfile(params));
  const c = params.companion;
  if (c !== null) {
    const companion = sersic(c.sersicIndex, c.radius, 0.8, params.tailAngle, pixel);
    addComponent(sb, scratch, size, params.flux * c.fluxRatio, (x, y) => companion(x - params.centerX - c.dx, y - params.centerY - c.dy));
  }
  addArtifact(sb, size, params);

  const sigmaPixels = (params.psfFwhm * size) / 2.3548;
  gaussianBlur(sb, scratch, size, sigmaPixels);
  const rng = options.rng;
  const out = new Float32Array(size * size);
  const norm = Math.asinh(STRETCH_MAX / STRETCH_SOFTENING);
  for (let i = 0; i < out.length; i += 1) {
    let value = sb[i] ?? 0;
    if (rng !== undefined) {
      const variance = params.skyNoise * params.skyNoise + SHOT_NOISE_GAIN * Math.max(0, value);
      value += Math.sqrt(variance) * rng.normal();
    }
    out[i] = Math.min(1, Math.max(0, Math.asinh(value / STRETCH_SOFTENING) / norm));
  }
  return out;
}

/**
 * Adds `flux` worth of a profile: the profile is sampled at pixel centres and normalised by
 * its own sum, so every component carries exactly its flux whatever the image size.
 */
function addComponent(target: Float64Array, scratch: Float64Array, size: number, flux: number, profile: Profile): void {
  let total = 0;
  for (let row = 0; row < size; row += 1) {
    const y = (row + 0.5) / size - 0.5;
    for (let col = 0; col < size; col += 1) {
      const v = profile((col + 0.5) / size - 0.5, y);
      scratch[row * size + col] = v;
      total += v;
    }
  }
  if (!(total > 0)) return;
  // Surface brightness = flux per pixel / pixel area.
  const scale = (flux / total) * size * size;
  for (let i = 0; i < target.length; i += 1) target[i] = (target[i] ?? 0) + scale * (scratch[i] ?? 0);
}

/** Sersic b_n (Ciotti and Bertin 1999), so that the effective radius holds half the light. */
function sersicB(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
}

/**
 * An elliptical Sersic profile centred at the origin. The radius is softened by half a pixel
 * so that steep cusps are not dominated by where the centre happens to fall.
 */
function sersic(n: number, radius: number, axisRatio: number, angle: number, pixel: number): Profile {
  const b = sersicB(n);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const soft2 = 0.25 * pixel * pixel;
  return (x, y) => {
    const u = x * cos + y * sin;
    const v = (-x * sin + y * cos) / axisRatio;
    const r = Math.sqrt(u * u + v * v + soft2) / radius;
    return Math.exp(-b * (Math.pow(r, 1 / n) - 1));
  };
}

function bulgeProfile(p: GalaxyParameters, pixel: number): Profile {
  const profile = sersic(p.sersicIndex, p.bulgeRadius, p.bulgeAxisRatio, p.positionAngle, pixel);
  return (x, y) => profile(x - p.centerX, y - p.centerY);
}

/**
 * The disk, bar and arms, all defined in the disk plane: a sky position is rotated to the
 * major axis and the minor-axis coordinate stretched by 1 / axis ratio (deprojection).
 */
function diskProfile(p: GalaxyParameters): Profile {
  const h = p.diskScaleLength;
  const q = diskAxisRatio(p.inclination);
  const cos = Math.cos(p.positionAngle);
  const sin = Math.sin(p.positionAngle);
  const barCos = Math.cos(p.barAngle);
  const barSin = Math.sin(p.barAngle);
  const barLength = p.barLength * h;
  const barWidth = 0.25 * barLength;
  // The bar's peak, relative to the disk's central surface brightness.
  const barPeak = 4 * p.barStrength;
  const windingRate = p.armCount / Math.tan(p.pitchAngle);
  // Mean of ((1 + cos)/2)^2 over a period is 3/8: the arm term averages to zero.
  const armScale = p.armAmplitude * 0.9;
  return (x, y) => {
    const dx = x - p.centerX;
    const dy = y - p.centerY;
    const u = dx * cos + dy * sin;
    const v = (-dx * sin + dy * cos) / q;
    const r = Math.sqrt(u * u + v * v);
    let value = Math.exp(-r / h);
    if (armScale > 0) {
      const psi = p.armCount * (Math.atan2(v, u) - p.armPhase) - windingRate * Math.log(Math.max(r, 1e-6) / h);
      const wave = 0.5 * (1 + Math.cos(psi));
      value *= 1 + armScale * smoothstep(r / h, 0.4, 1.4) * ((wave * wave) / 0.375 - 1);
    }
    if (barPeak > 0) {
      const bu = (u * barCos + v * barSin) / barLength;
      const bv = (-u * barSin + v * barCos) / barWidth;
      const m2 = bu * bu + bv * bv;
      if (m2 < 1) value += barPeak * (1 - m2) * (1 - m2);
    }
    return value;
  };
}

/**
 * Tidal tails: faint logarithmic arcs well outside the galaxy, strongly lopsided (one long
 * tail, a weak counter-tail) so they do not read as a regular spiral.
 */
function tailProfile(p: GalaxyParameters): Profile {
  const extent = 1.5 * Math.max(p.diskScaleLength * 1.68, p.bulgeRadius);
  const windingRate = 2 / Math.tan((22 * Math.PI) / 180);
  return (x, y) => {
    const dx = x - p.centerX;
    const dy = y - p.centerY;
    const r = Math.sqrt(dx * dx + dy * dy);
    const theta = Math.atan2(dy, dx);
    const psi = 2 * (theta - p.tailAngle) - windingRate * Math.log(Math.max(r, 1e-6) / extent);
    const crest = 0.5 * (1 + Math.cos(psi));
    const wave = crest * crest * crest * crest * crest * crest;
    const lopsided = 0.15 + Math.pow(0.5 * (1 + Math.cos(theta - p.tailAngle)), 3);
    return wave * lopsided * Math.exp(-r / (2.5 * extent)) * smoothstep(r / extent, 0.7, 1.6);
  };
}

/** Draws the artefact straight into the surface-brightness map (before the PSF, as on the sky). */
function addArtifact(sb: Float64Array, size: number, p: GalaxyParameters): void {
  const a = p.artifact;
  if (a.kind === 'none') return;
  const cos = Math.cos(a.angle);
  const sin = Math.sin(a.angle);
  const peak = a.strength * ARTIFACT_BRIGHTNESS;
  const width = Math.max(0.6 / size, 0.003);
  for (let row = 0; row < size; row += 1) {
    const y = (row + 0.5) / size - 0.5 - a.y;
    for (let col = 0; col < size; col += 1) {
      const x = (col + 0.5) / size - 0.5 - a.x;
      const along = x * cos + y * sin;
      const across = -x * sin + y * cos;
      let value: number;
      if (a.kind === 'satellite-trail') {
        value = peak * Math.exp(-(across * across) / (2 * width * width));
      } else {
        // A Moffat core with broad wings, plus four diffraction spikes.
        const r2 = (x * x + y * y) / (0.008 * 0.008);
        const spikes = Math.exp(-(across * across) / (2 * width * width)) * Math.exp(-Math.abs(along) / 0.12)
          + Math.exp(-(along * along) / (2 * width * width)) * Math.exp(-Math.abs(across) / 0.12);
        value = peak * (20 * Math.pow(1 + r2, -2.5) + 0.4 * spikes);
      }
      const i = row * size + col;
      sb[i] = (sb[i] ?? 0) + value;
    }
  }
}

/**
 * In-place separable Gaussian blur with clamped edges. Sigmas under a tenth of a pixel are
 * skipped (the kernel would be a delta).
 */
function gaussianBlur(image: Float64Array, scratch: Float64Array, size: number, sigma: number): void {
  if (sigma < 0.1) return;
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k += 1) {
    const w = Math.exp(-(k * k) / (2 * sigma * sigma));
    kernel[k + radius] = w;
    total += w;
  }
  for (let k = 0; k < kernel.length; k += 1) kernel[k] = (kernel[k] ?? 0) / total;
  const last = size - 1;
  // Rows into scratch, then columns back into the image.
  for (let row = 0; row < size; row += 1) {
    const base = row * size;
    for (let col = 0; col < size; col += 1) {
      let acc = 0;
      for (let k = -radius; k <= radius; k += 1) {
        const c = Math.min(last, Math.max(0, col + k));
        acc += (kernel[k + radius] ?? 0) * (image[base + c] ?? 0);
      }
      scratch[base + col] = acc;
    }
  }
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size; col += 1) {
      let acc = 0;
      for (let k = -radius; k <= radius; k += 1) {
        const r = Math.min(last, Math.max(0, row + k));
        acc += (kernel[k + radius] ?? 0) * (scratch[r * size + col] ?? 0);
      }
      image[row * size + col] = acc;
    }
  }
}
