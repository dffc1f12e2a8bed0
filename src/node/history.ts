/**
 * The training history as JSON lines, one object per epoch, kept in step with the checkpoint:
 * on resume the file is rewritten from the checkpoint's history, so epochs that finished after
 * the last checkpoint (and will be trained again) do not appear twice.
 *
 * @module node/history
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EpochRecord } from '../training/checkpoint.js';
import type { TrainCallbacks } from '../training/train.js';
import { writeFileAtomic } from './atomicFile.js';

/** Callbacks for `train()` that keep `path` as a JSON-lines history. */
export function jsonLinesHistory(path: string): Required<Pick<TrainCallbacks, 'onEpochEnd' | 'onResume'>> & { start(): Promise<void> } {
  const line = (record: EpochRecord) => `${JSON.stringify(record)}\n`;
  return {
    /** Starts a new history (call before a fresh, non-resumed run). */
    async start() {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, '');
    },
    async onResume(checkpoint) {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, checkpoint.history.map(line).join(''));
    },
    async onEpochEnd(record) {
      await appendFile(path, line(record));
    },
  };
}
