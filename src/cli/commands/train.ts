import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { splitCatalog } from '../../data/split.js';
import { ZOOBOT_ARCHITECTURES, type ZoobotArchitecture } from '../../architectures/index.js';
import { ConfigError } from '../../errors.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { trainOnCatalog, catalogImageRoot, type TrainOnCatalogResult } from '../../node/workflows/trainCatalog.js';
import { trainOnShards } from '../../node/workflows/trainShards.js';
import { startBackend } from '../backend.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, positiveInt, type GlobalOptions } from '../program.js';

interface TrainCliOptions {
  catalog?: string; shards?: string; out: string; schema: string; architecture: string; size: number; channels: number;
  epochs: number; batchSize: number; patience: number; lr: number; seed: number; validationFraction: number; cache: boolean;
}

function fraction(value: string): number {
  const f = Number(value);
  if (!(f >= 0 && f < 1)) throw new ConfigError(`expected a fraction in [0, 1), got "${value}"`);
  return f;
}

/** `zoobot-ts train`: trains on a catalogue (id_str, file_loc, one vote-count column per answer). */
export function registerTrain(program: Command): void {
  program.command('train')
    .description('train a zoobot model on a catalogue of images and vote counts; resumes from --out/checkpoint')
    .option('--catalog <csv>', 'catalogue: id_str, file_loc (relative to the catalogue), vote counts')
    .option('--shards <dir>', 'train on TFRecord shards instead (zoobot-ts shards / synthetic --shards): splits train and val, image size from the manifest')
    .requiredOption('--out <dir>', 'output folder (model/, checkpoint/, history.jsonl)')
    .option('--schema <name>', 'decision tree', 'decals-dr5')
    .option('--architecture <name>', `base network: ${ZOOBOT_ARCHITECTURES.join(', ')}`, 'vgg')
    .option('--size <px>', 'images are resized to size x size', positiveInt, 128)
    .option('--channels <n>', '1 (greyscale) or 3', positiveInt, 1)
    .option('--epochs <n>', 'maximum epochs', positiveInt, 20)
    .option('--batch-size <n>', 'batch size', positiveInt, 32)
    .option('--patience <n>', 'early-stopping patience in epochs', positiveInt, 8)
    .option('--lr <rate>', 'Adam learning rate', Number, 1e-3)
    .option('--seed <n>', 'random seed (split, shuffling, dropout)', nonNegativeInt, 0)
    .option('--validation-fraction <f>', 'fraction of the catalogue held out for early stopping', fraction, 0.2)
    .option('--cache', 'keep decoded images in memory (small catalogues)', false)
    .action(async (opts: TrainCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      if (!(ZOOBOT_ARCHITECTURES as readonly string[]).includes(opts.architecture)) {
        throw new ConfigError(`unknown architecture "${opts.architecture}". Should be one of: ${ZOOBOT_ARCHITECTURES.join(', ')}`);
      }
      if (opts.channels !== 1 && opts.channels !== 3) throw new ConfigError(`--channels must be 1 or 3, got ${opts.channels}`);
      const report = (result: TrainOnCatalogResult, backend: string): void => {
        result.model.dispose();
        const { model: _model, ...summary } = result;
        out.result({ backend, ...summary }, `trained ${result.history.length} epochs (${result.stopReason}); best epoch ${result.bestEpoch + 1}, validation loss ${result.bestValidationLoss.toFixed(3)}; model in ${result.modelDir}`);
      };
      if ((opts.catalog === undefined) === (opts.shards === undefined)) throw new ConfigError('train: give exactly one of --catalog <csv> and --shards <dir>');
      const schema = getSchema(opts.schema);
      if (opts.shards !== undefined) {
        const backend = await startBackend(globals, out);
        const result = await trainOnShards({
          schema, shardDir: opts.shards, outDir: opts.out, architecture: opts.architecture as ZoobotArchitecture, epochs: opts.epochs,
          batchSize: opts.batchSize, patience: opts.patience, learningRate: opts.lr, seed: opts.seed, progress: !globals.json, log: out.log,
        });
        report(result, backend);
        return;
      }
      const catalog = opts.catalog as string;
      const { rows } = await loadCatalogCsv(catalog, { schema, checkImages: true });
      const backend = await startBackend(globals, out);
      const [trainRows = [], validationRows = []] = splitCatalog(rows, { fractions: [1 - opts.validationFraction, opts.validationFraction], seed: opts.seed });
      out.log(`${trainRows.length} training and ${validationRows.length} validation galaxies`);
      const result = await trainOnCatalog({
        schema, trainRows, validationRows, imageRoot: catalogImageRoot(catalog), outDir: opts.out,
        architecture: opts.architecture as ZoobotArchitecture, size: opts.size, channels: opts.channels, epochs: opts.epochs,
        batchSize: opts.batchSize, patience: opts.patience, learningRate: opts.lr, seed: opts.seed, cache: opts.cache,
        progress: !globals.json, log: out.log,
      });
      report(result, backend);
    });
}
