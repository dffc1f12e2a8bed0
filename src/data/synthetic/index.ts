/**
 * Synthetic galaxies, the embedded default data set: seeded images with known morphology,
 * simulated volunteer votes that follow the decision tree exactly, and the true answer
 * probabilities behind the votes (for checking calibration against ground truth).
 * Browser-safe: no Node imports.
 *
 * @module
 */
export { Rng, createRng } from './random.js';
export {
  sampleGalaxyParameters,
  type GalaxyParameters, type Morphology, type ArtifactKind, type Artifact, type Companion,
} from './parameters.js';
export { observe, diskAxisRatio, resolutionElement, NYQUIST_PIXELS, type Observables } from './observables.js';
export { renderGalaxy, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE, type RenderOptions } from './render.js';
export { trueAnswerProbabilities, SIMULATED_QUESTIONS } from './truth.js';
export { simulateVolunteers, type SimulateVolunteersOptions } from './volunteers.js';
export {
  generateSyntheticGalaxies, syntheticId, DEFAULT_VOLUNTEERS,
  type SyntheticOptions, type SyntheticGalaxy,
} from './generate.js';
