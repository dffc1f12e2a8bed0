import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/pretrained/index.js'; // registers LayerScale before the finetuned ConvNeXt is loaded
import { loadZoobotModel } from '../../src/architectures/index.js';
import { fileSystemHandler } from '../../src/node/modelIO.js';
import { runCli } from '../helpers/cli.js';
import { TIMM_FIXTURES } from '../pretrained/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-finetune-encoder-'));
const HUB = join(TIMM_FIXTURES, 'convnext_conv_mlp');
const SIZE = 32;

describe('zoobot-ts finetune --encoder', () => {
  afterAll(() => tf.disposeVariables());

  it('finetunes a hub-layout encoder to a new decision tree, head first, then the top block, and saves a zoobot model', async () => {
    const synthetic = runCli(['synthetic', '--out', join(work, 'data'), '--count', '16', '--size', String(SIZE), '--seed', '2', '--json']);
    expect(synthetic.code, synthetic.stderr).toBe(0);
    const catalog = (JSON.parse(synthetic.stdout) as { catalogPath: string }).catalogPath;
    const out = join(work, 'ft');
    const run = runCli(['finetune', '--encoder', HUB, '--size', String(SIZE), '--catalog', catalog, '--schema', 'decals-dr5', '--out', out,
      '--head-epochs', '1', '--blocks', '1', '--block-epochs', '1', '--batch-size', '8', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { head: { kind: string; schema: string }; modelDir: string; stages: { stage: number; unfrozen: string[] }[] };
    expect(result.head).toEqual({ kind: 'tree', schema: 'decals-dr5' });
    expect(result.stages.map((s) => s.unfrozen)).toEqual([[], ['top']]);
    const { model, schema } = await loadZoobotModel(fileSystemHandler(result.modelDir));
    expect(schema.name).toBe('decals-dr5');
    expect(model.inputs[0]?.shape).toEqual([null, SIZE, SIZE, 1]);
    const concentrations = tf.tidy(() => (model.predict(tf.ones([1, SIZE, SIZE, 1])) as tf.Tensor).dataSync());
    expect(concentrations).toHaveLength(schema.answerCount);
    model.dispose();
  });

  it('asks for exactly one of --model and --encoder', () => {
    const run = runCli(['finetune', '--catalog', 'x.csv', '--schema', 'decals-dr5', '--out', join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^zoobot-ts: ConfigError: give exactly one of --model <dir> .* and --encoder <dir>/);
  });
});
