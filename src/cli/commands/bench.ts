import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { benchmarkModel, BENCH_ARCHITECTURES, type BenchArchitecture } from '../../node/workflows/benchmark.js';
import { useNodeBackend } from '../../node/backend.js';
import { initWasmWithNodeThreads, MAX_WASM_THREADS } from '../../wasm/nodeThreads.js';
import { startBackend } from '../backend.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

interface BenchOptions { arch: string; size: number; batch: number; mode: string; steps: number; microBatch?: number; threads: number }

/** Starts wasm with `threads` XNNPACK threads (Node has one by default); must run before any other backend use. */
async function startThreadedWasm(globals: GlobalOptions, threads: number): Promise<void> {
  if ((globals.backend ?? 'wasm') !== 'wasm') throw new ConfigError(`--threads applies to the wasm backend only, not '${String(globals.backend)}'`);
  if (threads > MAX_WASM_THREADS) throw new ConfigError(`--threads must be at most ${MAX_WASM_THREADS}, got ${threads}`);
  const { setThreadsCount } = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  await initWasmWithNodeThreads(threads, setThreadsCount, async () => (await useNodeBackend('wasm')) === 'wasm');
}

/** `zoobot-ts bench`: steady-state images/s of one model on one backend. */
export function registerBench(program: Command): void {
  program.command('bench')
    .description('measure training or prediction images/s of a model on the chosen backend (warm-up excluded)')
    .option('--arch <name>', `architecture: ${BENCH_ARCHITECTURES.join(', ')} (timm encoders: predict only)`, 'vgg')
    .option('--size <px>', 'image side', positiveInt, 128)
    .option('--batch <n>', 'batch size', positiveInt, 16)
    .option('--mode <mode>', 'train or predict', 'train')
    .option('--steps <n>', 'timed steps', positiveInt, 5)
    .option('--micro-batch <n>', 'train: accumulate gradients over micro-batches of this size (bounds memory; batch-norm statistics per micro-batch)', positiveInt)
    .option('--threads <n>', `wasm: XNNPACK threads in Node, 1 to ${MAX_WASM_THREADS} (tfjs runs 1 in Node by default)`, positiveInt, 1)
    .action(async (opts: BenchOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      if (!(BENCH_ARCHITECTURES as readonly string[]).includes(opts.arch)) {
        throw new ConfigError(`unknown architecture "${opts.arch}". Should be one of: ${BENCH_ARCHITECTURES.join(', ')}`);
      }
      if (opts.mode !== 'train' && opts.mode !== 'predict') throw new ConfigError(`unsupported mode "${opts.mode}". Should be one of: train, predict`);
      if (opts.threads > 1) await startThreadedWasm(globals, opts.threads);
      await startBackend(globals, out);
      const result = await benchmarkModel({
        architecture: opts.arch as BenchArchitecture, size: opts.size, batchSize: opts.batch, mode: opts.mode, steps: opts.steps,
        ...(opts.microBatch !== undefined ? { microBatch: opts.microBatch } : {}),
      });
      const threads = result.threads !== null ? `, ${result.threads} thread${result.threads === 1 ? '' : 's'}` : '';
      out.result(result, `${result.architecture} ${result.size} px, batch ${result.batchSize}, ${result.mode} on ${result.backend}${threads}: ${result.imagesPerSecond.toFixed(2)} img/s (peak RSS ${result.peakRssMiB.toFixed(0)} MiB)`);
    });
}
