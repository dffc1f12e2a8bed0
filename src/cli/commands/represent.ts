import type { Command } from 'commander';
import { represent } from '../../node/workflows/represent.js';
import { startBackend } from '../backend.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, positiveInt, type GlobalOptions } from '../program.js';

interface RepresentCliOptions {
  encoder: string; catalog: string; out: string; size: number; batchSize: number; numShards: number; shardIndex: number; overwrite: boolean;
}

/** `zoobot-ts represent`: pretrained-encoder features for every galaxy of a catalogue. */
export function registerRepresent(program: Command): void {
  program.command('represent')
    .description('write a pretrained encoder\'s features (id_str, feat_0..feat_{d-1}) for every galaxy of a catalogue')
    .requiredOption('--encoder <dir>', 'a timm encoder folder (config.json + model.safetensors or pytorch_model.bin)')
    .requiredOption('--catalog <csv>', 'catalogue with id_str and file_loc (vote columns are not needed)')
    .requiredOption('--out <file>', 'features table to write (.parquet for Parquet, else CSV)')
    .option('--size <px>', 'image side fed to the encoder', positiveInt, 224)
    .option('--batch-size <n>', 'batch size', positiveInt, 64)
    .option('--num-shards <k>', 'split the catalogue into k deterministic slices', positiveInt, 1)
    .option('--shard-index <i>', 'which slice this process encodes (0-based)', nonNegativeInt, 0)
    .option('--overwrite', 'replace an existing output file', false)
    .action(async (opts: RepresentCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      const backend = await startBackend(globals, out);
      const summary = await represent({
        encoderDir: opts.encoder, catalogPath: opts.catalog, outPath: opts.out, size: opts.size, batchSize: opts.batchSize,
        numShards: opts.numShards, shardIndex: opts.shardIndex, overwrite: opts.overwrite, progress: !globals.json,
      });
      out.result({ backend, ...summary, table: opts.out }, `wrote ${summary.features} features for ${summary.count} galaxies to ${opts.out}`);
    });
}
