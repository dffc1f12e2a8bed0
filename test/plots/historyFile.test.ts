// history.jsonl written by jsonLinesHistory reads back into the loss curves' records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { jsonLinesHistory } from '../../src/node/history.js';
import { readHistoryFile } from '../../src/node/plots/index.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-history-'));

describe('readHistoryFile', () => {
  it('should read back what jsonLinesHistory wrote', async () => {
    const path = join(work, 'run', 'history.jsonl');
    const history = jsonLinesHistory(path);
    await history.start();
    const records = [0, 1].map((epoch) => ({ epoch, loss: 3 - epoch, validationLoss: 4, questionLosses: { q: 1 }, learningRate: 1e-3, imagesPerSecond: 5, seconds: 2 }));
    for (const r of records) await history.onEpochEnd(r);
    expect(await readHistoryFile(path)).toEqual(records);
  });

  it('should name the file and line of a bad record', async () => {
    const path = join(work, 'bad.jsonl');
    writeFileSync(path, '{"epoch":0,"loss":1,"questionLosses":{}}\n\n{"epoch":1,"questionLosses":{}}\n');
    const error = await readHistoryFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ file: path, row: 3, column: 'loss' });
    writeFileSync(path, '{"epoch":0,\n');
    await expect(readHistoryFile(path)).rejects.toMatchObject({ file: path, row: 1 });
  });
});
