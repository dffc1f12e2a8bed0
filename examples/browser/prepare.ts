// Writes what the browser demo serves: a saved zoobot-ts model (model.json + weights.bin, as
// saveZoobotModel and `zoobot-ts train` write it), a few synthetic galaxy PNGs and demo.json,
// the list the page reads.
//
//   npx tsx examples/browser/prepare.ts [outDir=.zoobot-out/browser-demo] [modelDir]
//
// Without modelDir the model is a freshly built 'small' network (untrained, so its predictions
// mean nothing); pass a trained one, e.g. zoobot-demo/model after `npm run demo`.
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
import { loadZoobotModel, saveZoobotModel, zoobotModel } from 'zoobot-ts/architectures';
import { fileSystemHandler, loadCatalogCsv, writeFileAtomic, writeSyntheticDataset, MODEL_JSON } from 'zoobot-ts/node';

/** What the page fetches first (demo.json); paths are relative to the page. */
export interface DemoManifest {
  readonly model: string;
  readonly images: string[];
}

/** Options of {@link prepareBrowserDemo}. */
export interface PrepareOptions {
  readonly outDir: string;
  /** A saved zoobot-ts model folder to serve; default: a new untrained 'small' model. */
  readonly modelDir?: string;
  /** Side of a new model's input, in pixels. @defaultValue 32 */
  readonly size?: number;
  /** Galaxies to draw. @defaultValue 4 */
  readonly count?: number;
  /** Seed of the galaxies and of a new model's weights and dropout. @defaultValue 0 */
  readonly seed?: number;
}

/** Writes model/, images/ and demo.json into `outDir`; returns the manifest. */
export async function prepareBrowserDemo(options: PrepareOptions): Promise<DemoManifest> {
  const { count = 4, seed = 0 } = options;
  const outDir = resolve(options.outDir);
  await tf.setBackend('cpu'); // only builds, loads and saves
  const { model, schema } = options.modelDir === undefined
    ? { model: zoobotModel({ schema: decalsDr5Schema, architecture: 'small', inputShape: [options.size ?? 32, options.size ?? 32, 1], seed }), schema: decalsDr5Schema }
    : await loadZoobotModel(fileSystemHandler(options.modelDir));
  await saveZoobotModel(model, fileSystemHandler(join(outDir, 'model')), schema);
  // Galaxies at the model's input size, answered on its tree.
  const size = model.inputs[0]!.shape[1]!;
  model.dispose();
  const written = await writeSyntheticDataset({ outDir, count, size, seed, schema });
  const { rows } = await loadCatalogCsv(written.catalogPath, { schema });
  const manifest: DemoManifest = { model: `model/${MODEL_JSON}`, images: rows.map((row) => row.file_loc) };
  await writeFileAtomic(join(outDir, 'demo.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir = '.zoobot-out/browser-demo', modelDir] = process.argv.slice(2);
  const manifest = await prepareBrowserDemo({ outDir, ...(modelDir !== undefined ? { modelDir } : {}) });
  console.log(`wrote ${resolve(outDir)}: ${manifest.model} and ${manifest.images.length} galaxies`);
}
