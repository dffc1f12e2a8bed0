// Runs the Node examples as a user would, on tiny inputs.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('examples', () => {
  it('custom-training-loop lowers the tree loss', () => {
    const run = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['examples/custom-training-loop.ts', '20'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const losses = [...run.stdout.matchAll(/step \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThanOrEqual(2);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(run.stdout).toMatch(/smooth-or-featured\s+[\d.]+/);
  });

  it('active-learning compares BALD with random acquisition', () => {
    const run = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['examples/active-learning.ts', '96', '2', '1', '32'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/bald\s+seed 0: 16 -> [\d.]+, 24 -> [\d.]+/);
    expect(run.stdout).toMatch(/random seed 0: 16 -> [\d.]+, 24 -> [\d.]+/);
    expect(run.stdout).toMatch(/BALD needs \d+ labels, random \d+/);
  });
});
