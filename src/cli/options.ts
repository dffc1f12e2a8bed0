// Options that several commands share, declared once so their flags, help, defaults and parsers stay in step.
import type { Command } from 'commander';
import { ZOOBOT_ARCHITECTURES, type ZoobotArchitecture } from '../architectures/index.js';
import { ConfigError } from '../errors.js';
import { randomDihedral } from '../training/dihedral.js';
import type { AugmentImages } from '../training/batches.js';
import type { ConcentrationWarmup } from '../training/concentrationWarmup.js';
import { nonNegativeInt, positiveInt } from './program.js';

/** Parses a fraction in [0, 1). */
function fraction(value: string): number {
  const f = Number(value);
  if (!(f >= 0 && f < 1)) throw new ConfigError(`expected a fraction in [0, 1), got "${value}"`);
  return f;
}

/**
 * Adds `--schema <name>`: the decision tree of a catalogue's vote columns (default `decals-dr5`).
 * @param command - the command to add it to
 * @returns `command`, for chaining
 */
export function addSchemaOption(command: Command): Command {
  return command.option('--schema <name>', 'decision tree of the vote columns', 'decals-dr5');
}

/**
 * Adds `--architecture <name>`: the base network, one of `ZOOBOT_ARCHITECTURES` (check it with {@link checkArchitecture}).
 * @param command - the command to add it to
 * @param defaultArchitecture - the architecture when the option is not given
 * @returns `command`, for chaining
 */
export function addArchitectureOption(command: Command, defaultArchitecture: ZoobotArchitecture): Command {
  return command.option('--architecture <name>', `base network: ${ZOOBOT_ARCHITECTURES.join(', ')}`, defaultArchitecture);
}

/**
 * Throws a ConfigError unless `--architecture` (from {@link addArchitectureOption}) names one of
 * `ZOOBOT_ARCHITECTURES`; a command check, not a parser, so the error is a ZoobotError with its exit code.
 * @param architecture - the `--architecture` value
 */
