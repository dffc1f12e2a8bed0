import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { splitCatalog } from '../../data/split.js';
import { ConfigError } from '../../errors.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { trainOnCatalog, catalogImageRoot, type TrainOnCatalogResult } from '../../node/workflows/trainCatalog.js';
import { trainOnShards } from '../../node/workflows/trainShards.js';
import { startBackend } from '../backend.js';
import { addArchitectureOption, addAugmentOption, addWarmupOption, augmentationFor, warmupFor, addBatchSizeOption, addImageOptions, addSchemaOption, addTrainingDataOptions, checkArchitecture, checkChannels } from '../options.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

interface TrainCliOptions {
  catalog?: string; shards?: string; out: string; schema: string; architecture: string; size: number; channels: number;
  epochs: number; batchSize: number; patience: number; lr: number; seed: number; validationFraction: number; cache: boolean; augment: string; warmupEpochs: number;
}

/** `zoobot-ts train`: trains on a catalogue (id_str, file_loc, one vote-count column per answer). */
export function registerTrain(program: Command): void {
  const trainCommand = program.command('train')
    .description('train a zoobot model on a catalogue of images and vote counts; resumes from --out/checkpoint')
    .option('--catalog <csv>', 'catalogue: id_str, file_loc (relative to the catalogue), vote counts')
    .option('--shards <dir>', 'train on TFRecord shards instead (zoobot-ts shards / synthetic --shards): splits train and val, image size from the manifest')
    .requiredOption('--out <dir>', 'output folder (model/, checkpoint/, history.jsonl)');
  addSchemaOption(trainCommand);
  addArchitectureOption(trainCommand, 'vgg');
  addImageOptions(trainCommand, 128)
    .option('--epochs <n>', 'maximum epochs', positiveInt, 20);
  addBatchSizeOption(trainCommand, 32)
    .option('--patience <n>', 'early-stopping patience in epochs', positiveInt, 8)
    .option('--lr <rate>', 'Adam learning rate', Number, 1e-3);
  addWarmupOption(addAugmentOption(addTrainingDataOptions(trainCommand)), 0)
    .action(async (opts: TrainCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      checkArchitecture(opts.architecture);
      checkChannels(opts.channels);
      const augment = augmentationFor(opts.augment, opts.seed);
      const concentrationWarmup = warmupFor(opts.warmupEpochs);
      const extras = { ...(augment !== undefined ? { augment } : {}), ...(concentrationWarmup !== undefined ? { concentrationWarmup } : {}) };
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
          schema, shardDir: opts.shards, outDir: opts.out, architecture: opts.architecture, epochs: opts.epochs,
          batchSize: opts.batchSize, patience: opts.patience, learningRate: opts.lr, seed: opts.seed, progress: !globals.json, log: out.log,
          ...extras,
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
        architecture: opts.architecture, size: opts.size, channels: opts.channels, epochs: opts.epochs,
        batchSize: opts.batchSize, patience: opts.patience, learningRate: opts.lr, seed: opts.seed, cache: opts.cache,
        progress: !globals.json, log: out.log, ...extras,
      });
      report(result, backend);
    });
}
