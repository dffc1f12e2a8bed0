import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';

// Reproducible property runs: FC_SEED=<n> replays a failure that CI reported.
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;
fc.configureGlobal({ ...(seed !== undefined ? { seed } : {}), numRuns: 50 });

// The default backend for tests; suites that need others switch with test/helpers/backends.ts.
// (In Node, tfjs would otherwise try webgl first and fail.)
await tf.setBackend('cpu');
await tf.ready();
