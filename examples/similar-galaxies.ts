// Similarity search with a pretrained encoder: encode every galaxy of a catalogue (`represent`),
// then list the galaxies whose representations are most like a chosen one's (cosine similarity).
// By default it runs on a few synthetic galaxies with the tiny random-weight ConvNeXt that the tests
// use; pass a downloaded Zoobot encoder (e.g. `huggingface-cli download mwalmsley/zoobot-encoder-convnext_nano
// --local-dir convnext_nano`) and a real catalogue's size (224) for meaningful neighbours.
//
//   npx tsx examples/similar-galaxies.ts [count=24] [size=32] [encoder=test/fixtures/timm/convnext_conv_mlp] [k=5]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSimilarGalaxies, represent, useNodeBackend, writeSyntheticDataset } from 'zoobot-ts/node';

const [countArg = '24', sizeArg = '32', encoderDir = 'test/fixtures/timm/convnext_conv_mlp', kArg = '5'] = process.argv.slice(2);
const [count, size, k] = [countArg, sizeArg, kArg].map(Number) as [number, number, number];
await useNodeBackend('wasm'); // 'cpu' works too, slowly

const work = mkdtempSync(join(tmpdir(), 'zoobot-similar-'));
const data = await writeSyntheticDataset({ outDir: join(work, 'data'), count, size, seed: 7 });
const features = join(work, 'features.parquet');
const written = await represent({ encoderDir, catalogPath: data.catalogPath, outPath: features, size, batchSize: 8 });
console.log(`encoded ${written.count} galaxies into ${written.features} features each: ${features}`);

// The synthetic truth says what each galaxy really is, to judge the neighbours by.
const [header = '', ...truthLines] = readFileSync(data.truthPath, 'utf8').trim().split('\n');
const morphologyColumn = header.split(',').indexOf('morphology');
const morphology = new Map(truthLines.map((line) => { const cells = line.split(','); return [cells[0], cells[morphologyColumn]]; }));

const query = truthLines[0]?.split(',')[0] ?? '';
const { neighbours } = await findSimilarGalaxies(features, query, { k });
console.log(`galaxies most like ${query} (${morphology.get(query)}):`);
neighbours.forEach(({ id, similarity }, i) => console.log(`  ${i + 1}. ${id}  similarity ${similarity.toFixed(4)}  (${morphology.get(id)})`));
