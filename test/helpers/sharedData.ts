import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/data beside the repository, where real Galaxy Zoo files live (absent outside the workplace). */
export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

/** Whether a file under shared/data exists; tests that need it use `describe.skipIf(!hasSharedData(...))`. */
export function hasSharedData(...parts: string[]): boolean {
  return existsSync(join(SHARED_DATA, ...parts));
}

/** Absolute path of a file under shared/data. */
export function sharedDataPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}
