import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { readSafetensors } from '../../src/pretrained/safetensors.js';
import { readTorchZip } from '../../src/pretrained/torchZip.js';
import { decodeElements, type TensorDict } from '../../src/pretrained/tensors.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

/** torch's own view of each tensor (make_fixtures.py): float dtypes already widened to float32 by torch. */
type Expected = Record<string, { dtype: string; shape: number[]; values: number[] }>;
const expected = fixtureJson<Expected>('readers', 'expected.json');

function expectMatchesTorch(tensors: TensorDict, names: readonly string[]): void {
  for (const name of names) {
    const want = expected[name];
    const got = tensors.get(name);
    expect(got, name).toBeDefined();
    expect(got?.shape, name).toEqual(want?.shape);
    if (want?.dtype === 'torch.int64') {
      expect(Array.from(got?.data as BigInt64Array), name).toEqual(want.values.map((v) => BigInt(v)));
    } else {
      expect(got?.data, name).toBeInstanceOf(Float32Array);
      expect(Array.from(got?.data as Float32Array), name).toEqual(want?.values);
    }
  }
}

/** An independent minimal safetensors writer (F32 only). */
function writeSafetensors(tensors: Record<string, { shape: number[]; values: number[] }>): Uint8Array {
  let offset = 0;
  // fromEntries defines own properties, so even a tensor named '__proto__' is written as one.
  const header = Object.fromEntries([['__metadata__', { format: 'pt' }], ...Object.entries(tensors).map(([name, { shape, values }]) => {
    offset += 4 * values.length;
    return [name, { dtype: 'F32', shape, data_offsets: [offset - 4 * values.length, offset] }];
  })]);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { values } of Object.values(tensors)) {
    for (const v of values) { view.setFloat32(at, v, true); at += 4; }
  }
  return out;
}

const SAFETENSORS_NAMES = ['f32', 'f16', 'bf16', 'f64', 'i64', 'scalar'];

describe('decodeElements', () => {
  it('decodes float32 in either byte order (checkpoints record theirs)', () => {
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true })), fc.boolean(), (values, littleEndian) => {
      const bytes = new Uint8Array(4 * values.length + 1).subarray(1); // unaligned on purpose
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      values.forEach((v, i) => view.setFloat32(4 * i, v, littleEndian));
      expect(Array.from(decodeElements('F32', bytes, values.length, littleEndian) as Float32Array)).toEqual(values);
    }));
  });
});

