/**
 * TFRecord framing: each record is `uint64 length | uint32 masked_crc32c(length) | data |
 * uint32 masked_crc32c(data)`, all little-endian. Both checksums are verified on read.
 *
 * @module data/tfrecord/framing
 */
import { DataError } from '../../errors.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes of framing around each record's data: 8 (length) + 4 (length CRC) + 4 (data CRC). */
export const RECORD_OVERHEAD = 16;

/**
 * Frames one record.
 *
 * @param payload - the record's data, e.g. a serialized `tf.train.Example`.
 * @returns `payload.length + 16` bytes.
 */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + RECORD_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

/** One record read from a TFRecord stream. */
export interface TFRecord {
  /** The record's data. */
  readonly payload: Uint8Array;
  /** Zero-based index of the record in its file. */
  readonly index: number;
  /** Byte offset of the record's length field in its file. */
  readonly offset: number;
}

/** Options of the record readers. */
export interface ReadRecordsOptions {
  /** File name for error messages. */
  readonly file?: string;
}

/**
 * Incremental TFRecord parser: push chunks as they arrive, take the complete records, and call
 * {@link RecordParser.finish} at the end to detect a truncated last record.
 */
export class RecordParser {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Offset in the file of the first buffered byte. */
  private offset = 0;
  private index = 0;
  private pendingLength: number | undefined;

  constructor(private readonly options: ReadRecordsOptions = {}) {}

  /** Adds the next bytes of the stream. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Copies the first `n` buffered bytes out and drops them from the buffer. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const used = Math.min(chunk.length, n - filled);
        out.set(chunk.subarray(0, used), filled);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.buffered -= n;
    this.offset += n;
    return out;
  }

  private error(problem: string, offset: number): DataError {
    return new DataError(`record ${this.index}: ${problem}`, { file: this.options.file, row: this.index, offset });
  }

  /**
   * Yields every complete record buffered so far, verifying both CRCs.
   *
   * @throws DataError naming the file, record index and byte offset of a corrupt record.
   */
  *records(): Generator<TFRecord> {
    for (;;) {
      if (this.pendingLength === undefined) {
        if (this.buffered < 12) return;
        const start = this.offset;
        const header = this.take(12);
        const view = new DataView(header.buffer, header.byteOffset, 12);
        if (maskedCrc32c(header.subarray(0, 8)) !== view.getUint32(8, true)) {
          throw this.error('length checksum mismatch (corrupt or not a TFRecord file)', start);
        }
        const length = view.getBigUint64(0, true);
        if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw this.error(`record length ${length} is too large`, start);
        this.pendingLength = Number(length);
      }
      const length = this.pendingLength;
      if (this.buffered < length + 4) return;
      const start = this.offset - 12;
      const payload = this.take(length);
      const crcBytes = this.take(4);
      const stored = new DataView(crcBytes.buffer, crcBytes.byteOffset, 4).getUint32(0, true);
      if (maskedCrc32c(payload) !== stored) throw this.error('data checksum mismatch (corrupt record)', start);
      this.pendingLength = undefined;
      yield { payload, index: this.index++, offset: start };
    }
  }

  /**
   * Declares the end of the stream.
   *
   * @throws DataError when bytes of an incomplete record are left over (a truncated file).
   */
  finish(): void {
    if (this.pendingLength === undefined && this.buffered === 0) return;
    const start = this.pendingLength === undefined ? this.offset : this.offset - 12;
    const expected = this.pendingLength === undefined ? 'at least 16' : String(this.pendingLength + RECORD_OVERHEAD);
    const got = this.buffered + (this.pendingLength === undefined ? 0 : 12);
    throw this.error(`truncated record: ${got} bytes left at end of stream, expected ${expected}`, start);
  }
}

/**
 * Reads all records of an in-memory TFRecord file.
 *
 * @param bytes - the whole file.
 * @param options - file name for error messages.
 * @returns a generator of records; it throws {@link DataError} on a corrupt or truncated record,
 * after yielding every good record before it.
 */
export function* readRecords(bytes: Uint8Array, options: ReadRecordsOptions = {}): Generator<TFRecord> {
  const parser = new RecordParser(options);
  parser.push(bytes);
  yield* parser.records();
  parser.finish();
}

/**
 * Reads records from a stream of chunks (a Node file stream, a `fetch` body reader...), holding
 * at most one record in memory.
 *
 * @param chunks - the file's bytes in order, in chunks of any size.
 * @param options - file name for error messages.
 * @returns an async generator of records; it throws {@link DataError} on a corrupt or truncated record.
 */
export async function* readRecordsFromChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadRecordsOptions = {},
): AsyncGenerator<TFRecord> {
  const parser = new RecordParser(options);
  for await (const chunk of chunks) {
    parser.push(chunk);
    yield* parser.records();
  }
  parser.finish();
}
