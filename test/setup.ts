import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';

// Property runs: FC_SEED=<n> replays a reported failure. CI pins a seed so that a green run of
// .ci/run on a clean clone predicts the next one; local runs draw fresh seeds and keep exploring.
const CI_SEED = 20_261_126;
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : process.env.CI ? CI_SEED : undefined;
fc.configureGlobal({ ...(seed !== undefined ? { seed } : {}), numRuns: 50 });

// The default backend for tests; suites that need others switch with test/helpers/backends.ts.
// (In Node, tfjs would otherwise try webgl first and fail.)
await tf.setBackend('cpu');
await tf.ready();
