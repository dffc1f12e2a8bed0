// Runs the Node examples as a user would, on tiny inputs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
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
    const curve = /active-learning curve: (\S+\.svg)/.exec(run.stdout)?.[1];
    expect(curve, run.stdout).toBeDefined();
    expect(readFileSync(curve ?? '', 'utf8')).toMatch(/^<svg[\s\S]*acquisition: bald[\s\S]*acquisition: random/);
  });

  it('similar-galaxies encodes synthetic galaxies and lists the most similar by cosine', async () => {
    const run = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['examples/similar-galaxies.ts', '12', '32'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const table = /encoded 12 galaxies into (\d+) features each: (\S+)/.exec(run.stdout);
    expect(table, run.stdout).not.toBeNull();
    const query = /galaxies most like (\S+)/.exec(run.stdout)?.[1] ?? '';
    const listed = [...run.stdout.matchAll(/\d+\. (\S+)\s+similarity ([\d.-]+)/g)].map((m) => ({ id: m[1], similarity: Number(m[2]) }));
    expect(listed).toHaveLength(5);
    // Independent check: brute-force float64 cosine over the table the example wrote.
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(table?.[2] ?? '') });
    const vector = (row: Record<string, unknown>) => Object.keys(row).filter((c) => c !== 'id_str').map((c) => Number(row[c]));
    const q = vector(rows.find((r) => r.id_str === query) ?? {});
    const cosine = (v: number[]) => v.reduce((s, x, j) => s + x * (q[j] ?? 0), 0) / (Math.hypot(...v) * Math.hypot(...q));
    const expected = rows.filter((r) => r.id_str !== query).map((r) => ({ id: r.id_str, similarity: cosine(vector(r)) }))
      .sort((a, b) => b.similarity - a.similarity).slice(0, 5);
    expect(listed.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    listed.forEach((x, i) => expect(x.similarity).toBeCloseTo(expected[i]?.similarity ?? Number.NaN, 4));
  });

  it('finetune-pretrained finetunes a fixture encoder with a tree head and lowers the training loss', () => {
    const run = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['examples/finetune-pretrained.ts', '32', '32', '3', '1'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, run.stderr).toBe(0);
    const stages = [...run.stdout.matchAll(/stage (\d) \(([^)]*)\): training loss per epoch ([\d. ]+)/g)]
      .map((m) => ({ trained: m[2], losses: (m[3] ?? '').trim().split(' ').map(Number) }));
    expect(stages.map((s) => s.trained)).toEqual(['new head only', 'new head + encoder blocks top']);
    const first = stages[0]?.losses[0] ?? Number.NaN;
    const last = stages.at(-1)?.losses.at(-1) ?? Number.NaN;
    expect(last).toBeLessThan(first);
    const final = Number(/training-set loss after finetuning \(inference mode\): ([\d.]+)/.exec(run.stdout)?.[1]);
    expect(final).toBeLessThan(first);
  });

  it('train-png-catalog trains on a PNG catalogue and predicts its test split', () => {
    const run = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['examples/train-png-catalog.ts', '2', '32', '60'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, run.stderr).toBe(0);
    const split = /(\S+catalog\.csv): 60 galaxies \((\d+) train, (\d+) validation, (\d+) test\)/.exec(run.stdout);
    expect(split, run.stdout).not.toBeNull();
    const [trainCount, validationCount, testCount] = [Number(split![2]), Number(split![3]), Number(split![4])];
    expect(trainCount + validationCount + testCount).toBe(60);
    [[trainCount, 42], [validationCount, 12], [testCount, 6]].forEach(([n, quota]) => expect(Math.abs(n! - quota!)).toBeLessThanOrEqual(1));
    const losses = [...run.stdout.matchAll(/epoch \d+: loss ([\d.]+), validation ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(2);
    expect(losses[1]!).toBeLessThan(losses[0]!);
    // One line per test galaxy, naming a galaxy of the catalogue, whose smooth-or-featured fractions sum to 1.
    const ids = new Set(readFileSync(split![1]!, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0]));
    const galaxies = [...run.stdout.matchAll(/^(\S+): smooth ([\d.]+) ± [\d.]+, featured-or-disk ([\d.]+) ± [\d.]+, artifact ([\d.]+)/gm)];
    expect(galaxies).toHaveLength(testCount);
    for (const [, id, ...fractions] of galaxies) {
      expect(ids.has(id)).toBe(true);
      expect(fractions.reduce((sum, f) => sum + Number(f), 0)).toBeCloseTo(1, 1);
    }
    expect(run.stdout).toMatch(new RegExp(`smooth-or-featured\\s+vote-fraction MAE [\\d.]+ over ${testCount} galaxies`));
  });
});
