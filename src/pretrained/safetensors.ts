/**
 * Reading `.safetensors` files (Hugging Face): an 8-byte little-endian header length, a JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the raw
 * little-endian data, offsets counted from the end of the header.
 */
import { DataError } from '../errors.js';
import { DTYPE_BYTES, decodeElements, elementCount, isStoredDType, type TensorDict } from './tensors.js';

const METADATA_KEY = '__metadata__';

/** A header entry, checked field by field before use. */
interface HeaderEntry {
  dtype: unknown;
  shape: unknown;
  data_offsets: unknown;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * Reads every tensor of a safetensors file.
 *
 * @param bytes - The whole file.
 * @param source - The file's name, used in error messages.
 * @returns Tensor name -> tensor, in header order. F16/BF16/F64 are widened to float32; I64 stays `BigInt64Array`.
 * @throws DataError (naming `source`, and the tensor where one is at fault) for a truncated file, a header
 *   that is not JSON, an unsupported dtype, a bad shape, or data offsets that disagree with the shape or the file.
 * @example
 * ```ts
 * const tensors = readSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()), 'model.safetensors');
 * tensors.get('stem.0.weight')?.shape; // [80, 3, 4, 4]
 * ```
 */
export function readSafetensors(bytes: Uint8Array, source: string): TensorDict {
  const fail = (problem: string, tensor?: string): never => {
    throw new DataError(tensor === undefined ? problem : `tensor '${tensor}': ${problem}`, { file: source });
  };
  if (bytes.byteLength < 8) fail(`truncated safetensors file: ${bytes.byteLength} bytes, no header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.byteLength - 8)) {
    fail(`truncated safetensors header: it declares ${headerLength} bytes, the file has ${bytes.byteLength - 8} after the length`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (cause) {
    throw new DataError(`safetensors header is not valid UTF-8 JSON`, { file: source }, { cause });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('safetensors header is not a JSON object');
  const dataLength = bytes.byteLength - dataStart;
  const out: TensorDict = new Map();
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) continue;
    const { dtype, shape, data_offsets: offsets } = (value ?? {}) as HeaderEntry;
    if (!isStoredDType(dtype)) return fail(`unsupported dtype ${JSON.stringify(dtype)}`, name);
    if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`bad shape ${JSON.stringify(shape)}`, name);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      return fail(`bad data_offsets ${JSON.stringify(offsets)}`, name);
    }
    const [begin, end] = offsets as [number, number];
    const count = elementCount(shape);
    if (end < begin || end - begin !== count * DTYPE_BYTES[dtype]) {
      return fail(`data_offsets [${begin}, ${end}] do not hold ${count} ${dtype} elements (shape [${shape.join(', ')}])`, name);
    }
    if (end > dataLength) return fail(`data ends at byte ${end} but the file holds ${dataLength} data bytes (truncated?)`, name);
    out.set(name, { dtype, shape, data: decodeElements(dtype, bytes.subarray(dataStart + begin, dataStart + end), count, true) });
  }
  return out;
}
