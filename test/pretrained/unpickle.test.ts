import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { unpickle } from '../../src/pretrained/unpickle.js';

const NO_GLOBALS = { globals: {} };
const bytes = (...parts: Array<number | string>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...new TextEncoder().encode(p)])));

/** LONG1 encoding of an integer, written here independently: little-endian two's complement, minimal length. */
function long1(n: bigint): number[] {
  const out: number[] = [];
  let v = n;
  for (;;) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
    const signBit = ((out[out.length - 1] as number) & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return [0x8a, out.length, ...out];
}

describe('unpickle', () => {
  it('builds dicts, tuples, lists and scalars (protocol 2 opcodes)', () => {
    // {'a': (1, True, None), 'b': [2.5]} with MARK/SETITEMS, TUPLE3, EMPTY_LIST/APPEND, BINFLOAT, memo.
    const pickle = bytes(
      0x80, 2, 0x7d, 0x71, 0, 0x28,
      0x58, 1, 0, 0, 0, 'a', 0x4b, 1, 0x88, 0x4e, 0x87,
      0x58, 1, 0, 0, 0, 'b', 0x5d, 0x47, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0x61,
      0x75, 0x2e,
    );
    expect(unpickle(pickle, 'p', NO_GLOBALS)).toEqual(new Map<unknown, unknown>([['a', [1, true, null]], ['b', [2.5]]]));
  });

  it('reads LONG1 integers exactly within 2^53', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      expect(unpickle(bytes(0x80, 2, ...long1(BigInt(n)), 0x2e), 'p', NO_GLOBALS)).toBe(n);
    }));
  });

  it('refuses integers beyond 2^53 rather than rounding them', () => {
    expect(() => unpickle(bytes(...long1(2n ** 60n), 0x2e), 'p', NO_GLOBALS)).toThrow(/exceeds 2\^53/);
  });

  it('resolves only whitelisted globals (GLOBAL and STACK_GLOBAL)', () => {
    const call = bytes(0x63, 'my\nfn\n', 0x29, 0x52, 0x2e);
    expect(unpickle(call, 'p', { globals: { 'my.fn': () => 42 } })).toBe(42);
    expect(() => unpickle(call, 'p.pkl', NO_GLOBALS)).toThrow(/^p\.pkl, byte offset 0: pickle: global 'my\.fn' is not allowed/);
    const stackGlobal = bytes(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, 0x2e);
    expect(() => unpickle(stackGlobal, 'p.pkl', NO_GLOBALS)).toThrow(DataError);
    expect(() => unpickle(stackGlobal, 'p.pkl', NO_GLOBALS)).toThrow(/global 'builtins\.eval' is not allowed/);
  });

  it('refuses unsupported opcodes and malformed streams with the byte offset', () => {
    // INST (0x69) builds arbitrary classes: not a state_dict opcode.
    expect(() => unpickle(bytes(0x80, 2, 0x69, 'os\nsystem\n'), 'p', NO_GLOBALS)).toThrow(/^p, byte offset 2: pickle: opcode 0x69 is not supported/);
    expect(() => unpickle(bytes(0x80, 2, 0x58, 9, 0, 0, 0, 'ab'), 'p', NO_GLOBALS)).toThrow(/truncated pickle/);
    expect(() => unpickle(bytes(0x80, 2, 0x30, 0x2e), 'p', NO_GLOBALS)).toThrow(/stack underflow/);
    expect(() => unpickle(bytes(0x80, 2, 0x4b, 1, 0x52, 0x2e), 'p', NO_GLOBALS)).toThrow(/stack underflow|REDUCE/);
  });
});
