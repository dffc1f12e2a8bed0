import type { Command } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { getSchema, type Schema } from '../../decisionTree/index.js';
import type { CatalogRow } from '../../data/catalog/index.js';
import { splitCatalog } from '../../data/split.js';
import { loadZoobotModel, saveZoobotModel } from '../../architectures/index.js';
import { ConfigError } from '../../errors.js';
import { finetune, type FinetuneHead } from '../../training/finetune.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { catalogBatchSource } from '../../node/catalogSource.js';
import { fileSystemHandler } from '../../node/modelIO.js';
import { loadPretrainedEncoder } from '../../node/pretrained.js';
import { catalogImageRoot } from '../../node/workflows/trainCatalog.js';
import { startBackend } from '../backend.js';
import { addBatchSizeOption, addEncoderSizeOption, addTrainingDataOptions } from '../options.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, type GlobalOptions } from '../program.js';

interface FinetuneCliOptions {
  model?: string; encoder?: string; size: number; catalog: string; out: string; classesColumn?: string; schema?: string;
  headEpochs: number; blocks: number; blockEpochs?: number; batchSize: number; lr: number; weightDecay: number;
  seed: number; validationFraction: number; cache: boolean;
}

/** The head and labelled rows: one-hot rows of an integer class column, or the vote counts of a schema. */
async function loadTask(opts: FinetuneCliOptions): Promise<{ head: FinetuneHead; rows: CatalogRow[] }> {
  if ((opts.classesColumn === undefined) === (opts.schema === undefined)) {
    throw new ConfigError('give exactly one of --classes-column <col> (a classifier) and --schema <name> (a new decision tree)');
  }
  if (opts.schema !== undefined) {
    const schema = getSchema(opts.schema);
    return { head: { kind: 'tree', schema }, rows: (await loadCatalogCsv(opts.catalog, { schema, checkImages: true })).rows };
  }
  const column = opts.classesColumn ?? '';
  const { rows } = await loadCatalogCsv(opts.catalog, { schema: { labelColumns: [column] }, checkImages: true });
  const classes = Math.max(0, ...rows.map((r) => r.counts[0] ?? 0)) + 1;
  if (classes < 2) throw new ConfigError(`--classes-column '${column}' of ${opts.catalog} needs at least two classes (0, 1, ...)`);
  const oneHot = rows.map((r) => ({ ...r, counts: Array.from({ length: classes }, (_, c) => (c === r.counts[0] ? 1 : 0)) }));
  return { head: { kind: 'classes', classes }, rows: oneHot };
}

/** Exactly one pretrained source: a model written by `train`, or a timm encoder folder (e.g. a Zoobot encoder). */
function checkSource(opts: FinetuneCliOptions): void {
  if ((opts.model === undefined) === (opts.encoder === undefined)) {
    throw new ConfigError('give exactly one of --model <dir> (a model written by train) and --encoder <dir> (a pretrained timm encoder folder)');
  }
}

/** Loads the pretrained model: a zoobot model, or a timm encoder built for `--size` images. */
async function loadPretrained(opts: FinetuneCliOptions): Promise<tf.LayersModel> {
  if (opts.encoder !== undefined) return loadPretrainedEncoder(opts.encoder, { imageSize: opts.size });
  return (await loadZoobotModel(fileSystemHandler(opts.model ?? ''))).model;
}

/** `zoobot-ts finetune`: finetunes a saved zoobot model on a catalogue to a class column or a new decision tree. */
export function registerFinetune(program: Command): void {
  const finetuneCommand = program.command('finetune')
    .description('finetune a saved zoobot model or a pretrained encoder to a new decision tree or a class column (AdamW, head first, then blocks from the top)')
    .option('--model <dir>', 'a model folder written by train')
    .option('--encoder <dir>', 'or a pretrained timm encoder folder (config.json + model.safetensors or pytorch_model.bin), e.g. a Zoobot encoder');
  addEncoderSizeOption(finetuneCommand)
    .requiredOption('--catalog <csv>', 'catalogue: id_str, file_loc (relative to the catalogue) and the labels')
    .requiredOption('--out <dir>', 'output folder (model/)')
    .option('--classes-column <col>', 'integer class column (0, 1, ...): train a softmax classifier')
    .option('--schema <name>', 'decision tree whose vote counts the catalogue holds: train a new Dirichlet head')
    .option('--head-epochs <n>', 'epochs training the new head alone', nonNegativeInt, 10)
    .option('--blocks <n>', 'encoder blocks to unfreeze afterwards, one more per stage, from the top', nonNegativeInt, 0)
    .option('--block-epochs <n>', 'epochs per unfreezing stage (default: --head-epochs)', nonNegativeInt);
  addBatchSizeOption(finetuneCommand, 32)
    .option('--lr <rate>', 'AdamW learning rate (decayed by 0.75 per block further down)', Number, 1e-4)
    .option('--weight-decay <wd>', 'AdamW decoupled weight decay', Number, 0.05);
  addTrainingDataOptions(finetuneCommand)
    .action(async (opts: FinetuneCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      checkSource(opts);
      const { head, rows } = await loadTask(opts);
      const backend = await startBackend(globals, out);
      const pretrained = await loadPretrained(opts);
      const [, size, , channels] = pretrained.inputs[0]?.shape ?? [];
      if (typeof size !== 'number' || (channels !== 1 && channels !== 3)) {
        throw new ConfigError(`the model's input must be [batch, size, size, 1 or 3], got [${pretrained.inputs[0]?.shape.join(', ')}]`);
      }
      const [trainRows = [], validationRows = []] = splitCatalog(rows, { fractions: [1 - opts.validationFraction, opts.validationFraction], seed: opts.seed });
      out.log(`${trainRows.length} training and ${validationRows.length} validation galaxies`);
      const source = (part: readonly CatalogRow[], shuffle: boolean) => catalogBatchSource({
        rows: part, imageRoot: catalogImageRoot(opts.catalog), size, channels, batchSize: opts.batchSize, shuffle, seed: opts.seed, cache: opts.cache,
      });
      const result = await finetune({
        pretrained, head, train: source(trainRows, true), headEpochs: opts.headEpochs, blocks: opts.blocks,
        ...(validationRows.length > 0 ? { validation: source(validationRows, false) } : {}),
        ...(opts.blockEpochs !== undefined ? { blockEpochs: opts.blockEpochs } : {}),
        learningRate: opts.lr, weightDecay: opts.weightDecay, seed: opts.seed,
        onStageEnd: ({ stage, unfrozen, result: r }) => {
          out.log(`stage ${stage} (${unfrozen.length === 0 ? 'head only' : `head + ${unfrozen.join(', ')}`}): best loss ${r.bestValidationLoss.toFixed(3)} after ${r.history.length} epochs`);
        },
      });
      const modelDir = resolve(join(opts.out, 'model'));
      // A tree head is a zoobot model again (predict works on it); a classifier is a plain tfjs model.
      if (head.kind === 'tree') await saveZoobotModel(result.model, fileSystemHandler(modelDir), head.schema);
      else await result.model.save(fileSystemHandler(modelDir));
      result.model.dispose();
      const stages = result.stages.map(({ stage, unfrozen, result: r }) => ({ stage, unfrozen, ...r }));
      out.result({ backend, head: describeHead(head, result.schema), modelDir, stages }, `finetuned ${stages.length} stages; model in ${modelDir}`);
    });
}

function describeHead(head: FinetuneHead, schema: Schema): Record<string, unknown> {
  return head.kind === 'tree' ? { kind: 'tree', schema: schema.name } : { kind: head.kind, outputs: schema.answerCount };
}
