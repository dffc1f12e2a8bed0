import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointStore } from '../../src/node/fileCheckpointStore.js';
import type { TrainingCheckpoint } from '../../src/training/checkpoint.js';

function checkpoint(epochs: number, value: number): TrainingCheckpoint {
  return {
    completedEpochs: epochs,
    modelWeights: [{ name: 'k', shape: [2, 2], dtype: 'float32', values: Float32Array.from([value, 2, 3, 4]) }],
    optimizerWeights: [],
    bestWeights: [{ name: 'k', shape: [2, 2], dtype: 'float32', values: Float32Array.from([value, 0, 0, 0]) }],
    bestValidationLoss: 1.25,
    bestEpoch: epochs - 1,
    epochsWithoutImprovement: 0,
    history: [{ epoch: epochs - 1, loss: 2, questionLosses: { a: 2 }, learningRate: 0.001, imagesPerSecond: 10, seconds: 1 }],
  };
}

describe('fileCheckpointStore', () => {
  it('should return undefined before the first save and the latest checkpoint after', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'zoobot-ckpt-')), 'nested');
    const store = fileCheckpointStore(dir);
    expect(await store.load()).toBeUndefined();
    await store.save(checkpoint(1, 1));
    await store.save(checkpoint(2, 7));
    expect(await fileCheckpointStore(dir).load()).toEqual(checkpoint(2, 7));
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('should name the file when the index is corrupt or its weights are truncated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoobot-ckpt-'));
    const store = fileCheckpointStore(dir);
    await store.save(checkpoint(1, 1));
    const index = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as { weightsFile: string };
    await writeFile(join(dir, index.weightsFile), new Uint8Array(3));
    await expect(store.load()).rejects.toThrow(new RegExp(`${index.weightsFile}: weights hold 3 bytes`));
    await writeFile(join(dir, 'checkpoint.json'), '{not json');
    await expect(store.load()).rejects.toThrow(/checkpoint.json: is not valid JSON/);
  });
});
