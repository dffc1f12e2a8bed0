import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { writeSyntheticDataset } from '../../node/writeSynthetic.js';
import { addSchemaOption } from '../options.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, positiveInt, type GlobalOptions } from '../program.js';

/** `zoobot-ts synthetic`: writes the synthetic data set (catalogue + PNGs + truth). */
export function registerSynthetic(program: Command): void {
  const syntheticCommand = program.command('synthetic')
    .description('write synthetic galaxies with simulated volunteer votes: catalog.csv, truth.csv, images/*.png (and shards/)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--count <n>', 'number of galaxies', positiveInt, 2000)
    .option('--size <px>', 'image side in pixels (16-1024)', positiveInt, 64)
    .option('--seed <n>', 'random seed', nonNegativeInt, 0);
  addSchemaOption(syntheticCommand)
    .option('--shards', 'also write TFRecord shards (train/val/test 7:2:1) and manifest.json to <out>/shards', false)
    .option('--shard-size <n>', 'examples per shard (with --shards)', positiveInt, 4096)
    .action(async (opts: { out: string; count: number; size: number; seed: number; schema: string; shards: boolean; shardSize: number }, command: Command) => {
      const out = cliOutput((command.optsWithGlobals() as GlobalOptions).json);
      const summary = await writeSyntheticDataset({
        outDir: opts.out, count: opts.count, size: opts.size, seed: opts.seed, schema: getSchema(opts.schema),
        ...(opts.shards ? { shards: { shardSize: opts.shardSize } } : {}),
      });
      const shards = summary.shardDir === undefined ? '' : `, shards in ${summary.shardDir}`;
      out.result(summary, `wrote ${summary.count} galaxies to ${summary.catalogPath} (images in ${summary.imageDir}, truth in ${summary.truthPath}${shards})`);
    });
}
