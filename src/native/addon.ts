/**
 * Finding and loading the optional oneDNN addon (`native/build/Release/zoobot_native.node`, built by
 * `npm run build:native`). Browser-safe: Node's module loader is reached through
 * `process.getBuiltinModule` at run time, never imported, so bundles for the web load this file and
 * simply report the addon as absent.
 *
 * @module native/addon
 */

/** The functions the compiled addon exports (see native/zoobot_native.cc for their contracts). */
export interface NativeAddon {
  /** Convolution forward (mode 0), backward data (1) or backward weights (2) over NHWC float32 buffers. */
  conv2d(mode: number, geometry: Int32Array, activation: number, alpha: number,
    a: Float32Array, b: Float32Array, bias: Float32Array | null, out: Float32Array): void;
  /** Batched row-major matrix product; geometry is [batchA, batchB, m, n, k, transposeA, transposeB]. */
  matMul(a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** Max (kind 0) or average (kind 1) pooling, forward. */
  pool(kind: number, geometry: Int32Array, x: Float32Array, out: Float32Array): void;
  /** The max-pooling gradient w.r.t. x, routed as the cpu backend routes it (first strictly greatest element of each window). */
  maxPoolGrad(geometry: Int32Array, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out = a op b (0 add, 1 sub, 2 mul, 3 div); geometry is [rank, out shape, a strides, b strides] (0: broadcast). */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** out = x * scale[c] + shift[c] along x's last axis. */
  affine(x: Float32Array, scale: Float32Array, shift: Float32Array, out: Float32Array): void;
  /** ReLU (0), Step with `alpha` below zero (1), sqrt (2), square (3) or sigmoid (4), elementwise. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** Sums x viewed as [outer, reduced, inner] over its middle axis, times `scale`, into [outer, inner]. */
  sum(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number, scale: number): void;
  /** oneDNN's OpenMP thread count, first set to `n` when given. */
  /** Behind a ReLU with output y: dz = dy where y > 0 (else 0), and db = dz summed per channel (last axis). */
  reluBiasGrad(dy: Float32Array, y: Float32Array, dz: Float32Array, db: Float32Array): void;
  /** y = x * sigmoid(x), elementwise (oneDNN). */
  swish(x: Float32Array, y: Float32Array): void;
  /** The swish gradient: dx = dy * s * (1 + x * (1 - s)) with s = sigmoid(x) (oneDNN). */
  swishGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * Training-mode batch norm over every axis but the last: y, and the batch mean and (biased)
   * variance; activation 1 applies swish to the normalised value (0: none).
   */
  batchNormTrain(x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, y: Float32Array, mean: Float32Array, variance: Float32Array,
    activation: number): void;
  /** Its gradient: dx, dgamma and dbeta from dy, x, gamma and the batch statistics (and beta, for swish). */
  batchNormTrainGrad(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, activation: number, beta: Float32Array | null): void;
  /** Copies the box of src at `begin` with extent `size` into dst at `dstBegin` (Slice, constant padding). */
  copyBox(src: Float32Array, srcShape: Int32Array, begin: Int32Array, size: Int32Array, dst: Float32Array, dstShape: Int32Array, dstBegin: Int32Array): void;
  /** One AdamW step for one variable: params [beta1, beta2, epsilon, correction1, correction2, lr, weight decay]. */
  adamWUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, params: Float64Array, w2: Float32Array, m2: Float32Array, v2: Float32Array): void;
  threads(n?: number): number;
  /** oneDNN's name for the implementation it picks for a forward convolution of this geometry. */
  convImplementation(geometry: Int32Array): string;
  /** The oneDNN library version the addon runs on, e.g. `2.6.3`. */
  onednnVersion: string;
}

/** The addon, or why it is not available. */
export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Environment variable naming an addon file to load instead of the package's own build. */
export const NATIVE_ADDON_ENV = 'ZOOBOT_NATIVE_ADDON';

const ADDON_PATH = ['native', 'build', 'Release', 'zoobot_native.node'];

let cached: AddonLoad | undefined;

interface NodeModules {
  createRequire(url: string): NodeJS.Require;
}
interface NodePath {
  join(...parts: string[]): string;
  dirname(path: string): string;
}
interface NodeFs {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
}
interface NodeUrl {
  fileURLToPath(url: string): string;
}

/**
 * Loads the addon once and remembers the outcome. Never throws: a missing build, a missing oneDNN
 * library or a non-Node host all come back as `{ ok: false, reason }` with a reason a user can act on.
 */
export function loadNativeAddon(): AddonLoad {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): AddonLoad {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (proc?.versions?.node === undefined) return { ok: false, reason: 'needs Node.js (native addons cannot load in a browser)' };
  const builtin = (proc as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (builtin === undefined) return { ok: false, reason: `needs Node >= 20.16 (process.getBuiltinModule); this is ${proc.version}` };
  const { createRequire } = builtin('node:module') as NodeModules;
  const path = builtin('node:path') as NodePath;
  const fs = builtin('node:fs') as NodeFs;
  const { fileURLToPath } = builtin('node:url') as NodeUrl;
  const override = proc.env[NATIVE_ADDON_ENV];
  const file = override !== undefined && override !== '' ? override : addonInPackage(path, fs, fileURLToPath(import.meta.url));
  if (file === undefined || !fs.existsSync(file)) {
    return {
      ok: false,
      reason: `the oneDNN addon is not built (${file ?? ADDON_PATH.join('/')} is missing): install oneDNN (apt-get install -y libdnnl-dev) and run \`npm run build:native\` in the zoobot-ts folder`,
    };
  }
  // OpenMP threads that spin between oneDNN calls take the core the JavaScript thread needs for
  // the kernels in between: sleeping at once made an EfficientNetB0 training step 2x faster on a
  // shared 2-core machine, VGG prediction no slower. libgomp reads this when the addon loads it.
  proc.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    return { ok: true, addon, path: file };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = /libdnnl/.test(message) ? ' (is oneDNN installed? apt-get install -y libdnnl-dev)' : ' (rebuild it with `npm run build:native`)';
    return { ok: false, reason: `the oneDNN addon ${file} failed to load: ${message}${hint}` };
  }
}

/** The addon's path inside the zoobot-ts package that holds `fromFile` (source or dist layout alike). */
function addonInPackage(path: NodePath, fs: NodeFs, fromFile: string): string | undefined {
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'zoobot-ts') {
      return path.join(dir, ...ADDON_PATH);
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
