// `npm run bench -- metrics`: per-galaxy cost of BALD, calibration and held-out log-likelihood
// on the DECaLS DR5 tree (34 answers) with 5 MC passes and 40 volunteers, extrapolated to 10k
// galaxies. Concentrations are drawn like a trained head's output (1..101); votes from them.
import { createRng } from '../src/data/synthetic/random.js';
import { decalsDr5Schema } from '../src/decisionTree/index.js';
import { galaxyBald, predictiveLogLikelihood, voteCalibration } from '../src/metrics/index.js';
import { timeMs } from './util.js';

const GALAXIES = 300;
const PASSES = 5;
const VOLUNTEERS = 40;

/** Random predictions and votes that follow the tree (a question's votes = the votes of the answer leading to it). */
function sample() {
  const schema = decalsDr5Schema;
  const rng = createRng(1);
  const concentrations: Float64Array[] = [];
  const counts: number[][] = [];
  for (let g = 0; g < GALAXIES; g += 1) {
    const row = new Float64Array(PASSES * schema.answerCount).map(() => rng.uniform(1, 101));
    concentrations.push(row);
    const votes = new Array<number>(schema.answerCount).fill(0);
    for (const q of schema.questions) {
      const n = q.dependsOn === null ? VOLUNTEERS : votes[q.dependsOn.index] ?? 0;
      const k = rng.multinomial(n, rng.dirichlet(row.subarray(q.startIndex, q.endIndex)));
      k.forEach((c, i) => { votes[q.startIndex + i] = c; });
    }
    counts.push(votes);
  }
  return { predictions: { concentrations, passes: PASSES }, counts };
}

/** Runs the suite; returns a JSON-able summary. */
export async function run(): Promise<unknown> {
  const schema = decalsDr5Schema;
  const { predictions, counts } = sample();
  const perGalaxy = (ms: number) => ms / GALAXIES;
  const baldMs = await timeMs(() => predictions.concentrations.forEach((c, g) => galaxyBald({ concentrations: c, passes: PASSES }, schema, { totalVotes: VOLUNTEERS, seed: g })), { warmup: 1, repeats: 3 });
  const calibrationMs = await timeMs(() => voteCalibration(predictions, counts, schema), { warmup: 1, repeats: 3 });
  const logLikelihoodMs = await timeMs(() => predictiveLogLikelihood(predictions, counts, schema), { warmup: 1, repeats: 3 });
  const methods: Record<string, number> = {};
  for (const c of predictions.concentrations) {
    for (const r of Object.values(galaxyBald({ concentrations: c, passes: PASSES }, schema).questions)) methods[r.method] = (methods[r.method] ?? 0) + 1;
  }
  const tenK = (ms: number) => (perGalaxy(ms) * 10_000) / 1000;
  return {
    setup: { schema: schema.name, answers: schema.answerCount, passes: PASSES, volunteers: VOLUNTEERS, galaxies: GALAXIES, unit: 'ms per galaxy (median of 3); s for 10k galaxies' },
    baldQuestionsByMethod: methods,
    msPerGalaxy: { galaxyBald: perGalaxy(baldMs), voteCalibration: perGalaxy(calibrationMs), predictiveLogLikelihood: perGalaxy(logLikelihoodMs) },
    secondsFor10k: { galaxyBald: tenK(baldMs), voteCalibration: tenK(calibrationMs), predictiveLogLikelihood: tenK(logLikelihoodMs) },
  };
}
