// W+20's experiment on the synthetic data set: does BALD acquisition reach a given evaluation
// loss with fewer labelled galaxies than random selection? Small by default so it runs on a
// 2-core CPU; raise the numbers for a real comparison.
//
//   npx tsx examples/active-learning.ts [pool=600] [iterations=4] [seeds=2] [size=32] [plots folder]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
import { treeLoss } from 'zoobot-ts/losses';
import { zoobotModel } from 'zoobot-ts/architectures';
import { generateSyntheticGalaxies } from 'zoobot-ts/data';
import { activeLearning, adam, evaluateLoss, inMemoryBatchSource, train } from 'zoobot-ts';
import { useNodeBackend, writeActiveLearningPlot } from 'zoobot-ts/node';
import type { ActiveLearningRun } from 'zoobot-ts/plots';

const [poolSize = 600, iterations = 4, seeds = 2, size = 32] = process.argv.slice(2, 6).map(Number);
const plotsDir = process.argv[6] ?? mkdtempSync(join(tmpdir(), 'zoobot-active-learning-'));
await useNodeBackend('wasm'); // wasm with zoobot-ts's training kernels; 'cpu' works too, slowly

const schema = decalsDr5Schema;
const loss = treeLoss(schema).perQuestion;
const galaxies = [...generateSyntheticGalaxies({ count: poolSize + 200, size, seed: 3, schema })];
const pixels = size * size;
const byId = new Map(galaxies.map((g) => [g.id, g]));
const pool = galaxies.slice(0, poolSize);
const heldOut = galaxies.slice(poolSize);
const imagesOf = (list: typeof galaxies) => {
  const x = new Float32Array(list.length * pixels);
  list.forEach((g, i) => x.set(g.image, i * pixels));
  return x;
};
const evaluation = inMemoryBatchSource({
  images: imagesOf(heldOut), imageShape: [size, size, 1], labels: heldOut.map((g) => Array.from(g.counts)), shuffle: false,
});

const runs: ActiveLearningRun[] = [];
async function run(acquisition: 'bald' | 'random', seed: number) {
  const result = await activeLearning({
    schema, acquisition, seed, iterations, initial: Math.round(poolSize / 6), perIteration: Math.round(poolSize / 12), passes: 5,
    pool: { ids: pool.map((g) => g.id), images: (ids) => tf.tensor4d(imagesOf(ids.map((id) => byId.get(id)!)), [ids.length, size, size, 1]) },
    // On a catalogue the oracle reveals the known volunteer votes; here the simulated volunteers' votes.
    oracle: async (ids) => ids.map((id) => byId.get(id)!.counts),
    retrain: async (labelled) => {
      const model = zoobotModel({ schema, architecture: 'small', inputShape: [size, size, 1], seed });
      const chosen = labelled.ids.map((id) => byId.get(id)!);
      await train({
        model, schema, loss, epochs: 6, optimizer: adam(2e-3), seed, batchNormBatches: 16,
        train: inMemoryBatchSource({ images: imagesOf(chosen), imageShape: [size, size, 1], labels: labelled.labels, seed }),
      });
      return model;
    },
    evaluate: async (model) => ({ loss: (await evaluateLoss(model, loss, evaluation, 0, schema.questions.map((q) => q.text))).loss }),
  });
  runs.push({ strategy: acquisition, seed, records: result.records });
  return result.records.map((r) => ({ labelled: r.labelled, loss: r.evaluation?.loss ?? Number.NaN }));
}

const curves: Record<string, Array<Array<{ labelled: number; loss: number }>>> = { bald: [], random: [] };
for (let seed = 0; seed < seeds; seed += 1) {
  for (const acquisition of ['bald', 'random'] as const) {
    const curve = await run(acquisition, seed);
    curves[acquisition]!.push(curve);
    console.log(`${acquisition.padEnd(6)} seed ${seed}: ${curve.map((p) => `${p.labelled} -> ${p.loss.toFixed(2)}`).join(', ')}`);
  }
}

// Labelled galaxies each strategy needs (mean over seeds) to reach the worst final loss of any run.
const target = Math.max(...Object.values(curves).flat().map((c) => c.at(-1)!.loss));
const needed = (acquisition: string) => {
  const counts = curves[acquisition]!.map((c) => c.find((p) => p.loss <= target)?.labelled ?? Number.NaN);
  return counts.reduce((a, b) => a + b, 0) / counts.length;
};
const bald = needed('bald');
const random = needed('random');
console.log(`target evaluation loss ${target.toFixed(2)}: BALD needs ${bald.toFixed(0)} labels, random ${random.toFixed(0)} (${(100 * (1 - bald / random)).toFixed(0)}% saved)`);

// The curve of every strategy, mean and spread over seeds (SVG, and PNG when sharp is installed).
const plots = await writeActiveLearningPlot(plotsDir, runs);
console.log(`active-learning curve: ${plots.files.join(', ')}${plots.notes.length > 0 ? ` (${plots.notes.join('; ')})` : ''}`);
