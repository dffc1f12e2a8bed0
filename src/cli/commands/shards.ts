import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { writeCatalogShards } from '../../node/catalogShards.js';
import { catalogImageRoot } from '../../node/workflows/trainCatalog.js';
import { addImageOptions, addSchemaOption, checkChannels } from '../options.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, positiveInt, type GlobalOptions } from '../program.js';

interface ShardsCliOptions {
  catalog: string; out: string; schema: string; size: number; channels: number; shardSize: number;
  seed: number; fractions: string; mode: 'error' | 'overwrite' | 'resume';
}

/** `zoobot-ts shards`: split a catalogue 7:2:1 and write Zoobot-compatible TFRecord shards. */
export function registerShards(program: Command): void {
  const shardsCommand = program.command('shards')
    .description('split a catalogue (default 7:2:1) and write Zoobot-compatible TFRecord shards with a manifest')
    .requiredOption('--catalog <csv>', 'catalogue: id_str, file_loc, vote counts')
    .requiredOption('--out <dir>', 'folder for <split>_shard_<i>.tfrecord and manifest.json');
  addSchemaOption(shardsCommand);
  addImageOptions(shardsCommand, 300, 'Zoobot: 300')
    .option('--shard-size <n>', 'examples per shard', positiveInt, 4096)
    .option('--seed <n>', 'split seed', nonNegativeInt, 0)
    .option('--fractions <list>', 'train,val,test fractions', '0.7,0.2,0.1')
    .option('--mode <mode>', 'existing shards: error, overwrite or resume', 'error')
    .action(async (opts: ShardsCliOptions, command: Command) => {
      const out = cliOutput((command.optsWithGlobals() as GlobalOptions).json);
      checkChannels(opts.channels);
      const schema = getSchema(opts.schema);
      const { rows } = await loadCatalogCsv(opts.catalog, { schema, checkImages: true });
      const manifest = await writeCatalogShards({
        rows, imageRoot: catalogImageRoot(opts.catalog), schema, outDir: opts.out, size: opts.size, channels: opts.channels,
        fractions: opts.fractions.split(',').map(Number), seed: opts.seed, shardSize: opts.shardSize, mode: opts.mode,
      });
      out.result(manifest, `wrote shards to ${opts.out}: ${Object.entries(manifest.splits).map(([name, s]) => `${name} ${s.count}`).join(', ')}`);
    });
}
