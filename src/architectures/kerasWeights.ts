/** Importing weights trained in Keras from HDF5 files. */
import * as tf from '@tensorflow/tfjs';
import { DataError, ShapeError } from '../errors.js';

// h5wasm (an Emscripten build of libhdf5) is loaded on first use only: it is large, and it ships as ESM only.
type H5wasm = (typeof import('h5wasm'))['default'];
type H5Group = InstanceType<H5wasm['Group']>;
type H5Dataset = InstanceType<H5wasm['Dataset']>;
let h5wasmModule: Promise<H5wasm> | undefined;
const loadH5wasm = (): Promise<H5wasm> => (h5wasmModule ??= import('h5wasm').then((m) => m.default));

/** One stored weight. */
interface KerasWeight {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** A Keras weights file: its layout and the weights of each layer, keyed as the layout keys them. */
interface KerasFile {
  /** `keras3`: `.weights.h5` keyed by class-based paths; `keras2`: legacy `.h5` keyed by layer name. */
  readonly format: 'keras3' | 'keras2';
  readonly layers: Map<string, KerasWeight[]>;
}

// Structural checks, so they need no reference to the lazily loaded module.
const isGroup = (x: unknown): x is H5Group => (x as { type?: unknown } | null)?.type === 'Group';
const isDataset = (x: unknown): x is H5Dataset => (x as { type?: unknown } | null)?.type === 'Dataset';

function readDataset(d: H5Dataset): KerasWeight {
  const value = d.value;
  const shape = d.shape ?? [];
  // Scalars (e.g. a Normalization layer's int64 count) come back as a number or bigint.
  if (typeof value === 'number' || typeof value === 'bigint') return { shape, values: Float32Array.of(Number(value)) };
  if (value instanceof Float32Array) return { shape, values: value };
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    return { shape, values: Float32Array.from(value as ArrayLike<number | bigint>, Number) };
  }
  throw new DataError(`dataset ${d.path} is not numeric`);
}

/** Keras 3 `.weights.h5`: `layers/<key>/vars/<i>`, nested models under `layers/<key>/layers/...`. */
function readKeras3(group: H5Group, prefix: string, out: Map<string, KerasWeight[]>): void {
  for (const key of group.keys()) {
    const layer = group.get(key);
    if (!isGroup(layer)) continue;
    const vars = layer.get('vars');
    if (isGroup(vars) && vars.keys().length > 0) {
      const indices = vars.keys().sort((a, b) => Number(a) - Number(b));
      out.set(`${prefix}${key}`, indices.map((i) => vars.get(i)).filter(isDataset).map(readDataset));
    }
    const inner = layer.get('layers');
    if (isGroup(inner)) readKeras3(inner, `${prefix}${key}/`, out);
  }
}

/**
 * Keras 2 `.h5` (weights or whole model): a `layer_names` attribute, and per layer a `weight_names`
 * attribute naming its datasets (`<layer>/<variable>:0`). A nested model is one entry whose weights
 * belong to its inner layers, so weights are grouped by the layer named in their path.
 */
function readKeras2(group: H5Group, out: Map<string, KerasWeight[]>): void {
  const layerNames = group.attrs.layer_names?.value;
  for (const name of (Array.isArray(layerNames) ? layerNames : []) as string[]) {
    const layer = group.get(name);
    if (!isGroup(layer)) continue;
    const weightNames = layer.attrs.weight_names?.value;
    for (const weightName of (Array.isArray(weightNames) ? weightNames : []) as string[]) {
      const dataset = layer.get(weightName);
      if (!isDataset(dataset)) throw new DataError(`weight ${weightName} of layer ${name} is listed but missing`);
      const segments = weightName.split('/');
      const owner = segments.length >= 2 ? segments[segments.length - 2]! : name;
      out.set(owner, [...(out.get(owner) ?? []), readDataset(dataset)]);
    }
  }
}

