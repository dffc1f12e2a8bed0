import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/pretrained/index.js'; // registers LayerScale before tf.loadLayersModel
import { fileSystemHandler } from '../../src/node/modelIO.js';
import { decodeImageFile } from '../../src/node/images.js';
import { loadPretrainedEncoder } from '../../src/node/pretrained.js';
import { runCli } from '../helpers/cli.js';
import { TIMM_FIXTURES } from '../pretrained/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-pretrained-cli-'));
const HUB = join(TIMM_FIXTURES, 'convnext_linear_mlp');
/** Small enough to be fast, divisible by ConvNeXt's total stride of 32. */
const SIZE = 32;

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

describe('zoobot-ts convert and represent', () => {
  afterAll(() => tf.disposeVariables());

  it('converts a hub folder to a tfjs model that computes the same features', async () => {
    const outDir = join(work, 'converted');
    const run = runCli(['convert', HUB, '--out', outDir, '--size', String(SIZE), '--backend', 'cpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const before = tf.memory().numTensors;
    const reference = await loadPretrainedEncoder(HUB, { imageSize: SIZE });
    const converted = await tf.loadLayersModel(fileSystemHandler(outDir));
    const x = tf.randomUniform([2, SIZE, SIZE, 3], 0, 1, 'float32', 7);
    const [expected, actual] = [reference.predict(x), converted.predict(x)] as tf.Tensor2D[];
    expect(actual?.shape).toEqual(expected?.shape);
    // Same weights, same backend, same graph: only float32 rounding could differ.
    expect(relativeError(await actual!.data(), await expected!.data())).toBeLessThan(1e-6);
    tf.dispose([x, expected, actual]);
    reference.dispose();
    converted.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes one feature row per galaxy and refuses to overwrite', async () => {
    const synthetic = runCli(['synthetic', '--out', join(work, 'data'), '--count', '12', '--size', String(SIZE), '--seed', '3', '--json']);
    expect(synthetic.code, synthetic.stderr).toBe(0);
    const catalog = (JSON.parse(synthetic.stdout) as { catalogPath: string }).catalogPath;
    const out = join(work, 'features.csv');
    const args = ['represent', '--encoder', HUB, '--catalog', catalog, '--out', out, '--size', String(SIZE), '--batch-size', '5', '--backend', 'cpu', '--json'];
    const run = runCli(args);
    expect(run.code, run.stderr).toBe(0);
    const [header = '', ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    const d = (JSON.parse(readFileSync(join(HUB, 'config.json'), 'utf8')) as { num_features: number }).num_features;
    expect(header.split(',')).toEqual(['id_str', ...Array.from({ length: d }, (_, j) => `feat_${j}`)]);
    expect(lines).toHaveLength(12);
    for (const line of lines) expect(line.split(',')).toHaveLength(d + 1);

    // The first galaxy's row matches encoding its image in-process.
    const catalogLines = readFileSync(catalog, 'utf8').trim().split('\n');
    const fileLoc = (catalogLines[0] ?? '').split(',').indexOf('file_loc');
    const first = (catalogLines[1] ?? '').split(',');
    const row = (lines[0] ?? '').split(',');
    expect(row[0]).toBe(first[0]);
    const image = await decodeImageFile(join(dirname(catalog), first[fileLoc] ?? ''), { size: SIZE, channels: 3 });
    const encoder = await loadPretrainedEncoder(HUB, { imageSize: SIZE });
    const x = tf.tensor4d(Float32Array.from(image.data, (v) => v / 255), [1, SIZE, SIZE, 3]);
    const y = encoder.predict(x) as tf.Tensor2D;
    expect(relativeError(row.slice(1).map(Number), await y.data())).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    encoder.dispose();

    const again = runCli(args);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain(out);
    expect(again.stderr).toMatch(/already exists/);
    expect(runCli([...args, '--overwrite']).code).toBe(0);

    // Parquet, one slice of two: every other galaxy, starting at the second, with the same features as the CSV.
    const parquet = join(work, 'features.parquet');
    const sliced = runCli([...args.map((a) => (a === out ? parquet : a)), '--num-shards', '2', '--shard-index', '1']);
    expect(sliced.code, sliced.stderr).toBe(0);
    const table = await parquetReadObjects({ file: await asyncBufferFromFile(parquet) });
    expect(table.map((r) => r.id_str)).toEqual(lines.filter((_, i) => i % 2 === 1).map((l) => l.split(',')[0]));
    const csvSecond = (lines[1] ?? '').split(',').slice(1).map(Number);
    const parquetSecond = Array.from({ length: d }, (_, j) => Number(table[0]?.[`feat_${j}`]));
    expect(relativeError(parquetSecond, csvSecond)).toBeLessThan(1e-6);
  });
});
