import type { Command } from 'commander';
import { runDemo } from '../../node/workflows/demo.js';
import { startBackend } from '../backend.js';
import { addArchitectureOption, addAugmentOption, addBatchSizeOption, addWarmupOption, augmentationFor, checkArchitecture, warmupFor } from '../options.js';
import { cliOutput } from '../output.js';
import { nonNegativeInt, positiveInt, type GlobalOptions } from '../program.js';

interface DemoCliOptions {
  out: string; count: number; size: number; epochs: number; batchSize: number; passes: number; seed: number; architecture: string;
  lr: number; augment: string; warmupEpochs?: number;
}

/** `zoobot-ts demo`: the README's main job on the embedded synthetic data. */
export function registerDemo(program: Command): void {
  const demoCommand = program.command('demo')
    .description('generate synthetic galaxies, train, predict the test split with MC dropout and compare with the volunteers')
    .option('--out <dir>', 'output folder', 'zoobot-demo')
    .option('--count <n>', 'synthetic galaxies', positiveInt, 5000)
    .option('--size <px>', 'image side in pixels (multiple of 16)', positiveInt, 48)
    .option('--epochs <n>', 'maximum epochs', positiveInt, 10);
  addBatchSizeOption(demoCommand, 32)
    .option('--passes <n>', 'MC-dropout passes per galaxy, each under one of the 8 flips and quarter turns', positiveInt, 8)
    .option('--seed <n>', 'random seed', nonNegativeInt, 1)
    .option('--lr <rate>', 'Adam learning rate', Number, 2e-3);
  addWarmupOption(addAugmentOption(addArchitectureOption(demoCommand, 'small')), 'half the epochs, at most 4')
    .action(async (opts: DemoCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      checkArchitecture(opts.architecture);
      const augment = augmentationFor(opts.augment, opts.seed) ?? false;
      const concentrationWarmup = opts.warmupEpochs === undefined ? undefined : (warmupFor(opts.warmupEpochs) ?? false);
      const backend = await startBackend(globals, out);
      const report = await runDemo({ architecture: opts.architecture, augment, ...(concentrationWarmup !== undefined ? { concentrationWarmup } : {}), learningRate: opts.lr, outDir: opts.out, count: opts.count, size: opts.size, epochs: opts.epochs, batchSize: opts.batchSize, passes: opts.passes, seed: opts.seed, progress: !globals.json, log: out.log });
      const rows = report.comparison.confidentAnswers.map((m) => `  ${m.question.padEnd(20)} ${String(m.galaxies).padStart(5)} galaxies  accuracy ${Number.isNaN(m.accuracy) ? '  n/a' : m.accuracy.toFixed(3)}`);
      const errors = report.comparison.fractionErrors.map((e) => `  ${e.question.padEnd(20)} MAE ${Number.isNaN(e.mae) ? '  n/a' : e.mae.toFixed(3)} (${e.galaxies} galaxies with >= 20 votes)`);
      out.result({ backend, ...report }, [
        `demo finished in ${report.seconds.toFixed(0)} s on ${backend} (${report.trainImagesPerSecond.toFixed(1)} img/s training)`,
        `smooth-or-featured accuracy on confident test galaxies: ${report.smoothFeaturedAccuracy.toFixed(3)}`,
        'confident-answer accuracy per question (test split):', ...rows,
        'vote-fraction mean absolute error per question (test split):', ...errors,
        'files:', ...Object.entries(report.files).map(([k, v]) => `  ${k.padEnd(12)} ${v}`),
      ].join('\n'));
    });
}
