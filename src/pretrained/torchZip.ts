/**
 * Reading PyTorch zip checkpoints (`torch.save` since 1.6, e.g. a hub's `pytorch_model.bin`):
 * a zip holding `<archive>/data.pkl` (the pickled state_dict, whose tensors name their storages by
 * persistent id), `<archive>/data/<key>` (one raw storage per key) and `<archive>/byteorder`.
 * The pickle is read by the restricted {@link unpickle}, whitelisting only what state_dicts use.
 */
import { unzipSync } from 'fflate';
import { DataError } from '../errors.js';
import { unpickle, type PickleGlobal } from './unpickle.js';
import { DTYPE_BYTES, decodeElements, elementCount, type StoredDType, type StoredTensor, type TensorDict } from './tensors.js';

/** A storage class named in a pickle (`torch.FloatStorage`, ...): a marker, never called. */
interface StorageType {
  readonly storageDType: StoredDType;
}

/** A storage resolved from its persistent id: its decoded elements. */
interface Storage {
  readonly dtype: StoredDType;
  readonly elements: Float32Array | BigInt64Array;
}

const STORAGE_TYPES: Readonly<Record<string, StoredDType>> = {
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
};

/** Tensors made by this reader (so a state_dict value can be checked to be one). */
const rebuilt = new WeakSet<StoredTensor>();

const isIntList = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => Number.isSafeInteger(v) && v >= 0);

/** Storage indices of a strided view's elements, in row-major order. */
function viewIndices(start: number, shape: readonly number[], stride: readonly number[]): number[] {
  let indices = [start];
  shape.forEach((d, axis) => {
    indices = indices.flatMap((base) => Array.from({ length: d }, (_, k) => base + k * (stride[axis] as number)));
  });
  return indices;
}

/** The elements of `src` at `indices`, in the same element type. */
function gather(src: Float32Array | BigInt64Array, indices: readonly number[]): Float32Array | BigInt64Array {
  return src instanceof Float32Array
    ? Float32Array.from(indices, (i) => src[i] as number)
    : BigInt64Array.from(indices, (i) => src[i] as bigint);
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor(args: unknown[]): StoredTensor {
  const [storage, offset, shape, stride] = args as [Storage, unknown, unknown, unknown];
  if (!storage?.elements || !Number.isSafeInteger(offset) || !isIntList(shape) || !isIntList(stride) || stride.length !== shape.length) {
    throw new DataError(`malformed _rebuild_tensor_v2 arguments`);
  }
  const count = elementCount(shape);
  const start = offset as number;
  // Highest element index the view touches must lie inside the storage.
  const last = start + shape.reduce((s, d, i) => s + (d - 1) * (stride[i] as number), 0);
  if (count > 0 && last >= storage.elements.length) {
    throw new DataError(`tensor view [${shape.join(', ')}] at offset ${start} overruns its storage of ${storage.elements.length}`);
  }
  const src = storage.elements;
  // Contiguous views (the usual case) are one slice; others gather element by element in row-major order.
  const contiguous = shape.every((d, i) => d <= 1 || stride[i] === elementCount(shape.slice(i + 1)));
  const out = contiguous ? src.slice(start, start + count) : gather(src, viewIndices(start, shape, stride));
  const tensor: StoredTensor = { dtype: storage.dtype, shape, data: out };
  rebuilt.add(tensor);
  return tensor;
}

/** The globals a state_dict pickle may name. */
function stateDictGlobals(): Record<string, PickleGlobal> {
  const globals: Record<string, PickleGlobal> = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    // nn.Parameter wrapping a tensor: (tensor, requires_grad, backward_hooks).
    'torch._utils._rebuild_parameter': (args: unknown[]) => args[0],
  };
  for (const [name, dtype] of Object.entries(STORAGE_TYPES)) {
    globals[`torch.${name}`] = { storageDType: dtype } satisfies StorageType;
  }
  return globals;
}

/**
 * Reads the state_dict of a PyTorch zip checkpoint without running any pickle code.
 *
 * @param bytes - The whole checkpoint file.
 * @param source - The file's name, used in error messages.
 * @returns Tensor name -> tensor, in state_dict order (float storages widened to float32; int64 exact).
 * @throws DataError naming `source` (and the tensor or pickle global at fault) when the file is not a zip,
 *   has no `data.pkl`, names a global outside the state_dict whitelist, references a missing or short
 *   storage, or does not hold a flat state_dict of tensors.
 * @example
 * ```ts
 * const tensors = readTorchZip(bytes, 'pytorch_model.bin');
 * tensors.get('stem.0.weight')?.shape; // [80, 3, 4, 4]
 * ```
 */
export function readTorchZip(bytes: Uint8Array, source: string): TensorDict {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (cause) {
    throw new DataError(`not a readable zip file (PyTorch checkpoints before 1.6 are not supported)`, { file: source }, { cause });
  }
  const pickleName = Object.keys(files).find((n) => n.endsWith('data.pkl') && n.split('/').length === 2);
  if (pickleName === undefined) throw new DataError(`no <archive>/data.pkl in the zip: not a PyTorch checkpoint`, { file: source });
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteorder = files[`${prefix}byteorder`];
  const littleEndian = byteorder === undefined || new TextDecoder().decode(byteorder).trim() === 'little';

  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    const [tag, type, key, , numel] = Array.isArray(pid) ? pid : [];
    const dtype = (type as StorageType | undefined)?.storageDType;
    if (tag !== 'storage' || dtype === undefined || typeof key !== 'string' || !Number.isSafeInteger(numel)) {
      throw new DataError(`unsupported persistent id ${JSON.stringify(pid)}`, { file: source });
    }
    const cached = storages.get(key);
    if (cached) return cached;
    const raw = files[`${prefix}data/${key}`];
    const count = numel as number;
    if (raw === undefined || raw.byteLength < count * DTYPE_BYTES[dtype]) {
      throw new DataError(`storage '${prefix}data/${key}' is missing or shorter than ${count} ${dtype} elements`, { file: source });
    }
    const storage = { dtype, elements: decodeElements(dtype, raw, count, littleEndian) };
    storages.set(key, storage);
    return storage;
  };

  const root = unpickle(files[pickleName] as Uint8Array, `${source}:${pickleName}`, { globals: stateDictGlobals(), persistentLoad });
  if (!(root instanceof Map)) throw new DataError(`checkpoint does not hold a state_dict`, { file: source });
  const out: TensorDict = new Map();
  for (const [name, value] of root) {
    if (typeof name !== 'string' || !rebuilt.has(value as StoredTensor)) {
      throw new DataError(`state_dict entry '${String(name)}' is not a tensor`, { file: source });
    }
    out.set(name, value as StoredTensor);
  }
  return out;
}
