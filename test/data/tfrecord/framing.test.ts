import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { encodeRecord, readRecords, readRecordsFromChunks, type TFRecord } from '../../../src/data/tfrecord/framing.js';
import { decodeGalaxyExample, encodeGalaxyExample } from '../../../src/data/tfrecord/example.js';

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

function caught(fn: () => unknown): DataError {
  try { fn(); } catch (error) { if (error instanceof DataError) return error; throw error; }
  throw new Error('expected a DataError');
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/tfrecord/tf_written.tfrecord', import.meta.url));

describe('TFRecord framing', () => {
  it('lays a record out as length, masked length CRC, data, masked data CRC', () => {
    const record = encodeRecord(Uint8Array.from([0x61]));
    const view = new DataView(record.buffer);
    expect(record.length).toBe(17);
    expect(view.getBigUint64(0, true)).toBe(1n);
    expect(record[12]).toBe(0x61);
  });

  it('should round-trip records whatever the chunking', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
      fc.integer({ min: 1, max: 50 }),
      async (payloads, chunkSize) => {
        const file = concat(payloads.map(encodeRecord));
        expect([...readRecords(file)].map((r) => [...r.payload])).toEqual(payloads.map((p) => [...p]));
        const chunks = Array.from({ length: Math.ceil(file.length / chunkSize) }, (_, i) =>
          file.slice(i * chunkSize, (i + 1) * chunkSize));
        const streamed: TFRecord[] = [];
        for await (const r of readRecordsFromChunks(chunks)) streamed.push(r);
        expect(streamed.map((r) => [...r.payload])).toEqual(payloads.map((p) => [...p]));
        let offset = 0;
        streamed.forEach((r, i) => { expect(r.offset).toBe(offset); expect(r.index).toBe(i); offset += r.payload.length + 16; });
      },
    ));
  });

  it('should report any flipped byte with the file and the corrupt record\'s offset', () => {
    const payloads = [Uint8Array.from([1, 2, 3]), Uint8Array.from([4, 5, 6, 7]), Uint8Array.from([8])];
    const file = concat(payloads.map(encodeRecord));
    const starts = [0, 19, 39];
    fc.assert(fc.property(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const bad = file.slice();
      bad[at]! ^= xor;
      const record = starts.filter((s) => s <= at).length - 1;
      const good: Uint8Array[] = [];
      const error = caught(() => { for (const r of readRecords(bad, { file: 'x.tfrecord' })) good.push(r.payload); });
      expect(error.file).toBe('x.tfrecord');
      expect(error.offset).toBe(starts[record]);
      expect(error.message).toMatch(/checksum mismatch/);
      expect(good.length).toBe(record);
    }));
  });

  it('should report truncation at any length as a DataError', () => {
    const file = concat([encodeRecord(Uint8Array.from([1, 2, 3])), encodeRecord(Uint8Array.from([4, 5]))]);
    fc.assert(fc.property(fc.integer({ min: 1, max: file.length - 1 }), (cut) => {
      fc.pre(cut !== 19);
      const error = caught(() => [...readRecords(file.subarray(0, cut), { file: 't' })]);
      expect(error.message).toMatch(/truncated record/);
      expect(error.offset).toBe(cut < 19 ? 0 : 19);
    }));
  });
});

describe('a TFRecord written by TensorFlow 2.21 (test/fixtures/tfrecord/make_fixture.py)', () => {
  const rows: Array<[string, number, number]> = [['gal-0', 3, 0], ['gal-1', 7, 12], ['gal-2', 0, 40]];
  const columns = ['smooth-or-featured_smooth', 'smooth-or-featured_featured-or-disk'];

  it('reads back the ids, labels and pixels the script wrote', () => {
    const records = [...readRecords(readFileSync(FIXTURE), { file: FIXTURE })];
    expect(records.length).toBe(3);
    records.forEach((record, i) => {
      const galaxy = decodeGalaxyExample(record.payload, columns);
      const [id, smooth, featured] = rows[i]!;
      expect(galaxy.id).toBe(id);
      expect(galaxy.labels).toEqual({ [columns[0]!]: smooth, [columns[1]!]: featured });
      expect([...galaxy.matrix]).toEqual(Array.from({ length: 16 }, (_, p) => 16 * i + p));
    });
  });

  it('re-encodes the same galaxies to TensorFlow\'s exact bytes', () => {
    const ours = concat(rows.map(([id, smooth, featured], i) => encodeRecord(encodeGalaxyExample({
      id,
      matrix: Uint8Array.from({ length: 16 }, (_, p) => 16 * i + p),
      labels: { [columns[0]!]: smooth, [columns[1]!]: featured },
    }, columns))));
    expect(ours).toEqual(new Uint8Array(readFileSync(FIXTURE)));
  });
});