async function readKerasFile(bytes: Uint8Array): Promise<KerasFile> {
  const h5wasm = await loadH5wasm();
  const { FS } = await h5wasm.ready;
  // h5wasm opens files from its in-memory file system, which works in browsers and Node alike.
  const path = `/zoobot-keras-${Date.now()}-${Math.random().toString(36).slice(2)}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<H5wasm['File']>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (cause) {
    FS.unlink(path);
    throw new DataError('loadKerasWeights: not a readable HDF5 file', {}, { cause });
  }
  try {
    const layers = new Map<string, KerasWeight[]>();
    const root = file.get('model_weights');
    const top = isGroup(root) ? root : file;
    const keras3 = top.get('layers');
    if (isGroup(keras3)) {
      readKeras3(keras3, '', layers);
      return { format: 'keras3', layers };
    }
    readKeras2(top, layers);
    return { format: 'keras2', layers };
  } finally {
    file.close();
    FS.unlink(path);
  }
}

/** Keras's `naming.to_snake_case`, which names the groups of a Keras 3 weights file. */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * Keys of the model's weighted layers as `format` stores them: the layer name (Keras 2), or the path
 * Keras 3 gives each layer from its class and its rank among same-class layers of its container
 * (`conv2d`, `conv2d_1`, ...; nested models `functional/...`). tfjs and Keras order a functional
 * model's layers alike (by depth), so the same architecture gets the same paths.
 */
function modelKeys(model: tf.LayersModel, format: KerasFile['format']): Map<string, tf.layers.Layer> {
  const out = new Map<string, tf.layers.Layer>();
  const visit = (m: tf.LayersModel, prefix: string): void => {
    const used = new Map<string, number>();
    for (const layer of m.layers) {
      const base = layer instanceof tf.Sequential ? 'sequential' : layer instanceof tf.LayersModel ? 'functional' : kerasSnakeCase(layer.getClassName());
      const count = used.get(base);
      used.set(base, (count ?? -1) + 1);
      const key = format === 'keras2' ? layer.name : `${prefix}${count === undefined ? base : `${base}_${count + 1}`}`;
      if (layer instanceof tf.LayersModel) visit(layer, `${key}/`);
      else if (layer.weights.length > 0) out.set(key, layer);
    }
  };
  visit(model, '');
  return out;
}

/** Options of {@link loadKerasWeights}. */
export interface LoadKerasWeightsOptions {
  /** Ignore layers of the file that the model lacks (e.g. Keras's `normalization` input layer). @defaultValue false */
  readonly allowUnexpected?: boolean;
}

/**
 * Assigns the weights of a Keras HDF5 file to `model`, in Keras's variable order, which tfjs shares
 * (kernel, bias; gamma, beta, moving mean, moving variance). Nothing is assigned unless every layer matches.
 * - Keras 2 `.h5` (weights or whole model): matched by layer name.
 * - Keras 3 `.weights.h5`: Keras 3 stores layers under class-based paths (`conv2d_3`), not names; they are
 *   matched by class and order, which identifies each layer of the same architecture (same layer names too,
 *   e.g. from {@link efficientNet}). Keras's EfficientNet adds `rescaling`/`normalization` input layers
 *   that zoobot-ts leaves out: pass `allowUnexpected` and rescale inputs yourself.
 *
 * @param model - Target model.
 * @param file - Contents of the HDF5 file.
 * @param options - See {@link LoadKerasWeightsOptions}.
 * @returns The names of the layers that were loaded.
 * @throws {@link ShapeError} listing missing, unexpected and wrongly shaped weights.
 */
export async function loadKerasWeights(
  model: tf.LayersModel, file: Uint8Array | ArrayBuffer, options: LoadKerasWeightsOptions = {},
): Promise<string[]> {
  const stored = await readKerasFile(file instanceof Uint8Array ? file : new Uint8Array(file));
  const layers = modelKeys(model, stored.format);
  const label = (key: string, layer: tf.layers.Layer): string => (key === layer.name ? key : `${layer.name} [${key}]`);
  const missing: string[] = [];
  const wrongShape: string[] = [];
  const assignments: Array<[tf.LayerVariable, KerasWeight]> = [];
  for (const [key, layer] of layers) {
    const weights = stored.layers.get(key);
    if (weights === undefined) {
      missing.push(...layer.weights.map((w) => `${label(key, layer)}/${w.originalName.split('/').pop()}`));
    } else if (weights.length !== layer.weights.length) {
      wrongShape.push(`${label(key, layer)}: file has ${weights.length} weights, model has ${layer.weights.length}`);
    } else {
      layer.weights.forEach((variable, i) => {
        const w = weights[i]!;
        if (w.shape.length !== variable.shape.length || w.shape.some((d, k) => d !== variable.shape[k])) {
          wrongShape.push(`${label(key, layer)}/${variable.originalName.split('/').pop()}: file [${w.shape.join(', ')}], model [${variable.shape.join(', ')}]`);
        } else {
          assignments.push([variable, w]);
        }
      });
    }
  }
  const unexpected = options.allowUnexpected ? [] : [...stored.layers.keys()].filter((k) => !layers.has(k));
  if (missing.length + wrongShape.length + unexpected.length > 0) {
    const parts = [
      missing.length > 0 ? `missing: ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `unexpected layers: ${unexpected.join(', ')}` : '',
      wrongShape.length > 0 ? `wrong shape: ${wrongShape.join('; ')}` : '',
    ].filter((p) => p !== '');
    throw new ShapeError(`loadKerasWeights: the ${stored.format} file does not match model '${model.name}'. ${parts.join('. ')}`);
  }
  for (const [variable, w] of assignments) {
    const value = tf.tensor(w.values, w.shape, 'float32');
    variable.write(value);
    value.dispose();
  }
  return [...layers.values()].map((l) => l.name);
}