export function checkArchitecture(architecture: string): asserts architecture is ZoobotArchitecture {
  if (!(ZOOBOT_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new ConfigError(`unknown architecture "${architecture}". Should be one of: ${ZOOBOT_ARCHITECTURES.join(', ')}`);
  }
}

/**
 * Adds the image options of catalogue images: `--size <px>` (square side they are resized to) and
 * `--channels <n>` (1 or 3, default 1; check it with {@link checkChannels}).
 * @param command - the command to add them to
 * @param defaultSize - the side in pixels when `--size` is not given
 * @param sizeNote - a note appended to the `--size` help in parentheses, e.g. a reference size
 * @returns `command`, for chaining
 */
export function addImageOptions(command: Command, defaultSize: number, sizeNote?: string): Command {
  const note = sizeNote === undefined ? '' : ` (${sizeNote})`;
  return command
    .option('--size <px>', `images are resized to size x size${note}`, positiveInt, defaultSize)
    .option('--channels <n>', '1 (greyscale, channel mean) or 3', positiveInt, 1);
}

/**
 * Throws a ConfigError unless `--channels` (from {@link addImageOptions}) is 1 or 3; a command
 * check, not a parser, so the error is a ZoobotError with its exit code.
 * @param channels - the parsed `--channels` value
 */
export function checkChannels(channels: number): asserts channels is 1 | 3 {
  if (channels !== 1 && channels !== 3) throw new ConfigError(`--channels must be 1 or 3, got ${channels}`);
}

/**
 * Adds `--size <px>`: the image side fed to a pretrained `--encoder` (Zoobot's encoders: 224).
 * @param command - the command to add it to
 * @returns `command`, for chaining
 */
export function addEncoderSizeOption(command: Command): Command {
  return command.option('--size <px>', 'image side fed to an --encoder (Zoobot\'s: 224)', positiveInt, 224);
}

/**
 * Adds `--batch-size <n>`: images per batch.
 * @param command - the command to add it to
 * @param defaultBatchSize - the batch size when the option is not given
 * @returns `command`, for chaining
 */
export function addBatchSizeOption(command: Command, defaultBatchSize: number): Command {
  return command.option('--batch-size <n>', 'batch size', positiveInt, defaultBatchSize);
}

/**
 * Adds the options of a run over labelled catalogue rows: `--seed <n>` (split, shuffling, dropout;
 * default 0), `--validation-fraction <f>` (held out for early stopping; default 0.2) and `--cache`
 * (keep decoded images in memory).
 * @param command - the command to add them to
 * @returns `command`, for chaining
 */
export function addTrainingDataOptions(command: Command): Command {
  return command
    .option('--seed <n>', 'random seed (split, shuffling, dropout)', nonNegativeInt, 0)
    .option('--validation-fraction <f>', 'fraction of the catalogue held out for early stopping', fraction, 0.2)
    .option('--cache', 'keep decoded images in memory (small catalogues)', false);
}

/** Augmentations `--augment` accepts. */
export const AUGMENTATIONS = ['dihedral', 'none'] as const;

/**
 * Adds `--augment <name>`: `dihedral` (random flips and quarter turns of each training image, the
 * default) or `none`.
 * @param command - the command to add it to
 * @returns `command`, for chaining
 */
export function addAugmentOption(command: Command): Command {
  return command.option('--augment <name>', `training augmentation: ${AUGMENTATIONS.join(', ')}`, 'dihedral');
}

/**
 * The training-batch augmentation `--augment` names, seeded with the run's seed.
 * @param name - the `--augment` value
 * @param seed - the run's seed
 * @returns the hook, or undefined for `none`
 * @throws ConfigError for an unknown name
 */
export function augmentationFor(name: string, seed: number): AugmentImages | undefined {
  if (name === 'none') return undefined;
  if (name === 'dihedral') return randomDihedral({ seed });
  throw new ConfigError(`unknown augmentation "${name}". Should be one of: ${AUGMENTATIONS.join(', ')}`);
}

/**
 * Adds `--warmup-epochs <n>`: epochs of concentration warm-up (`train({ concentrationWarmup })`; 0 for none).
 * @param command - the command to add it to
 * @param defaultEpochs - the warm-up when the option is not given, or a description of the default the command computes
 * @returns `command`, for chaining
 */
export function addWarmupOption(command: Command, defaultEpochs: number | string): Command {
  const help = 'epochs over which the Dirichlet concentrations in the training loss are scaled from 100x down to 1x (0: none)';
  return typeof defaultEpochs === 'number'
    ? command.option('--warmup-epochs <n>', help, nonNegativeInt, defaultEpochs)
    : command.option('--warmup-epochs <n>', `${help} (default: ${defaultEpochs})`, nonNegativeInt);
}

/**
 * The concentration warm-up `--warmup-epochs` asks for.
 * @param epochs - the `--warmup-epochs` value
 * @returns the warm-up, or undefined for 0
 */
export function warmupFor(epochs: number): ConcentrationWarmup | undefined {
  return epochs > 0 ? { epochs } : undefined;
}

/**
 * Adds the required input and output of a pass over a catalogue that needs no votes:
 * `--catalog <csv>` (id_str and file_loc) and `--out <file>` (a table, Parquet by extension, else CSV).
 * @param command - the command to add them to
 * @param table - what the output table holds, e.g. `'predictions'`
 * @returns `command`, for chaining
 */
export function addCatalogTableOptions(command: Command, table: string): Command {
  return command
    .requiredOption('--catalog <csv>', 'catalogue with id_str and file_loc (vote columns are not needed)')
    .requiredOption('--out <file>', `${table} table to write (.parquet for Parquet, else CSV)`);
}

/**
 * Adds the options that split a catalogue pass over processes: `--num-shards <k>` (default 1) and
 * `--shard-index <i>` (0-based, default 0).
 * @param command - the command to add them to
 * @param verb - what the process does with its slice, e.g. `'predicts'`
 * @returns `command`, for chaining
 */
export function addSliceOptions(command: Command, verb: string): Command {
  return command
    .option('--num-shards <k>', 'split the catalogue into k deterministic slices', positiveInt, 1)
    .option('--shard-index <i>', `which slice this process ${verb} (0-based)`, nonNegativeInt, 0);
}
