import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate, maskedCrc32c } from '../../../src/data/tfrecord/crc32c.js';

/** Independent bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78), no tables. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('crc32c', () => {
  it('matches the published check value and the RFC 3720 (B.4) test vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    // RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU.
    const pdu = bytes(
      0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
      0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
    );
    expect(crc32c(pdu)).toBe(0xd9963a56);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('should equal a bitwise reference on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
      expect(crc32c(data)).toBe(referenceCrc32c(data));
    }));
  });

  it('should give the same CRC when fed in chunks', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (data, cut) => {
      const at = Math.min(cut, data.length);
      expect(crc32cUpdate(crc32cUpdate(0, data.subarray(0, at)), data.subarray(at))).toBe(crc32c(data));
    }));
  });
});

describe('maskedCrc32c', () => {
  it('matches the masked length CRC TensorFlow wrote in the fixture header', () => {
    // First record of test/fixtures/tfrecord/tf_written.tfrecord: length 138 (u64 LE), masked CRC 0x5777bbad.
    expect(maskedCrc32c(bytes(0x8a, 0, 0, 0, 0, 0, 0, 0))).toBe(0x5777bbad);
  });

  it('should be the rotate-right-15-plus-delta of the CRC (crc32c.h Mask)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
      const crc = BigInt(referenceCrc32c(data));
      const rotated = ((crc >> 15n) | (crc << 17n)) & 0xffffffffn;
      expect(BigInt(maskedCrc32c(data))).toBe((rotated + 0xa282ead8n) & 0xffffffffn);
    }));
  });
});
