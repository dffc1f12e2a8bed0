import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { decodeExample, encodeExample, type Feature } from '../../../src/data/tfrecord/exampleProto.js';
import { decodeGalaxyExample, encodeGalaxyExample } from '../../../src/data/tfrecord/example.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const ascii = (s: string): string => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');

// Hand-encoded from example.proto / feature.proto, field by field.
// Example{1: Features{1: entry{1: "a", 2: Feature{3: Int64List{1: packed [1]}}}}}
const INT64_ONE = hex('0a 0c  0a 0a  0a 01 61  12 05  1a 03  0a 01 01');
// Galaxy: matrix = [1, 2], id_str = "x", label "n" = 300 (varint ac 02).
const GALAXY = hex(`
  0a 30
    0a 10  0a 06 ${ascii('matrix')}  12 06  0a 04  0a 02 01 02
    0a 0f  0a 06 ${ascii('id_str')}  12 05  0a 03  0a 01 78
    0a 0b  0a 01 6e                  12 06  1a 04  0a 02 ac 02`);

describe('tf.train.Example wire format', () => {
  it('encodes a one-int64 Example to the hand-encoded bytes', () => {
    expect(encodeExample(new Map([['a', { kind: 'int64', value: [1n] }]]))).toEqual(INT64_ONE);
  });

  it('encodes a galaxy Example to the hand-encoded bytes and decodes it back', () => {
    const galaxy = { id: 'x', matrix: Uint8Array.from([1, 2]), labels: { n: 300 } };
    expect(encodeGalaxyExample(galaxy)).toEqual(GALAXY);
    const decoded = decodeGalaxyExample(GALAXY, ['n']);
    expect(decoded.id).toBe('x');
    expect([...decoded.matrix]).toEqual([1, 2]);
    expect(decoded.labels).toEqual({ n: 300 });
  });

  it('writes negative int64 as a 10-byte two\'s-complement varint', () => {
    const bytes = encodeExample(new Map([['a', { kind: 'int64', value: [-1n] }]]));
    expect([...bytes.subarray(bytes.length - 10)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(decodeExample(bytes).get('a')).toEqual({ kind: 'int64', value: [-1n] });
  });

  it('reads unpacked int64 and float lists (the other legal encoding)', () => {
    // Feature{3: Int64List{1: 5, 1: 7}} and Feature{2: FloatList{1: fixed32 1.5}}.
    const unpacked = hex(`0a 1b
      0a 0b  0a 01 69  12 06  1a 04  08 05 08 07
      0a 0c  0a 01 66  12 07  12 05  0d 00 00 c0 3f`);
    const features = decodeExample(unpacked);
    expect(features.get('i')).toEqual({ kind: 'int64', value: [5n, 7n] });
    expect(features.get('f')).toEqual({ kind: 'float', value: [1.5] });
  });

  it('should round-trip arbitrary features', () => {
    const feature: fc.Arbitrary<Feature> = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 3 }).map((value) => ({ kind: 'bytes' as const, value })),
      fc.array(fc.float({ noNaN: true }), { maxLength: 5 }).map((value) => ({ kind: 'float' as const, value })),
      fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 5 })
        .map((value) => ({ kind: 'int64' as const, value })),
    );
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 8 }), feature, { maxKeys: 4 }), (dict) => {
      const input = new Map(Object.entries(dict));
      expect(decodeExample(encodeExample(input))).toEqual(input);
    }));
  });

  it('rejects malformed bytes with a DataError', () => {
    expect(() => decodeExample(GALAXY.subarray(0, 20))).toThrow(DataError);
    expect(() => decodeGalaxyExample(GALAXY.subarray(0, 20))).toThrow(/malformed/);
  });

  it('rejects bad labels and missing features with the column named', () => {
    const galaxy = { id: 'g', matrix: new Uint8Array(1), labels: { a: -1 } };
    expect(() => encodeGalaxyExample(galaxy)).toThrow(/"g".*-1 is not a non-negative integer/);
    expect(() => encodeGalaxyExample({ ...galaxy, labels: { a: 1.5 } })).toThrow(DataError);
    expect(() => decodeGalaxyExample(GALAXY, ['missing'])).toThrow(/no label feature "missing"/);
    const err = (() => { try { decodeGalaxyExample(INT64_ONE, [], { file: 'f.tfrecord', row: 2 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe('f.tfrecord');
    expect((err as DataError).column).toBe('id_str');
  });
});
