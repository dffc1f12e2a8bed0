import type { Command } from 'commander';
import { represent } from '../../node/workflows/represent.js';
import { startBackend } from '../backend.js';
import { addBatchSizeOption, addCatalogTableOptions, addEncoderSizeOption, addSliceOptions } from '../options.js';
import { cliOutput } from '../output.js';
import type { GlobalOptions } from '../program.js';

interface RepresentCliOptions {
  encoder: string; catalog: string; out: string; size: number; batchSize: number; numShards: number; shardIndex: number; overwrite: boolean;
}

/** `zoobot-ts represent`: pretrained-encoder features for every galaxy of a catalogue. */
export function registerRepresent(program: Command): void {
  const representCommand = program.command('represent')
    .description('write a pretrained encoder\'s features (id_str, feat_0..feat_{d-1}) for every galaxy of a catalogue')
    .requiredOption('--encoder <dir>', 'a timm encoder folder (config.json + model.safetensors or pytorch_model.bin)');
  addCatalogTableOptions(representCommand, 'features');
  addEncoderSizeOption(representCommand);
  addBatchSizeOption(representCommand, 64);
  addSliceOptions(representCommand, 'encodes')
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
