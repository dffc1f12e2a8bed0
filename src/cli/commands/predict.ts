import type { Command } from 'commander';
import { loadZoobotModel } from '../../architectures/index.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { fileSystemHandler } from '../../node/modelIO.js';
import { predictCatalog } from '../../node/workflows/predictCatalog.js';
import { catalogImageRoot } from '../../node/workflows/trainCatalog.js';
import { startBackend } from '../backend.js';
import { addBatchSizeOption, addCatalogTableOptions, addSliceOptions } from '../options.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

interface PredictCliOptions { model: string; catalog: string; out: string; passes: number; batchSize: number; numShards: number; shardIndex: number; dihedral: boolean }

/** `zoobot-ts predict`: MC-dropout predictions for a catalogue, optionally one slice of it. */
export function registerPredict(program: Command): void {
  const predictCommand = program.command('predict')
    .description('predict vote fractions with MC-dropout uncertainty for every galaxy of a catalogue')
    .requiredOption('--model <dir>', 'a model folder written by train (model.json + weights.bin)');
  addCatalogTableOptions(predictCommand, 'predictions')
    .option('--passes <n>', 'MC-dropout forward passes per galaxy', positiveInt, 5)
    .option('--dihedral', 'test-time augmentation: pass p sees the image under flip/quarter turn p mod 8 (use 8 passes to cover all)', false);
  addBatchSizeOption(predictCommand, 64);
  addSliceOptions(predictCommand, 'predicts')
    .action(async (opts: PredictCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      // Predicting needs only ids and images: vote columns are optional here.
      const { rows } = await loadCatalogCsv(opts.catalog, { schema: { labelColumns: [] }, checkImages: true });
      const backend = await startBackend(globals, out);
      const { model, schema } = await loadZoobotModel(fileSystemHandler(opts.model));
      const padded = rows.map((r) => ({ ...r, counts: new Array<number>(schema.answerCount).fill(0) }));
      const count = await predictCatalog({
        model, schema, rows: padded, imageRoot: catalogImageRoot(opts.catalog), outPath: opts.out, passes: opts.passes, dihedral: opts.dihedral,
        batchSize: opts.batchSize, numShards: opts.numShards, shardIndex: opts.shardIndex, progress: !globals.json,
      });
      model.dispose();
      out.result({ backend, galaxies: count, predictions: opts.out, passes: opts.passes }, `wrote predictions for ${count} galaxies to ${opts.out}`);
    });
}
