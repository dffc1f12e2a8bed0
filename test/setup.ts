import fc from 'fast-check';

// Reproducible property runs: FC_SEED=<n> replays a failure that CI reported.
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;
fc.configureGlobal({ ...(seed !== undefined ? { seed } : {}), numRuns: 50 });
