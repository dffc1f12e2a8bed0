import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readShardManifest } from '../../src/node/shardFiles.js';
import { runCli } from '../helpers/cli.js';

describe('zoobot-ts synthetic --shards and train --shards', () => {
  const work = mkdtempSync(join(tmpdir(), 'zoobot-cli-shards-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes shards of the synthetic set and trains from them', async () => {
    const data = join(work, 'data');
    const synthetic = runCli(['synthetic', '--out', data, '--count', '50', '--size', '32', '--seed', '2', '--shards', '--shard-size', '16', '--json']);
    expect(synthetic.code, synthetic.stderr).toBe(0);
    const summary = JSON.parse(synthetic.stdout) as { shardDir: string; count: number };
    const manifest = await readShardManifest(summary.shardDir);
    expect(manifest.imageShape).toEqual([32, 32, 1]);
    expect(Object.keys(manifest.splits)).toEqual(['train', 'val', 'test']);
    expect(Object.values(manifest.splits).reduce((n, s) => n + s.count, 0)).toBe(50);

    const run = join(work, 'run');
    const trained = runCli(['train', '--shards', summary.shardDir, '--out', run, '--architecture', 'small', '--batch-size', '16', '--epochs', '1', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout) as { history: Array<{ loss: number; validationLoss?: number }>; modelDir: string };
    expect(report.history).toHaveLength(1);
    expect(Number.isFinite(report.history[0]!.loss)).toBe(true);
    expect(Number.isFinite(report.history[0]!.validationLoss)).toBe(true);
    expect(existsSync(join(report.modelDir, 'model.json'))).toBe(true);
    expect(readFileSync(join(run, 'history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('wants exactly one of --catalog and --shards', () => {
    const both = runCli(['train', '--catalog', 'x.csv', '--shards', 'y', '--out', join(work, 'z')]);
    const neither = runCli(['train', '--out', join(work, 'z')]);
    for (const run of [both, neither]) {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/exactly one of --catalog <csv> and --shards <dir>/);
    }
  });
});
