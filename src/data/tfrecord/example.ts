/**
 * Galaxy Examples in Zoobot's shard layout: `matrix` (the raw uint8 pixels, height x width x
 * channels in C order, read back in TensorFlow with `tf.io.decode_raw(matrix, tf.uint8)`), `id_str`
 * (bytes) and one int64 feature per label column holding that answer's vote count.
 *
 * @module data/tfrecord/example
 */
import { DataError, type DataLocation } from '../../errors.js';
import { decodeExample, encodeExample, type Feature } from './exampleProto.js';

/** One galaxy as stored in a shard. */
export interface GalaxyExample {
  /** The galaxy's id (`id_str`). */
  readonly id: string;
  /** Raw uint8 pixels, height x width x channels. */
  readonly matrix: Uint8Array;
  /** Vote count per label column. */
  readonly labels: Readonly<Record<string, number>>;
}

/** Zoobot's feature names for the image and the id. */
export const MATRIX_FEATURE = 'matrix';
/** Zoobot's feature name for the galaxy id. */
export const ID_FEATURE = 'id_str';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Serializes a galaxy as a `tf.train.Example`.
 *
 * @param example - id, pixels and vote counts (non-negative safe integers).
 * @param labelColumns - which labels to write, in this order. @defaultValue all keys of `example.labels`
 * @param location - where the galaxy came from, for error messages.
 * @returns the Example's protobuf bytes (frame them with `encodeRecord`).
 * @throws DataError when a label is missing, negative, fractional or a reserved feature name.
 */
export function encodeGalaxyExample(
  example: GalaxyExample,
  labelColumns: readonly string[] = Object.keys(example.labels),
  location: DataLocation = {},
): Uint8Array {
  const features = new Map<string, Feature>([
    [MATRIX_FEATURE, { kind: 'bytes', value: [example.matrix] }],
    [ID_FEATURE, { kind: 'bytes', value: [textEncoder.encode(example.id)] }],
  ]);
  for (const column of labelColumns) {
    if (features.has(column)) {
      throw new DataError(`label column "${column}" clashes with a Zoobot feature name`, { ...location, column });
    }
    const count = example.labels[column];
    if (count === undefined || !Number.isSafeInteger(count) || count < 0) {
      throw new DataError(
        `galaxy "${example.id}": vote count ${String(count)} is not a non-negative integer`,
        { ...location, column },
      );
    }
    features.set(column, { kind: 'int64', value: [BigInt(count)] });
  }
  return encodeExample(features);
}

function singleBytes(feature: Feature | undefined, name: string, location: DataLocation): Uint8Array {
  if (feature === undefined) throw new DataError(`Example has no "${name}" feature`, { ...location, column: name });
  if (feature.kind !== 'bytes' || feature.value.length !== 1) {
    throw new DataError(`feature "${name}" should be one byte string, got ${feature.value.length} ${feature.kind} values`, {
      ...location, column: name,
    });
  }
  return feature.value[0]!;
}

function decodeLabel(feature: Feature | undefined, name: string, location: DataLocation): number {
  if (feature === undefined) throw new DataError(`Example has no label feature "${name}"`, { ...location, column: name });
  if (feature.kind !== 'int64' || feature.value.length !== 1) {
    throw new DataError(`label "${name}" should be one int64, got ${feature.value.length} ${feature.kind} values`, {
      ...location, column: name,
    });
  }
  const value = feature.value[0]!;
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DataError(`label "${name}" = ${value} is not a non-negative safe integer`, { ...location, column: name });
  }
  return Number(value);
}

/**
 * Parses a galaxy `tf.train.Example` written by zoobot-ts or by Zoobot/TensorFlow.
 *
 * @param bytes - the Example's protobuf bytes.
 * @param labelColumns - the label features to read, which must all be present.
 * @defaultValue every int64 feature of the Example
 * @param location - file and record, for error messages.
 * @returns the galaxy.
 * @throws DataError when the bytes are malformed or a feature is missing or of the wrong kind.
 */
export function decodeGalaxyExample(
  bytes: Uint8Array,
  labelColumns?: readonly string[],
  location: DataLocation = {},
): GalaxyExample {
  let features: Map<string, Feature>;
  try {
    features = decodeExample(bytes);
  } catch (error) {
    throw new DataError(`malformed tf.train.Example: ${(error as Error).message}`, location, { cause: error });
  }
  const idBytes = singleBytes(features.get(ID_FEATURE), ID_FEATURE, location);
  let id: string;
  try {
    id = textDecoder.decode(idBytes);
  } catch (error) {
    throw new DataError('id_str is not valid UTF-8', { ...location, column: ID_FEATURE }, { cause: error });
  }
  const matrix = singleBytes(features.get(MATRIX_FEATURE), MATRIX_FEATURE, location);
  const columns = labelColumns
    ?? [...features].filter(([name, f]) => f.kind === 'int64' && name !== MATRIX_FEATURE && name !== ID_FEATURE).map(([n]) => n);
  const labels: Record<string, number> = {};
  for (const column of columns) labels[column] = decodeLabel(features.get(column), column, location);
  return { id, matrix, labels };
}
