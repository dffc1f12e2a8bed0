/**
 * Files that appear complete or not at all: written under a temporary name in the same folder,
 * flushed, then renamed over the target (rename is atomic on POSIX file systems).
 *
 * @module node/atomicFile
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file being written under a temporary name until {@link AtomicFileWriter.commit}. */
export class AtomicFileWriter {
  private constructor(readonly path: string, readonly tempPath: string, private readonly handle: FileHandle) {}

  /**
   * Starts writing `path` (through a hidden temporary file beside it).
   *
   * @param path - the final file name.
   * @returns the writer.
   */
  static async create(path: string): Promise<AtomicFileWriter> {
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    return new AtomicFileWriter(path, tempPath, await open(tempPath, 'wx'));
  }

  /** Appends bytes or text. */
  async write(data: Uint8Array | string): Promise<void> {
    if (typeof data === 'string') await this.handle.write(data);
    else await this.handle.write(data);
  }

  /** Flushes to disk and renames the temporary file to the final name. */
  async commit(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tempPath, this.path);
  }

  /** Drops the temporary file; the final name is left as it was. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

/**
 * Writes a whole file atomically.
 *
 * @param path - the final file name.
 * @param data - the contents.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const writer = await AtomicFileWriter.create(path);
  try {
    await writer.write(data);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
