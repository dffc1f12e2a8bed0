/**
 * Reads back the JSON-lines training history that `jsonLinesHistory` writes, for the loss curves.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { DataError } from '../../errors.js';
import type { LossRecord } from '../../plots/lossCurves.js';

/**
 * The epoch records of a `history.jsonl` file, in order.
 *
 * @param path - the history file (one JSON object per line; blank lines are skipped).
 * @returns the records, with at least `epoch`, `loss` and `questionLosses` each.
 * @throws `DataError` naming the file and line (as row) for a line that is not JSON or lacks those fields.
 * @example
 * ```ts
 * await writePlot(lossCurvesSpec(await readHistoryFile('run/history.jsonl')), 'run/plots/loss');
 * ```
 */
export async function readHistoryFile(path: string): Promise<LossRecord[]> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const records: LossRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (cause) {
      throw new DataError('not a JSON line', { file: path, row: i + 1 }, { cause });
    }
    const r = record as Partial<LossRecord> | null;
    const field = r === null || typeof r !== 'object' ? 'epoch'
      : typeof r.epoch !== 'number' ? 'epoch' : typeof r.loss !== 'number' ? 'loss'
        : typeof r.questionLosses !== 'object' || r.questionLosses === null ? 'questionLosses' : undefined;
    if (field !== undefined) throw new DataError(`history record without a valid ${field}`, { file: path, row: i + 1, column: field });
    records.push(r as LossRecord);
  });
  return records;
}
