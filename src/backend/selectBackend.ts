/**
 * Picks the fastest tfjs backend this host can run. Browser-safe: it imports no Node module and
 * loads backend packages only by dynamic `import()` of their names, so a package that is not
 * installed is reported, not required.
 *
 * @module backend/selectBackend
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, ConfigError } from '../errors.js';
import { registerWasmTrainingKernels } from '../wasm/index.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../native/index.js';

/** What {@link selectBackend} can try, fastest first; `backend` is the name tfjs registers. */
const CANDIDATES = [
  { name: 'tfjs-node-gpu', backend: 'tensorflow', pkg: '@tensorflow/tfjs-node-gpu', browserOnly: false },
  { name: 'tfjs-node', backend: 'tensorflow', pkg: '@tensorflow/tfjs-node', browserOnly: false },
  { name: 'webgpu', backend: 'webgpu', pkg: '@tensorflow/tfjs-backend-webgpu', browserOnly: true },
  // webgl and cpu ship inside @tensorflow/tfjs itself.
  { name: 'webgl', backend: 'webgl', pkg: undefined, browserOnly: true },
  // zoobot-ts's own oneDNN addon, when it has been built (`npm run build:native`).
  { name: NATIVE_BACKEND, backend: NATIVE_BACKEND, pkg: undefined, browserOnly: false },
  { name: 'wasm', backend: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', browserOnly: false },
  { name: 'cpu', backend: 'cpu', pkg: undefined, browserOnly: false },
] as const;

type Candidate = (typeof CANDIDATES)[number];

/** Names {@link selectBackend} accepts in `prefer`: a candidate, or `tensorflow` for both tfjs-node packages. */
export const SELECTABLE_BACKENDS: readonly string[] = Object.freeze([...CANDIDATES.map((c) => c.name), 'tensorflow']);

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Candidates to try, in this order (default: all, fastest first: `tfjs-node-gpu`, `tfjs-node`,
   * `webgpu`, `webgl`, `zoobot-native`, `wasm`, `cpu`). `tensorflow` stands for `tfjs-node-gpu` then `tfjs-node`.
   */
  prefer?: readonly string[];
  /**
   * Where the wasm backend's `.wasm` binaries are served from, passed to tfjs-backend-wasm's
   * `setWasmPaths` (a prefix ending in `/`, or a map from binary name to URL). Without it the
   * package looks next to its own script, which works in Node but rarely in a bundled web app.
   * Node hosts that want the path resolved explicitly can call `useNodeBackend('wasm')` from
   * `zoobot-ts/node` instead (this module cannot resolve package folders and stay browser-safe).
   */
  wasmPaths?: string | Readonly<Record<string, string>>;
}

/** One candidate {@link selectBackend} looked at. */
export interface BackendAttempt {
  /** The candidate's name, e.g. `tfjs-node` or `wasm`. */
  name: string;
  /** Whether it initialised (only the chosen one is `true`). */
  ok: boolean;
  /** Why it was chosen or passed over, e.g. `package @tensorflow/tfjs-node is not installed`. */
  reason: string;
}

/** The outcome of {@link selectBackend}. */
export interface BackendSelection {
  /** The active tfjs backend, as `tf.getBackend()` names it (`tensorflow`, `webgl`, `wasm`, ...). */
  backend: string;
  /** Every candidate looked at, in order, ending with the chosen one. */
  tried: BackendAttempt[];
}

/**
 * Activates the first backend in `prefer` order that is installed and initialises here, and
 * reports what it tried. A candidate counts as available when its package (if it has one) imports
 * and `tf.setBackend` succeeds; `webgpu` and `webgl` are tried only in a browser or worker.
 * Choosing `wasm` also registers zoobot-ts's wasm training kernels, so convnets can train on it.
 *
 * @param options - Candidate order and wasm binary location.
 * @returns The active backend's name and one {@link BackendAttempt} per candidate tried.
 * @throws {@link ConfigError} for an unknown name in `prefer`.
 * @throws {@link BackendError} when no candidate initialises, listing each one's reason.
 * @example
 * ```ts
 * import { selectBackend } from 'zoobot-ts';
 *
 * const { backend, tried } = await selectBackend();
 * console.log(backend); // 'webgl' in most browsers
 * console.table(tried); // why faster backends were passed over
 * ```
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const tried: BackendAttempt[] = [];
  for (const candidate of resolvePreferences(options.prefer)) {
    const reason = await activate(candidate, options);
    tried.push({ name: candidate.name, ok: reason === undefined, reason: reason ?? `selected backend '${candidate.backend}'` });
    if (reason === undefined) return { backend: tf.getBackend(), tried };
  }
  throw new BackendError(`selectBackend: no backend could be initialised (${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`);
}

/** Candidates in the caller's order, each once. */
function resolvePreferences(prefer: readonly string[] | undefined): Candidate[] {
  if (prefer === undefined) return [...CANDIDATES];
  const chosen = prefer.flatMap((name) => {
    const matches = CANDIDATES.filter((c) => c.name === name || (name === 'tensorflow' && c.backend === 'tensorflow'));
    if (matches.length === 0) {
      throw new ConfigError(`selectBackend: unknown backend "${name}" in prefer. Should be one of: ${SELECTABLE_BACKENDS.join(', ')}`);
    }
    return matches;
  });
  return [...new Set(chosen)];
}

/** Tries to make `candidate` the active backend; returns why it failed, or `undefined` on success. */
async function activate(candidate: Candidate, options: SelectBackendOptions): Promise<string | undefined> {
  if (candidate.browserOnly && !inBrowser()) return 'needs a browser (no window or worker global here)';
  if (candidate.name === NATIVE_BACKEND) {
    const native = registerNativeBackend();
    if (!native.ok) return native.reason;
  }
  if (candidate.pkg !== undefined) {
    const failure = await importPackage(candidate.pkg, candidate.name === 'wasm' ? options.wasmPaths : undefined);
    if (failure !== undefined) return failure;
  }
  try {
    if (!(await tf.setBackend(candidate.backend))) return `tf.setBackend('${candidate.backend}') failed to initialise it`;
    await tf.ready();
  } catch (error) {
    return `tf.setBackend('${candidate.backend}') threw: ${messageOf(error)}`;
  }
  if (candidate.name === 'wasm') registerWasmTrainingKernels();
  return undefined;
}

/** Imports a backend package (which registers its backend); returns why it failed, if it did. */
async function importPackage(pkg: string, wasmPaths: SelectBackendOptions['wasmPaths']): Promise<string | undefined> {
  let module: { setWasmPaths?: (paths: string | Record<string, string>) => void };
  try {
    // The specifier is a variable so bundlers leave optional packages alone.
    module = (await import(/* @vite-ignore */ /* webpackIgnore: true */ pkg)) as typeof module;
  } catch (error) {
    return isNotFound(error, pkg) ? `package ${pkg} is not installed` : `package ${pkg} failed to load: ${messageOf(error)}`;
  }
  if (wasmPaths === undefined) return undefined;
  try {
    module.setWasmPaths?.(typeof wasmPaths === 'string' ? wasmPaths : { ...wasmPaths });
    return undefined;
  } catch (error) {
    return `setWasmPaths failed: ${messageOf(error)}`;
  }
}

/** webgl/webgpu need a page or worker (Node, Deno and Bun have neither global). */
function inBrowser(): boolean {
  return 'window' in globalThis || 'WorkerGlobalScope' in globalThis;
}

/** Whether an import failed because the package itself is missing (not one of its own imports). */
function isNotFound(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = messageOf(error);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /cannot find|could not resolve|failed to resolve/i.test(message))
    && message.includes(pkg);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
