/**
 * Named tensors read from checkpoint files, and the element decoding shared by the safetensors
 * and PyTorch readers. Floating-point dtypes are widened to float32 (what tfjs computes in);
 * 64-bit integers (batch-norm `num_batches_tracked`) stay exact as `BigInt64Array`.
 */
import { DataError } from '../errors.js';

/** Element types the readers understand, named as safetensors names them. */
export type StoredDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64';

/** Bytes per element of each {@link StoredDType}. */
export const DTYPE_BYTES: Readonly<Record<StoredDType, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8 };

/** One tensor of a checkpoint, row-major (C order). */
export interface StoredTensor {
  /** Element type in the file. */
  readonly dtype: StoredDType;
  /** Shape as stored, e.g. `[out, in, kh, kw]` for a PyTorch conv weight; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Elements in row-major order: float32 for float dtypes, exact int64 for `I64`. */
  readonly data: Float32Array | BigInt64Array;
}

/** A checkpoint: tensor name (e.g. `stem.0.weight`) -> tensor, in file order. */
export type TensorDict = Map<string, StoredTensor>;

/** Whether `x` is one of the {@link StoredDType} names. */
export function isStoredDType(x: unknown): x is StoredDType {
  return typeof x === 'string' && Object.hasOwn(DTYPE_BYTES, x);
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** IEEE binary16 bits -> number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Decodes `count` elements of `dtype` from `bytes`.
 *
 * @param dtype - Element type.
 * @param bytes - At least `count * DTYPE_BYTES[dtype]` bytes; any alignment.
 * @param count - Number of elements.
 * @param littleEndian - Byte order of the file (safetensors: always little; PyTorch: its `byteorder` record).
 * @returns `Float32Array` (float dtypes, bfloat16 and float16 widened exactly) or `BigInt64Array` (`I64`), length `count`.
 */
export function decodeElements(
  dtype: StoredDType, bytes: Uint8Array, count: number, littleEndian: boolean,
): Float32Array | BigInt64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      // Fast path: a copy is already the answer when the file's byte order is the platform's.
      if (littleEndian === PLATFORM_LITTLE_ENDIAN) return new Float32Array(bytes.slice(0, 4 * count).buffer);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, littleEndian);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, littleEndian);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, littleEndian));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, littleEndian) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(8 * i, littleEndian);
      return out;
    }
  }
}

/**
 * A tensor's elements as float32, for assigning to a tfjs variable.
 *
 * @param name - Tensor name, for the error message.
 * @param tensor - A stored tensor.
 * @param source - File name, for the error message.
 * @returns The float32 elements (the stored array itself when already float32).
 * @throws DataError when the tensor holds integers.
 */
export function floatData(name: string, tensor: StoredTensor, source: string): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  throw new DataError(`tensor '${name}' has integer dtype ${tensor.dtype} where floats are needed`, { file: source });
}
