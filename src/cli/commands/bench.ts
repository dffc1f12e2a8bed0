import type { Command } from 'commander';
import { ZOOBOT_ARCHITECTURES, type ZoobotArchitecture } from '../../architectures/index.js';
import { ConfigError } from '../../errors.js';
import { benchmarkModel } from '../../node/workflows/benchmark.js';
import { startBackend } from '../backend.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

/** `zoobot-ts bench`: steady-state images/s of one model on one backend. */
export function registerBench(program: Command): void {
  program.command('bench')
    .description('measure training or prediction images/s of a model on the chosen backend (warm-up excluded)')
    .option('--arch <name>', `architecture: ${ZOOBOT_ARCHITECTURES.join(', ')}`, 'vgg')
    .option('--size <px>', 'image side', positiveInt, 128)
    .option('--batch <n>', 'batch size', positiveInt, 16)
    .option('--mode <mode>', 'train or predict', 'train')
    .option('--steps <n>', 'timed steps', positiveInt, 5)
    .action(async (opts: { arch: string; size: number; batch: number; mode: string; steps: number }, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      if (!(ZOOBOT_ARCHITECTURES as readonly string[]).includes(opts.arch)) {
        throw new ConfigError(`unknown architecture "${opts.arch}". Should be one of: ${ZOOBOT_ARCHITECTURES.join(', ')}`);
      }
      if (opts.mode !== 'train' && opts.mode !== 'predict') throw new ConfigError(`unsupported mode "${opts.mode}". Should be one of: train, predict`);
      await startBackend(globals, out);
      const result = await benchmarkModel({ architecture: opts.arch as ZoobotArchitecture, size: opts.size, batchSize: opts.batch, mode: opts.mode, steps: opts.steps });
      out.result(result, `${result.architecture} ${result.size} px, batch ${result.batchSize}, ${result.mode} on ${result.backend}: ${result.imagesPerSecond.toFixed(2)} img/s (peak RSS ${result.peakRssMiB.toFixed(0)} MiB)`);
    });
}
