/**
 * A restricted pickle reader: enough of Python's pickle VM (protocols 2-5) to read the data
 * structures of PyTorch state_dicts, and nothing that can run code. A `GLOBAL` is resolved only
 * through the caller's whitelist; anything else, and any opcode outside the supported set, is a
 * {@link DataError}, never an import or a call.
 */
import { DataError } from '../errors.js';

/** A whitelisted global: a JS value pushed where pickle names `module.name`; functions may be called by `REDUCE`. */
export type PickleGlobal = ((args: unknown[]) => unknown) | object;

/** What the caller lets a pickle reach. */
export interface UnpickleOptions {
  /** `module.name` -> value, e.g. `'collections.OrderedDict'`. Every other global is refused. */
  readonly globals: Readonly<Record<string, PickleGlobal>>;
  /** Resolves a `BINPERSID` id (PyTorch: a storage tuple); absent means persistent ids are refused. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');

/**
 * Runs a pickle and returns the object it builds. Tuples and lists become arrays, dicts become
 * `Map`s, ints become numbers (exact only up to 2^53, else an error), `BUILD` state on a dict
 * (an `OrderedDict`'s `_metadata`) is dropped.
 *
 * @param bytes - The pickle stream (e.g. `archive/data.pkl` of a PyTorch zip checkpoint).
 * @param source - File name for error messages.
 * @param options - The global whitelist and persistent-id loader.
 * @returns The unpickled object.
 * @throws DataError naming `source`, the byte offset, and the global or opcode at fault.
 */
export function unpickle(bytes: Uint8Array, source: string, options: UnpickleOptions): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let opAt = 0;

  const fail = (problem: string): never => {
    throw new DataError(`pickle: ${problem}`, { file: source, offset: opAt });
  };
  const need = (n: number): number => {
    if (pos + n > bytes.byteLength) fail('truncated pickle');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)] as number;
  const u32 = (): number => view.getUint32(need(4), true);
  const pop = (): unknown => (stack.length > 0 ? stack.pop() : fail('stack underflow'));
  const top = (): unknown => (stack.length > 0 ? stack[stack.length - 1] : fail('stack underflow'));
  const popMark = (): unknown[] => {
    const items = stack;
    stack = marks.pop() ?? fail('MARK expected');
    return items;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const utf8 = (n: number): string => text.decode(bytes.subarray(need(n), pos));
  const global = (module: unknown, name: unknown): PickleGlobal => {
    const key = `${String(module)}.${String(name)}`;
    if (!Object.hasOwn(options.globals, key)) fail(`global '${key}' is not allowed in a state_dict; refusing to load it`);
    return options.globals[key] as PickleGlobal;
  };
  const signedInt = (n: number): number => {
    // LONG1/LONG4: little-endian two's complement of n bytes.
    let v = 0n;
    const at = need(n);
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i] as number);
    if (n > 0 && ((bytes[at + n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${v} exceeds 2^53`);
    return Number(v);
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof Map)) return fail('SETITEM(S) on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); break; // FRAME (length only)
      case 0x2e: { // STOP
        if (stack.length !== 1) fail(`stack holds ${stack.length} items at STOP`);
        return stack[0];
      }
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break; // BININT2
      case 0x8a: stack.push(signedInt(u8())); break; // LONG1
      case 0x8b: stack.push(signedInt(u32())); break; // LONG4
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x43: { const n = u8(); stack.push(bytes.slice(need(n), pos)); break; } // SHORT_BINBYTES
      case 0x42: { const n = u32(); stack.push(bytes.slice(need(n), pos)); break; } // BINBYTES
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: case 0x6c: { const items = popMark(); stack.push(items); break; } // TUPLE, LIST (popMark replaces `stack`)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x61: { const x = pop(); const list = top(); if (!Array.isArray(list)) fail('APPEND to a non-list'); (list as unknown[]).push(x); break; }
      case 0x65: { const xs = popMark(); const list = top(); if (!Array.isArray(list)) fail('APPENDS to a non-list'); (list as unknown[]).push(...xs); break; }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} is unset`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: stack.push(global(line(), line())); break; // GLOBAL
      case 0x93: { const name = pop(); stack.push(global(pop(), name)); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (typeof fn !== 'function' || !Array.isArray(args)) return fail('REDUCE of a non-callable or without an argument tuple');
        try {
          stack.push((fn as (a: unknown[]) => unknown)(args));
        } catch (cause) {
          // A whitelisted callable rejected its arguments: report it where it happened in the stream.
          throw new DataError(`pickle: ${cause instanceof Error ? cause.message : String(cause)}`, { file: source, offset: opAt }, { cause });
        }
        break;
      }
      case 0x62: { pop(); if (!(top() instanceof Map)) fail('BUILD on an object that is not a dict'); break; } // BUILD
      case 0x51: { // BINPERSID
        if (options.persistentLoad === undefined) fail('persistent ids are not allowed here');
        stack.push(options.persistentLoad?.(pop()));
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not supported in a state_dict`);
    }
  }
}
