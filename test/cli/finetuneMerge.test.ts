import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-finetune-cli-'));
let catalog = '';
let modelDir = '';

/** One clear error line and a non-zero exit. */
function expectOneLineError(run: ReturnType<typeof runCli>, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

describe('zoobot-ts finetune and merge', () => {
  beforeAll(() => {
    const synthetic = runCli(['synthetic', '--out', join(work, 'data'), '--count', '60', '--size', '32', '--seed', '4', '--json']);
    expect(synthetic.code, synthetic.stderr).toBe(0);
    catalog = (JSON.parse(synthetic.stdout) as { catalogPath: string }).catalogPath;
    const trained = runCli(['train', '--catalog', catalog, '--out', join(work, 'run'), '--size', '32', '--epochs', '1', '--batch-size', '16', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    modelDir = (JSON.parse(trained.stdout) as { modelDir: string }).modelDir;
  });

  it('should finetune to a class column and to a decision tree, then predict in slices and merge them', () => {
    // A class column derived from the votes, in a catalogue beside the original (same image paths).
    const [header = '', ...lines] = readFileSync(catalog, 'utf8').trim().split('\n');
    const columns = header.split(',');
    const smooth = columns.indexOf('smooth-or-featured_smooth');
    const featured = columns.indexOf('smooth-or-featured_featured-or-disk');
    const classes = join(work, 'data', 'classes.csv');
    writeFileSync(classes, ['id_str,file_loc,label', ...lines.map((l) => {
      const c = l.split(',');
      return `${c[0]},${c[1]},${Number(c[smooth]) > Number(c[featured]) ? 0 : 1}`;
    })].join('\n'));
    const classifier = runCli(['finetune', '--model', modelDir, '--catalog', classes, '--classes-column', 'label', '--out', join(work, 'ft-classes'),
      '--head-epochs', '1', '--blocks', '1', '--block-epochs', '1', '--batch-size', '16', '--json']);
    expect(classifier.code, classifier.stderr).toBe(0);
    const report = JSON.parse(classifier.stdout) as { head: { kind: string; outputs: number }; stages: Array<{ stage: number; unfrozen: string[] }> };
    expect(report.head).toEqual({ kind: 'classes', outputs: 2 });
    expect(report.stages.map((s) => s.unfrozen)).toEqual([[], ['top']]);

    const tree = runCli(['finetune', '--model', modelDir, '--catalog', catalog, '--schema', 'decals-dr5', '--out', join(work, 'ft-tree'),
      '--head-epochs', '1', '--batch-size', '16', '--json']);
    expect(tree.code, tree.stderr).toBe(0);
    const treeModel = (JSON.parse(tree.stdout) as { modelDir: string }).modelDir;

    const slices = [0, 1].map((i) => {
      const path = join(work, `slice-${i}.csv`);
      const predicted = runCli(['predict', '--model', treeModel, '--catalog', catalog, '--out', path, '--passes', '2', '--num-shards', '2', '--shard-index', String(i)]);
      expect(predicted.code, predicted.stderr).toBe(0);
      return path;
    });
    const merged = join(work, 'merged.csv');
    const merge = runCli(['merge', '--out', merged, '--catalog', catalog, '--num-shards', '2', ...slices, '--json']);
    expect(merge.code, merge.stderr).toBe(0);
    expect((JSON.parse(merge.stdout) as { galaxies: number }).galaxies).toBe(60);
    const mergedIds = readFileSync(merged, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(mergedIds).toEqual(lines.map((l) => l.split(',')[0]));

    expectOneLineError(runCli(['merge', '--out', join(work, 'bad.csv'), slices[0] ?? '', slices[0] ?? '']), /^zoobot-ts: DataError: .*slice-0\.csv.*id ".*" is also in .*slice-0\.csv/);
    expectOneLineError(runCli(['merge', '--out', join(work, 'bad.csv'), '--catalog', catalog, slices[1] ?? '']), /^zoobot-ts: DataError: .*are in no slice/);
  });

  it('should report bad finetune input as one line', () => {
    expectOneLineError(runCli(['finetune', '--model', modelDir, '--catalog', catalog, '--out', join(work, 'x'), '--backend', 'cpu']), /exactly one of --classes-column/);
    expectOneLineError(runCli(['finetune', '--model', modelDir, '--catalog', catalog, '--out', join(work, 'x'), '--classes-column', 'nope']), /^zoobot-ts: DataError: .*nope/);
    expectOneLineError(runCli(['finetune', '--model', modelDir, '--catalog', catalog, '--out', join(work, 'x'), '--schema', 'decals-dr5', '--blocks', '99', '--json']), /^zoobot-ts: ConfigError: .*cannot unfreeze 99 blocks/);
  });
});
