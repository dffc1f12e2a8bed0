// Training on a catalogue of PNG images with the library API: read and validate the catalogue,
// split it 7:2:1, stream the images batch by batch with catalogBatchSource, train with the
// Dirichlet-multinomial tree loss, then predict the test galaxies with MC dropout and compare
// their vote fractions with the volunteers'. `zoobot-ts train` and `predict` do the same on the CLI.
//
//   npx tsx examples/train-png-catalog.ts [epochs=4] [size=32] [catalog.csv | galaxies=160]
//
// The catalogue needs id_str, file_loc (a PNG or JPEG, relative to the catalogue) and one vote-count
// column per answer of the GZ DECaLS DR5 tree. Given a number instead, that many synthetic galaxies
// are first written as PNGs and a catalogue in a temporary folder.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
import { treeLoss } from 'zoobot-ts/losses';
import { zoobotModel } from 'zoobot-ts/architectures';
import { splitCatalog } from 'zoobot-ts/data';
import { summarisePrediction, voteFractionErrors } from 'zoobot-ts/metrics';
import { predictSource, train } from 'zoobot-ts';
import { catalogBatchSource, loadCatalogCsv, useNodeBackend, writeSyntheticDataset } from 'zoobot-ts/node';

const [epochs = 4, size = 32] = process.argv.slice(2, 4).map(Number);
const catalogArg = process.argv[4] ?? '160';
await useNodeBackend('wasm'); // wasm with zoobot-ts's training kernels; 'cpu' works too, slowly

const schema = decalsDr5Schema;
const catalogPath = Number.isNaN(Number(catalogArg))
  ? catalogArg
  : (await writeSyntheticDataset({ outDir: await mkdtemp(join(tmpdir(), 'zoobot-png-')), count: Number(catalogArg), size, seed: 2, schema })).catalogPath;
// Bad rows (unknown image, negative votes) would throw a DataError naming the file, row and column.
const { rows } = await loadCatalogCsv(catalogPath, { schema, checkImages: true });
const [trainRows = [], validationRows = [], testRows = []] = splitCatalog(rows, { fractions: [0.7, 0.2, 0.1], seed: 0 });
console.log(`${catalogPath}: ${rows.length} galaxies (${trainRows.length} train, ${validationRows.length} validation, ${testRows.length} test)`);

// Images are decoded a batch at a time (resized to size x size, greyscale) while the previous batch trains.
const source = (subset: typeof rows, shuffle: boolean) => catalogBatchSource({
  rows: subset, imageRoot: dirname(catalogPath), size, batchSize: 16, shuffle, seed: 0, cache: true,
});
const model = zoobotModel({ schema, architecture: 'small', inputShape: [size, size, 1], seed: 0 });
await train({
  model, schema, loss: treeLoss(schema).perQuestion, epochs, optimizer: tf.train.adam(2e-3), seed: 0,
  train: source(trainRows, true), validation: source(validationRows, false),
  callbacks: {
    onEpochEnd: (r) => console.log(`epoch ${r.epoch + 1}: loss ${r.loss.toFixed(3)}, validation ${r.validationLoss?.toFixed(3)}`),
  },
});

// 5 MC-dropout passes per test galaxy; the mean Dirichlet vote fractions against the volunteers'.
const predicted: number[][] = [];
const counts: number[][] = [];
for await (const batch of predictSource(model, source(testRows, false), { passes: 5 })) {
  batch.ids.forEach((id, g) => {
    const perGalaxy = batch.passes * batch.answers;
    const summary = summarisePrediction(batch.concentrations.subarray(g * perGalaxy, (g + 1) * perGalaxy), batch.passes, schema);
    predicted.push(summary.fractions);
    counts.push(Array.from(batch.labels.subarray(g * batch.answers, (g + 1) * batch.answers)));
    const smooth = schema.getQuestion('smooth-or-featured');
    console.log(`${id}: ${smooth.answers.map((a) => `${a.text} ${summary.fractions[a.index]!.toFixed(2)} ± ${summary.std[a.index]!.toFixed(2)}`).join(', ')}`);
  });
}
for (const q of voteFractionErrors(predicted, counts, schema)) {
  if (q.galaxies > 0) console.log(`${q.question.padEnd(20)} vote-fraction MAE ${q.mae.toFixed(3)} over ${q.galaxies} galaxies`);
}
model.dispose();
