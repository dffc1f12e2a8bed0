// zoobot-ts against Keras/TensorFlow on this machine, in one run: `KERAS_PYTHON=<python with tensorflow-cpu
// and keras> npm run bench -- keras`. Each case runs as its own process (so peak RSS is the case's own),
// zoobot-ts and Keras alternating for ZOOBOT_BENCH_ROUNDS rounds (default 3): the machines are shared and
// their speed drifts by tens of percent within minutes, so only ratios taken side by side mean much.
// Reports every round's images/s and peak RSS, the medians, and zoobot-ts / Keras of the medians.
// ZOOBOT_BENCH_BACKENDS (default zoobot-native) picks the tfjs backends; ZOOBOT_BENCH_ONLY filters cases;
// ZOOBOT_BENCH_ARGS adds options to zoobot-ts's side (e.g. "--threads 2 --micro-batch 8" for wasm).
// Without KERAS_PYTHON it reports why it was skipped. Keras's side is bench/keras_reference.py.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = process.env.KERAS_PYTHON;
const BACKENDS = (process.env.ZOOBOT_BENCH_BACKENDS ?? 'zoobot-native').split(',');
const ROUNDS = Number(process.env.ZOOBOT_BENCH_ROUNDS ?? 3);
const ONLY = process.env.ZOOBOT_BENCH_ONLY ?? '';
const EXTRA_ARGS = (process.env.ZOOBOT_BENCH_ARGS ?? '').split(' ').filter((a) => a !== '');

interface Case { arch: 'vgg' | 'efficientnetb0'; size: number; batch: number; mode: 'train' | 'predict'; steps: number }
/** The issue's comparison points: Keras's batch 32 for VGG training, 16 elsewhere; EfficientNetB0 at 32 for its RSS. */
const CASES: readonly Case[] = [
  { arch: 'vgg', size: 128, batch: 32, mode: 'train', steps: 5 },
  { arch: 'vgg', size: 128, batch: 16, mode: 'predict', steps: 10 },
  { arch: 'efficientnetb0', size: 224, batch: 16, mode: 'train', steps: 4 },
  { arch: 'efficientnetb0', size: 224, batch: 32, mode: 'train', steps: 3 },
  { arch: 'efficientnetb0', size: 224, batch: 16, mode: 'predict', steps: 6 },
];

interface Sample { imagesPerSecond: number; peakRssMiB: number }

/** Runs a command that prints one JSON object last; its images/s and peak RSS, or the error it printed. */
function sample(command: string, args: string[]): Sample | { error: string } {
  const run = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const start = run.stdout.indexOf('{');
  if (run.status !== 0 || start < 0) return { error: `${command} exited with ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  try {
    const parsed = JSON.parse(run.stdout.slice(start)) as Sample;
    return { imagesPerSecond: parsed.imagesPerSecond, peakRssMiB: parsed.peakRssMiB };
  } catch (error) {
    return { error: `${command} printed no JSON result: ${String(error)}` };
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Medians of the samples that succeeded, with the errors of those that did not. */
function summarise(samples: Array<Sample | { error: string }>): Record<string, unknown> {
  const ok = samples.filter((s): s is Sample => !('error' in s));
  return {
    imagesPerSecond: ok.map((s) => s.imagesPerSecond), peakRssMiB: ok.map((s) => Math.round(s.peakRssMiB)),
    medianImagesPerSecond: ok.length > 0 ? median(ok.map((s) => s.imagesPerSecond)) : null,
    medianPeakRssMiB: ok.length > 0 ? median(ok.map((s) => s.peakRssMiB)) : null,
    errors: samples.filter((s): s is { error: string } => 'error' in s).map((s) => s.error),
  };
}

export async function run(): Promise<unknown> {
  if (PYTHON === undefined) return { skipped: 'set KERAS_PYTHON to a python with tensorflow-cpu and keras (bench/keras_reference.py says how)' };
  const results: Record<string, unknown> = {};
  for (const c of CASES) {
    const caseArgs = ['--arch', c.arch, '--size', String(c.size), '--batch', String(c.batch), '--mode', c.mode, '--steps', String(c.steps)];
    for (const backend of BACKENDS) {
      const key = `${backend}${EXTRA_ARGS.length > 0 ? `[${EXTRA_ARGS.join(' ')}]` : ''}/${c.arch}@${c.size}/batch${c.batch}/${c.mode}`;
      if (!key.includes(ONLY)) continue;
      const ours: Array<Sample | { error: string }> = [];
      const keras: Array<Sample | { error: string }> = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        ours.push(sample('npx', ['tsx', 'src/cli/index.ts', 'bench', ...caseArgs, '--backend', backend, ...EXTRA_ARGS, '--json']));
        keras.push(sample(PYTHON, ['bench/keras_reference.py', ...caseArgs]));
      }
      const zoobot = summarise(ours);
      const reference = summarise(keras);
      const ratio = (a: unknown, b: unknown): number | null => (typeof a === 'number' && typeof b === 'number' ? a / b : null);
      results[key] = {
        zoobot, keras: reference,
        speedRatio: ratio(zoobot['medianImagesPerSecond'], reference['medianImagesPerSecond']),
        rssRatio: ratio(zoobot['medianPeakRssMiB'], reference['medianPeakRssMiB']),
      };
      console.error(key, JSON.stringify(results[key]));
    }
  }
  return results;
}
