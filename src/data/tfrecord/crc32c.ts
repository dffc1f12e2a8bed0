/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's "masked" form of it.
 *
 * @module data/tfrecord/crc32c
 */

/** Reflected Castagnoli polynomial 0x1EDC6F41. */
const POLY = 0x82f63b78;

/** Slicing-by-8 tables: TABLE[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLE = buildTables();

function buildTables(): Uint32Array {
  const table = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const prev = table[(k - 1) * 256 + b]!;
      table[k * 256 + b] = (table[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
    }
  }
  return table;
}

/**
 * Updates a CRC-32C with more bytes, so that long payloads can be checksummed chunk by chunk.
 *
 * @param crc - the CRC of the bytes so far (0 for none).
 * @param bytes - the next bytes.
 * @returns the CRC of all bytes, an unsigned 32-bit integer.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array): number {
  const t = TABLE;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  // Eight bytes per step: image payloads are large, and this is several times faster than bytewise.
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c = t[7 * 256 + (lo & 0xff)]! ^ t[6 * 256 + ((lo >>> 8) & 0xff)]!
      ^ t[5 * 256 + ((lo >>> 16) & 0xff)]! ^ t[4 * 256 + (lo >>> 24)]!
      ^ t[3 * 256 + bytes[i + 4]!]! ^ t[2 * 256 + bytes[i + 5]!]!
      ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32C of a byte string.
 *
 * @param bytes - the data.
 * @returns an unsigned 32-bit integer.
 * @example
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  return crc32cUpdate(0, bytes);
}

/** TensorFlow's mask delta (crc32c.h `kMaskDelta`). */
const MASK_DELTA = 0xa282ead8;

/**
 * TensorFlow's masked CRC-32C, `((crc >>> 15) | (crc << 17)) + 0xa282ead8`, stored in TFRecord
 * framing so that a CRC computed over data that itself holds CRCs stays well distributed.
 *
 * @param bytes - the data.
 * @returns an unsigned 32-bit integer.
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
