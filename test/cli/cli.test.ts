import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-cli-'));

describe('zoobot-ts command line', () => {
  it('should list its commands and options in --help', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['demo', 'synthetic', 'train', 'predict', 'compare', 'bench']) expect(help.stdout).toContain(command);
    const trainHelp = runCli(['train', '--help']);
    expect(trainHelp.stdout).toContain('--catalog <csv>');
    expect(trainHelp.stdout).toContain('--architecture <name>');
  });

  it('should report bad input as one line and a non-zero exit code', () => {
    const missing = runCli(['train', '--catalog', join(work, 'nope.csv'), '--out', join(work, 'x'), '--backend', 'cpu']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^zoobot-ts: DataError: .*nope\.csv/);
    const backend = runCli(['synthetic', '--out', join(work, 'y'), '--count', '2']);
    expect(backend.code).toBe(0);
    const badBackend = runCli(['demo', '--backend', 'tpu', '--out', join(work, 'z')]);
    expect(badBackend.stderr).toMatch(/unsupported backend "tpu". Should be one of: wasm, cpu, tensorflow/);
    const badSchema = runCli(['synthetic', '--out', join(work, 'w'), '--schema', 'dr99']);
    expect(badSchema.stderr).toMatch(/unknown schema "dr99"/);
    const badAugment = runCli(['train', '--catalog', join(work, 'nope.csv'), '--out', join(work, 'u'), '--augment', 'spin']);
    expect(badAugment.code).toBe(2);
    expect(badAugment.stderr).toMatch(/unknown augmentation "spin". Should be one of: dihedral, none/);
    const badNumber = runCli(['synthetic', '--out', join(work, 'v'), '--count', 'many']);
    expect(badNumber.code).not.toBe(0);
    expect(badNumber.stderr).toMatch(/expected a positive integer, got "many"/);
  });

  it('should run synthetic -> train -> predict -> compare on tiny galaxies', async () => {
    const data = join(work, 'data');
    const synthetic = runCli(['synthetic', '--out', data, '--count', '120', '--size', '32', '--seed', '3', '--json']);
    expect(synthetic.code).toBe(0);
    const summary = JSON.parse(synthetic.stdout) as { catalogPath: string; count: number };
    expect(summary.count).toBe(120);

    const run = join(work, 'run');
    const trained = runCli(['train', '--catalog', summary.catalogPath, '--out', run, '--size', '32', '--epochs', '2', '--batch-size', '16', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout) as { history: Array<{ loss: number }>; modelDir: string; backend: string };
    expect(report.backend).toBe('wasm');
    expect(report.history).toHaveLength(2);
    expect(readFileSync(join(run, 'history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);

    const predictions = join(work, 'predictions.csv');
    const predicted = runCli(['predict', '--model', report.modelDir, '--catalog', summary.catalogPath, '--out', predictions, '--passes', '3', '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(predictions, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(121);
    expect(lines[0]?.split(',')).toContain(`${decalsDr5Schema.labelColumns[0]}_fraction`);

    const parquet = join(work, 'predictions.parquet');
    expect(runCli(['predict', '--model', report.modelDir, '--catalog', summary.catalogPath, '--out', parquet, '--passes', '1']).code).toBe(0);
    const { parquetMetadataAsync } = await import('hyparquet');
    const bytes = readFileSync(parquet);
    const metadata = await parquetMetadataAsync(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(Number(metadata.num_rows)).toBe(120);

    const compared = runCli(['compare', '--predictions', predictions, '--catalog', summary.catalogPath, '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const metrics = JSON.parse(compared.stdout) as { galaxies: number; confidentAnswers: Array<{ accuracy: number }> };
    expect(metrics.galaxies).toBe(120);
    expect(metrics.confidentAnswers[0]!.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('should predict deterministic, disjoint slices with --num-shards/--shard-index', () => {
    const data = join(work, 'data');
    const model = join(work, 'run', 'model');
    if (!existsSync(model)) return; // the previous test trains the model
    const slices = [0, 1, 2].map((i) => {
      const out = join(work, `slice${i}.csv`);
      expect(runCli(['predict', '--model', model, '--catalog', join(data, 'catalog.csv'), '--out', out, '--num-shards', '3', '--shard-index', String(i), '--passes', '1']).code).toBe(0);
      return readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    });
    const all = slices.flat();
    expect(new Set(all).size).toBe(120);
    expect(all).toHaveLength(120);
  });
});

describe('zoobot-ts bench', () => {
  it('should report steady-state images/s as JSON', () => {
    const run = runCli(['bench', '--arch', 'vgg', '--size', '32', '--batch', '4', '--mode', 'train', '--steps', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { backend: string; imagesPerSecond: number; parameters: number; peakRssMiB: number };
    expect(result.backend).toBe('wasm');
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeGreaterThan(0);
    // W+20 VGG at 32 px: convolutions as at 128 px, flatten 2x2x128 -> Dense 128, Dense 34 head.
    const conv = (9 * 1 + 1) * 32 + (9 * 32 + 1) * 32 + (9 * 32 + 1) * 64 + (9 * 64 + 1) * 64 + (9 * 64 + 1) * 128 + (9 * 128 + 1) * 128;
    expect(result.parameters).toBe(conv + (2 * 2 * 128 + 1) * 128 + (128 + 1) * 34);
  });
});

describe('zoobot-ts catalog and shards', () => {
  it('should combine votes with an image folder, then split and write readable shards', async () => {
    const { readShards } = await import('../../src/node/shardFiles.js');
    const data = join(work, 'catalog-data');
    expect(runCli(['synthetic', '--out', data, '--count', '30', '--size', '16', '--seed', '9']).code).toBe(0);
    const combined = join(work, 'combined', 'catalog.csv');
    const catalog = runCli(['catalog', '--votes', join(data, 'catalog.csv'), '--images', join(data, 'images'), '--out', combined, '--json']);
    expect(catalog.code, catalog.stderr).toBe(0);
    expect(JSON.parse(catalog.stdout)).toMatchObject({ galaxies: 30, missingImages: 0, unmatchedImages: 0 });

    const shardDir = join(work, 'shards');
    const shards = runCli(['shards', '--catalog', combined, '--out', shardDir, '--size', '16', '--shard-size', '8', '--json']);
    expect(shards.code, shards.stderr).toBe(0);
    const ids: string[] = [];
    for await (const example of readShards(shardDir)) ids.push(example.id);
    expect(new Set(ids).size).toBe(30);
    const again = runCli(['shards', '--catalog', combined, '--out', shardDir, '--size', '16']);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n').at(-1)).toMatch(/^zoobot-ts: /);
  });
});

describe('zoobot-ts demo', () => {
  it('should run the whole job end to end and report metrics and files', () => {
    const out = join(work, 'demo');
    const run = runCli(['demo', '--out', out, '--count', '100', '--size', '32', '--epochs', '1', '--passes', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { galaxies: { train: number; validation: number; test: number }; files: Record<string, string>; smoothFeaturedAccuracy: number };
    expect(report.galaxies).toEqual({ train: 70, validation: 20, test: 10 });
    for (const file of Object.values(report.files)) expect(existsSync(file)).toBe(true);
    expect(report.smoothFeaturedAccuracy).toBeGreaterThanOrEqual(0);
    expect(report.smoothFeaturedAccuracy).toBeLessThanOrEqual(1);
  });
});