describe('readSafetensors', () => {
  it('decodes F32, F16, BF16, F64 and I64 exactly as torch does', () => {
    expectMatchesTorch(readSafetensors(fixtureBytes('readers', 'dtypes.safetensors'), 'dtypes.safetensors'), SAFETENSORS_NAMES);
  });

  it('decodes float16 special values (closed form)', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x03ff];
    const want = [1, -2, 65504, 2 ** -24, -0, Infinity, -Infinity, 1023 * 2 ** -24];
    const data = new Uint8Array(2 * bits.length);
    bits.forEach((b, i) => new DataView(data.buffer).setUint16(2 * i, b, true));
    const json = new TextEncoder().encode(JSON.stringify({ h: { dtype: 'F16', shape: [bits.length], data_offsets: [0, data.length] } }));
    const file = new Uint8Array(8 + json.length + data.length);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(json, 8);
    file.set(data, 8 + json.length);
    expect(Array.from(readSafetensors(file, 'h.safetensors').get('h')?.data as Float32Array)).toEqual(want);
    // NaN: exponent all ones, mantissa non-zero.
    new DataView(file.buffer).setUint16(8 + json.length, 0x7e00, true);
    expect((readSafetensors(file, 'h.safetensors').get('h')?.data as Float32Array)[0]).toBeNaN();
  });

  it('float16 normals agree with re-biasing the exponent into float32 bits', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1023 }), (s, e, m) => {
      const h = (s << 15) | (e << 10) | m;
      const f32 = new DataView(new ArrayBuffer(4));
      f32.setUint32(0, ((s << 31) | ((e - 15 + 127) << 23) | (m << 13)) >>> 0);
      const json = new TextEncoder().encode(JSON.stringify({ h: { dtype: 'F16', shape: [], data_offsets: [0, 2] } }));
      const file = new Uint8Array(10 + json.length);
      const view = new DataView(file.buffer);
      view.setBigUint64(0, BigInt(json.length), true);
      file.set(json, 8);
      view.setUint16(8 + json.length, h, true);
      expect((readSafetensors(file, 'h').get('h')?.data as Float32Array)[0]).toBe(f32.getFloat32(0));
    }));
  });

  it('round-trips float32 tensors written by an independent writer', () => {
    const tensor = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }).chain((shape) => fc.record({
      shape: fc.constant(shape),
      values: fc.array(fc.float({ noNaN: true }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }),
    }));
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== '__metadata__'), tensor, { maxKeys: 4 }), (tensors) => {
      const read = readSafetensors(writeSafetensors(tensors), 'x.safetensors');
      expect([...read.keys()].sort()).toEqual(Object.keys(tensors).sort());
      for (const [name, { shape, values }] of Object.entries(tensors)) {
        expect(read.get(name)?.shape).toEqual(shape);
        expect(Array.from(read.get(name)?.data as Float32Array)).toEqual(values);
      }
    }));
  });

  it('rejects a truncated header, naming the file', () => {
    const bytes = fixtureBytes('readers', 'dtypes.safetensors');
    expect(() => readSafetensors(bytes.subarray(0, 40), 'dtypes.safetensors')).toThrow(DataError);
    expect(() => readSafetensors(bytes.subarray(0, 40), 'dtypes.safetensors')).toThrow(/^dtypes\.safetensors: truncated safetensors header/);
    expect(() => readSafetensors(bytes.subarray(0, 5), 'dtypes.safetensors')).toThrow(/^dtypes\.safetensors: truncated/);
  });

  it('rejects truncated data and inconsistent entries, naming the tensor', () => {
    const bytes = fixtureBytes('readers', 'dtypes.safetensors');
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 1), 'd.safetensors')).toThrow(/^d\.safetensors: tensor '\w+': data ends at/);
    const bad = (entry: unknown): Uint8Array => writeHeaderOnly({ w: entry });
    expect(() => readSafetensors(bad({ dtype: 'F32', shape: [2], data_offsets: [0, 4] }), 'b')).toThrow(/^b: tensor 'w': data_offsets \[0, 4\] do not hold 2 F32/);
    expect(() => readSafetensors(bad({ dtype: 'C64', shape: [1], data_offsets: [0, 8] }), 'b')).toThrow(/^b: tensor 'w': unsupported dtype "C64"/);
    expect(() => readSafetensors(bad({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }), 'b')).toThrow(/^b: tensor 'w': bad shape/);
  });
});

/** A safetensors file with the given header and 64 zero data bytes. */
function writeHeaderOnly(header: Record<string, unknown>): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const file = new Uint8Array(8 + json.length + 64);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
  file.set(json, 8);
  return file;
}

describe('readTorchZip', () => {
  it('reads every dtype, storage offsets and non-contiguous views as torch does', () => {
    expectMatchesTorch(readTorchZip(fixtureBytes('readers', 'views.pt'), 'views.pt'), [...SAFETENSORS_NAMES, 'transposed', 'sliced', 'row']);
  });

  it('refuses a pickle that names a global outside the state_dict whitelist, without running it', () => {
    const read = (): TensorDict => readTorchZip(fixtureBytes('readers', 'forbidden.pt'), 'forbidden.pt');
    expect(read).toThrow(DataError);
    expect(read).toThrow(/^forbidden\.pt:forbidden\/data\.pkl, byte offset \d+: pickle: global 'posix\.system' is not allowed/);
  });

  it('rejects a checkpoint whose storage file is missing, naming it', () => {
    const files = unzipSync(fixtureBytes('readers', 'views.pt'));
    delete files['views/data/0'];
    expect(() => readTorchZip(zipSync(files), 'views.pt')).toThrow(/^views\.pt: storage 'views\/data\/0' is missing/);
  });

  it('rejects bytes that are not a zip, naming the file', () => {
    expect(() => readTorchZip(new Uint8Array([1, 2, 3, 4]), 'junk.bin')).toThrow(/^junk\.bin: not a readable zip/);
  });
});
