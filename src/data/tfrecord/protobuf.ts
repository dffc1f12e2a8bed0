/**
 * A minimal protocol-buffer wire-format writer and reader: just what `tf.train.Example` needs
 * (varints, including negative int64 as 10-byte varints, fixed32 floats and length-delimited fields).
 *
 * @module data/tfrecord/protobuf
 */
import { DataError } from '../../errors.js';

/** Protobuf wire types. */
export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

/** Malformed protobuf bytes; `offset` is the position within the message. */
export class ProtobufError extends DataError {
  constructor(problem: string, position: number) {
    super(`malformed protobuf: ${problem}`, { offset: position });
  }
}

const textEncoder = new TextEncoder();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private buffer: Uint8Array;
  private length = 0;

  /** @param capacity - initial size; a good guess avoids regrowing (and copying) image payloads. */
  constructor(capacity = 64) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Writes an unsigned varint; `value` must be a non-negative safe integer. */
  uint(value: number): this {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
    return this;
  }

  /** Writes an int64 varint; negative values take 10 bytes (two's complement), as protobuf requires. */
  int64(value: bigint): this {
    // Vote counts are small: the number path avoids slow bigint arithmetic.
    if (value >= 0n && value <= MAX_SAFE) return this.uint(Number(value));
    this.reserve(10);
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
    return this;
  }

  /** Writes a field key (tag). */
  tag(field: number, wireType: number): this {
    return this.uint(field * 8 + wireType);
  }

  /** Writes a length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LENGTH_DELIMITED).uint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** Writes a length-delimited UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Writes little-endian float32 values without a key (for packed fields). */
  rawFloats(values: ArrayLike<number>): this {
    this.reserve(4 * values.length);
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset);
    for (let i = 0; i < values.length; i++) {
      view.setFloat32(this.length, values[i]!, true);
      this.length += 4;
    }
    return this;
  }

  /** The bytes written so far (a copy-free view). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** One field read by {@link readFields}. */
export interface ProtoField {
  readonly field: number;
  readonly wireType: number;
  /** Position of the field's key within the message bytes. */
  readonly position: number;
  /** The varint value (wire type 0). */
  readonly varint?: bigint;
  /** The field's bytes (wire types 1, 2 and 5; for 2 without its length prefix). */
  readonly bytes?: Uint8Array;
}

/** Reads a varint at `pos`; returns its value and the position after it. */
export function readVarint(bytes: Uint8Array, pos: number): [bigint, number] {
  const [small, next] = readSmallVarint(bytes, pos);
  return small === undefined ? readBigVarint(bytes, pos) : [BigInt(small), next];
}

/** Reads a varint of up to 7 bytes (49 bits) as a number; `[undefined, pos]` if it is longer. */
function readSmallVarint(bytes: Uint8Array, pos: number): [number | undefined, number] {
  let value = 0;
  let scale = 1;
  let p = pos;
  for (let i = 0; i < 7; i++) {
    if (p >= bytes.length) throw new ProtobufError('truncated varint', pos);
    const b = bytes[p++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, p];
    scale *= 128;
  }
  return [undefined, pos];
}

function readBigVarint(bytes: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let p = pos;
  for (let i = 0; i < 10; i++) {
    if (p >= bytes.length) throw new ProtobufError('truncated varint', pos);
    const b = bytes[p++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, result), p];
    shift += 7n;
  }
  throw new ProtobufError('varint longer than 10 bytes', pos);
}

/** Reads a varint that must fit in 49 bits (lengths, keys). */
function readLength(bytes: Uint8Array, pos: number): [number, number] {
  const [value, next] = readSmallVarint(bytes, pos);
  if (value === undefined) throw new ProtobufError('length or key out of range', pos);
  return [value, next];
}

/**
 * Iterates over the top-level fields of one protobuf message, skipping nothing (callers ignore
 * fields they do not know, as protobuf requires).
 *
 * @param bytes - the message bytes.
 * @returns a generator of fields in wire order.
 */
export function* readFields(bytes: Uint8Array): Generator<ProtoField> {
  let pos = 0;
  while (pos < bytes.length) {
    const position = pos;
    const [key, afterKey] = readLength(bytes, pos);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtobufError('field number 0', position);
    pos = afterKey;
    switch (wireType) {
      case WireType.VARINT: {
        const [varint, next] = readVarint(bytes, pos);
        pos = next;
        yield { field, wireType, position, varint };
        break;
      }
      case WireType.LENGTH_DELIMITED: {
        const [length, start] = readLength(bytes, pos);
        if (start + length > bytes.length) throw new ProtobufError('length-delimited field runs past the end', position);
        pos = start + length;
        yield { field, wireType, position, bytes: bytes.subarray(start, pos) };
        break;
      }
      case WireType.FIXED32:
      case WireType.FIXED64: {
        const size = wireType === WireType.FIXED32 ? 4 : 8;
        if (pos + size > bytes.length) throw new ProtobufError('truncated fixed-width field', position);
        yield { field, wireType, position, bytes: bytes.subarray(pos, pos + size) };
        pos += size;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`, position);
    }
  }
}

/** Reads consecutive varints (the body of a packed repeated field). */
export function readPackedVarints(bytes: Uint8Array): bigint[] {
  const values: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [value, next] = readVarint(bytes, pos);
    values.push(value);
    pos = next;
  }
  return values;
}
