/** Loading the timm fixtures made by test/fixtures/timm/make_fixtures.py. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the timm fixtures. */
export const TIMM_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'timm');

/** A fixture file's bytes. */
export const fixtureBytes = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(join(TIMM_FIXTURES, ...parts)));

/** A fixture JSON file. */
export const fixtureJson = <T>(...parts: string[]): T => JSON.parse(readFileSync(join(TIMM_FIXTURES, ...parts), 'utf8')) as T;

/** An encoder fixture: timm's input batch (NHWC) and its pooled features. */
export interface EncoderReference {
  readonly inputShape: [number, number, number, number];
  readonly featureShape: [number, number];
  readonly features: number[];
  readonly inputs: Float32Array;
}

/** Reads an encoder fixture folder's `inputs.f32` and `expected.json`. */
export function encoderReference(folder: string): EncoderReference {
  const expected = fixtureJson<Omit<EncoderReference, 'inputs'>>(folder, 'expected.json');
  const bytes = fixtureBytes(folder, 'inputs.f32');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inputs = Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
  return { ...expected, inputs };
}

/** max |a - b| / max |b|: the relative error measure the issue states. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / scale;
}
