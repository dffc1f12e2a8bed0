// kill -9 in the middle of an epoch, restart, and training continues from the last completed
// epoch to the final weights of a run that was never interrupted, bit for bit.
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-resume-'));

function completedEpochs(dir: string): number {
  const index = join(dir, 'checkpoint', 'checkpoint.json');
  if (!existsSync(index)) return 0;
  try {
    return (JSON.parse(readFileSync(index, 'utf8')) as { completedEpochs: number }).completedEpochs;
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the training run');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('training after kill -9', () => {
  it('should resume from the last completed epoch and end with the weights of an uninterrupted run', async () => {
    const data = join(work, 'data');
    expect(runCli(['synthetic', '--out', data, '--count', '96', '--size', '32', '--seed', '5']).code).toBe(0);
    const catalog = join(data, 'catalog.csv');
    const args = (out: string, epochs: number) => ['train', '--catalog', catalog, '--out', out, '--size', '32', '--batch-size', '8', '--epochs', String(epochs), '--seed', '2', '--json'];

    // Shared first epoch, so both runs start from the same weights whatever the initialisers drew.
    const first = join(work, 'first');
    expect(runCli(args(first, 1)).code).toBe(0);
    const straight = join(work, 'straight');
    const interrupted = join(work, 'interrupted');
    cpSync(first, straight, { recursive: true });
    cpSync(first, interrupted, { recursive: true });

    expect(runCli(args(straight, 3)).code).toBe(0);

    const child = startCli(args(interrupted, 3));
    await waitFor(() => completedEpochs(interrupted) >= 2, 240_000);
    // Let the third epoch get under way, then kill the whole process group without warning.
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(completedEpochs(interrupted)).toBe(2);

    const resumed = runCli(args(interrupted, 3));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(completedEpochs(interrupted)).toBe(3);
    const history = readFileSync(join(interrupted, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number });
    expect(history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    const straightHistory = readFileSync(join(straight, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number });
    // Bit for bit: the checkpoint holds the weights, the optimizer's moments and step count, and the
    // data order and dropout streams are functions of (seed, epoch).
    expect(history.map((h) => h.loss)).toEqual(straightHistory.map((h) => h.loss));
    const weights = (dir: string) => {
      const bytes = readFileSync(join(dir, 'model', 'weights.bin'));
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    };
    const a = weights(interrupted);
    const b = weights(straight);
    expect(a.length).toBe(b.length);
    const differing = a.reduce((n, v, i) => n + (Object.is(v, b[i]) ? 0 : 1), 0);
    expect(differing).toBe(0);
  });
});
