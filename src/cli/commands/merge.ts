import type { Command } from 'commander';
import { mergePredictions } from '../../node/mergePredictions.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

interface MergeCliOptions { out: string; catalog?: string; numShards?: number; expectedCount?: number }

/** `zoobot-ts merge`: joins the prediction slices of `predict --num-shards K --shard-index I` runs. */
export function registerMerge(program: Command): void {
  program.command('merge')
    .description('merge prediction slices into one table, refusing overlapping or missing slices')
    .argument('<slices...>', 'prediction CSVs written by predict --num-shards K --shard-index I')
    .requiredOption('--out <csv>', 'merged predictions table to write')
    .option('--catalog <csv>', 'the predicted catalogue: every galaxy must be in one slice; rows come in its order')
    .option('--num-shards <k>', 'number of slices the run was split into', positiveInt)
    .option('--expected-count <n>', 'number of galaxies the slices must hold together', positiveInt)
    .action(async (slices: string[], opts: MergeCliOptions, command: Command) => {
      const out = cliOutput((command.optsWithGlobals() as GlobalOptions).json);
      const result = await mergePredictions(slices, opts.out, {
        ...(opts.catalog !== undefined ? { catalog: opts.catalog } : {}),
        ...(opts.numShards !== undefined ? { numShards: opts.numShards } : {}),
        ...(opts.expectedCount !== undefined ? { expectedCount: opts.expectedCount } : {}),
      });
      out.result(result, `merged ${result.galaxies} galaxies from ${slices.length} slices into ${result.out}`);
    });
}
