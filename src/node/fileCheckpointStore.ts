/**
 * Training checkpoints on disk: `checkpoint.json` names a weights file written before it, so the
 * pair switches atomically and a crash mid-save leaves the previous checkpoint intact.
 *
 * @module node/fileCheckpointStore
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointStore } from '../training/checkpoint.js';
import { writeFileAtomic } from './atomicFile.js';

const INDEX = 'checkpoint.json';

/**
 * A {@link CheckpointStore} in `dir` (created when missing).
 *
 * @example
 * ```ts
 * await train({ ..., checkpoints: fileCheckpointStore('runs/dr5/checkpoint') });
 * ```
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(join(dir, INDEX), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const source = join(dir, INDEX);
      let meta: { weightsFile?: unknown };
      try {
        meta = JSON.parse(text) as { weightsFile?: unknown };
      } catch (cause) {
        throw new DataError('is not valid JSON', { file: source }, { cause });
      }
      if (typeof meta.weightsFile !== 'string') throw new DataError('names no weights file', { file: source });
      const data = await readFile(join(dir, meta.weightsFile));
      return decodeCheckpoint(meta, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), join(dir, meta.weightsFile));
    },
    async save(checkpoint) {
      await mkdir(dir, { recursive: true });
      const { meta, data } = encodeCheckpoint(checkpoint);
      const weightsFile = `weights-${checkpoint.completedEpochs}-${randomBytes(4).toString('hex')}.bin`;
      await writeFileAtomic(join(dir, weightsFile), data);
      await writeFileAtomic(join(dir, INDEX), JSON.stringify({ ...(meta as object), weightsFile }));
      // Older weights files are unreferenced once the index has switched.
      for (const name of await readdir(dir)) {
        if (name.startsWith('weights-') && name.endsWith('.bin') && name !== weightsFile) await rm(join(dir, name), { force: true });
      }
    },
  };
}
