import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ZoobotError } from '../errors.js';
import { NODE_BACKENDS } from '../node/backend.js';
import { registerDemo } from './commands/demo.js';
import { registerSynthetic } from './commands/synthetic.js';
import { registerTrain } from './commands/train.js';
import { registerPredict } from './commands/predict.js';
import { registerCompare } from './commands/compare.js';
import { registerBench } from './commands/bench.js';
import { registerCatalog } from './commands/catalog.js';
import { registerShards } from './commands/shards.js';
import { registerFinetune } from './commands/finetune.js';
import { registerMerge } from './commands/merge.js';
import { registerConvert } from './commands/convert.js';
import { registerRepresent } from './commands/represent.js';
import { registerSimilar } from './commands/similar.js';

/** Global options every command sees. */
export interface GlobalOptions {
  readonly backend?: string;
  readonly json: boolean;
  readonly verbose: boolean;
}

/** Parses a positive integer option, with commander's error on anything else. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** Parses a non-negative integer option. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** Builds the command tree. */
export function buildProgram(): Command {
  const program = new Command('zoobot-ts')
    .description('Bayesian deep learning on Galaxy Zoo morphology: train, predict with uncertainty, compare with volunteers.')
    .option('--backend <name>', `tfjs backend: ${NODE_BACKENDS.join(', ')} (default: wasm when installed, else cpu)`)
    .option('--json', 'print machine-readable JSON on stdout', false)
    .option('--verbose', 'show stack traces on errors', false)
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerSynthetic(program);
  registerTrain(program);
  registerPredict(program);
  registerCompare(program);
  registerBench(program);
  registerCatalog(program);
  registerShards(program);
  registerFinetune(program);
  registerMerge(program);
  registerConvert(program);
  registerRepresent(program);
  registerSimilar(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script) and returns the exit code: errors are
 * one clear line (the stack with --verbose) and a non-zero code.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const verbose = argv.includes('--verbose');
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof ZoobotError ? error.name : 'Error';
    process.stderr.write(verbose && error instanceof Error ? `${error.stack ?? message}\n` : `zoobot-ts: ${kind}: ${message}\n`);
    return error instanceof ZoobotError ? 2 : 1;
  }
}
