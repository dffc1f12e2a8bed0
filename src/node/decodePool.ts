/**
 * A pool of worker threads that decode image files, so that decoding a catalogue's PNG/JPEG files
 * runs beside training instead of between its steps. Results equal {@link decodeImageFile}'s.
 *
 * @module node/decodePool
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, DataError } from '../errors.js';
import type { DecodeRequest, DecodeResponse } from './decodeWorker.js';
import type { DecodedImage, DecodeImageOptions } from './images.js';

/** Decodes image files on worker threads. */
export interface DecodePool {
  /** Number of worker threads. */
  readonly workers: number;
  /** Decodes one file, like `decodeImageFile` (same pixels, same `DataError`s). */
  decode(path: string, options?: DecodeImageOptions): Promise<DecodedImage>;
  /** Terminates the workers; decodes still queued are rejected. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link createDecodePool}. */
export interface DecodePoolOptions {
  /** Worker threads. @defaultValue {@link defaultDecodeWorkers}() */
  readonly workers?: number;
}

/**
 * Requests handed to one worker before it answers: hides the message round trip, and lets sharp
 * (whose decoding is asynchronous) overlap a few files per worker. pngjs decodes one at a time.
 */
const IN_FLIGHT_PER_WORKER = 4;

/** Worker threads used when none are asked for: one core per worker, one left for training. */
export function defaultDecodeWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * How to start a worker: the package's built entry, which the bundler places at
 * `dist/node/decodeWorker.{js,cjs}` (next to this code, or one folder down when this code sits in
 * a shared chunk in `dist/`); from the TypeScript sources (tests, tsx), a bootstrap that registers
 * tsx's loader inside the worker first, because Node 20 does not pass loader hooks on to workers.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const here = import.meta.url;
  const ext = extname(fileURLToPath(here));
  const url = ['./decodeWorker', './node/decodeWorker'].map((base) => new URL(`${base}${ext}`, here)).find((u) => existsSync(u));
  if (url === undefined) throw new ConfigError(`decode pool: cannot find the worker entry decodeWorker${ext} next to ${here}`);
  if (ext !== '.ts') return { script: url, eval: false };
  // The ESM build of tsx's API (require.resolve would give its CommonJS build).
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  return { script: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`, eval: true };
}

function rebuildError(error: Extract<DecodeResponse, { error: unknown }>['error']): Error {
  if (error.name === 'DataError') return Object.assign(new DataError('', error.location), { message: error.message });
  if (error.name === 'ConfigError') return new ConfigError(error.message);
  return new Error(error.message);
}

interface Task {
  readonly request: DecodeRequest;
  resolve(image: DecodedImage): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Map<number, Task>;
}

/**
 * Starts `workers` decoding threads. Idle workers do not keep the process alive, and
 * {@link DecodePool.close} terminates them.
 *
 * @example
 * ```ts
 * const pool = createDecodePool({ workers: 2 });
 * try { const image = await pool.decode('images/1.png', { channels: 1 }); } finally { await pool.close(); }
 * ```
 * @throws ConfigError when `workers` is not a positive integer.
 */
export function createDecodePool(options: DecodePoolOptions = {}): DecodePool {
  const count = options.workers ?? defaultDecodeWorkers();
  if (!Number.isInteger(count) || count < 1) throw new ConfigError(`decode pool: workers must be a positive integer, got ${count}`);
  const entry = workerEntry();
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  const failSlot = (slot: Slot, error: Error): void => {
    for (const task of slot.inFlight.values()) task.reject(error);
    slot.inFlight.clear();
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    // Nothing left to run the queue: fail it rather than hang.
    if (slots.length === 0) for (const task of queue.splice(0)) task.reject(error);
  };

  const dispatch = (): void => {
    for (const slot of slots) {
      while (slot.inFlight.size < IN_FLIGHT_PER_WORKER && queue.length > 0) {
        const task = queue.shift() as Task;
        slot.inFlight.set(task.request.id, task);
        slot.worker.ref();
        slot.worker.postMessage(task.request);
      }
    }
  };

  const slots: Slot[] = Array.from({ length: count }, () => {
    const worker = new Worker(entry.script, { eval: entry.eval });
    const slot: Slot = { worker, inFlight: new Map() };
    // Unreferenced once running (not before: a worker unreferenced while it starts can pin the process under a loader).
    worker.once('online', () => {
      if (slot.inFlight.size === 0) worker.unref();
    });
    worker.on('message', (response: DecodeResponse) => {
      const task = slot.inFlight.get(response.id);
      if (task === undefined) return;
      slot.inFlight.delete(response.id);
      if ('error' in response) task.reject(rebuildError(response.error));
      else task.resolve({ data: response.data, width: response.width, height: response.height, channels: response.channels });
      if (slot.inFlight.size === 0) worker.unref();
      dispatch();
    });
    worker.on('error', (error) => failSlot(slot, error));
    worker.on('exit', (code) => {
      if (!closed) failSlot(slot, new Error(`decode worker exited unexpectedly (code ${code})`));
    });
    return slot;
  });

  return {
    workers: count,
    decode(path, decodeOptions = {}) {
      if (closed) return Promise.reject(new ConfigError('decode pool is closed'));
      if (slots.length === 0) return Promise.reject(new Error('decode pool: every worker has failed'));
      return new Promise<DecodedImage>((resolve, reject) => {
        queue.push({ request: { id: nextId++, path, options: decodeOptions }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new ConfigError('decode pool is closed');
      for (const task of queue.splice(0)) task.reject(error);
      for (const slot of slots) for (const task of slot.inFlight.values()) task.reject(error);
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
