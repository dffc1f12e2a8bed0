// Temporary folders for tests, removed when the test file ends; and a helper to catch DataErrors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DataError } from '../../src/errors.js';

/** Returns a maker of fresh temporary folders named `<prefix>XXXXXX`, all removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** The DataError that `promise` rejects with (anything else fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<DataError> {
  try { await promise; } catch (error) { if (error instanceof DataError) return error; throw error; }
  throw new Error('expected a DataError');
}
