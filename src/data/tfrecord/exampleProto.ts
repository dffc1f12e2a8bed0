/**
 * `tf.train.Example` protobufs (tensorflow/core/example/example.proto and feature.proto):
 * Example { Features features = 1 }, Features { map<string, Feature> feature = 1 },
 * Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3 } }.
 *
 * @module data/tfrecord/exampleProto
 */
import { ProtobufError, ProtoWriter, WireType, readFields, readPackedVarints } from './protobuf.js';

/** One feature of an Example: a list of byte strings, float32 values or int64 values. */
export type Feature =
  | { readonly kind: 'bytes'; readonly value: readonly Uint8Array[] }
  | { readonly kind: 'float'; readonly value: readonly number[] }
  | { readonly kind: 'int64'; readonly value: readonly bigint[] };

/** An Example's features by name, in the order they are (or were) written. */
export type ExampleFeatures = ReadonlyMap<string, Feature>;

/** Room for a field's key and length prefix. */
const FIELD_OVERHEAD = 16;

function encodeFeature(feature: Feature): Uint8Array {
  const list = new ProtoWriter();
  switch (feature.kind) {
    case 'bytes': {
      const size = feature.value.reduce((n, v) => n + v.length + FIELD_OVERHEAD, 0);
      const bytesList = new ProtoWriter(size);
      for (const value of feature.value) bytesList.bytes(1, value);
      return new ProtoWriter(size + FIELD_OVERHEAD).bytes(1, bytesList.finish()).finish();
    }
    case 'float':
      // Packed, as TensorFlow writes it.
      if (feature.value.length > 0) {
        const packed = new ProtoWriter().rawFloats(feature.value).finish();
        list.bytes(1, packed);
      }
      return new ProtoWriter().bytes(2, list.finish()).finish();
    case 'int64':
      if (feature.value.length > 0) {
        const packed = new ProtoWriter();
        for (const value of feature.value) packed.int64(value);
        list.bytes(1, packed.finish());
      }
      return new ProtoWriter().bytes(3, list.finish()).finish();
  }
}

/**
 * Serializes a `tf.train.Example`.
 *
 * @param features - feature name -> feature, written in iteration order.
 * @returns the Example's protobuf bytes.
 * @example
 * encodeExample(new Map([['id_str', { kind: 'bytes', value: [new TextEncoder().encode('a')] }]]));
 */
export function encodeExample(features: ExampleFeatures): Uint8Array {
  const entries = [...features].map(([name, feature]) => {
    const encoded = encodeFeature(feature);
    return new ProtoWriter(3 * name.length + encoded.length + 2 * FIELD_OVERHEAD).string(1, name).bytes(2, encoded).finish();
  });
  const size = entries.reduce((n, e) => n + e.length + FIELD_OVERHEAD, 0);
  const featuresMessage = new ProtoWriter(size);
  for (const entry of entries) featuresMessage.bytes(1, entry);
  return new ProtoWriter(size + FIELD_OVERHEAD).bytes(1, featuresMessage.finish()).finish();
}

function decodeFloats(field: { wireType: number; bytes?: Uint8Array }, into: number[]): void {
  const bytes = field.bytes!;
  if (bytes.length % 4 !== 0) throw new ProtobufError('packed float list length is not a multiple of 4', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < bytes.length; i += 4) into.push(view.getFloat32(i, true));
}

function decodeFeature(bytes: Uint8Array): Feature {
  // A oneof: the last kind on the wire wins, as in protobuf's own parsers.
  let feature: Feature = { kind: 'bytes', value: [] };
  for (const kindField of readFields(bytes)) {
    if (kindField.wireType !== WireType.LENGTH_DELIMITED || kindField.field > 3) continue;
    const items = readFields(kindField.bytes!);
    if (kindField.field === 1) {
      const value: Uint8Array[] = [];
      for (const item of items) if (item.field === 1 && item.wireType === WireType.LENGTH_DELIMITED) value.push(item.bytes!);
      feature = { kind: 'bytes', value };
    } else if (kindField.field === 2) {
      const value: number[] = [];
      for (const item of items) {
        // Packed (length-delimited) or unpacked (one fixed32 per value): parsers must accept both.
        if (item.field === 1 && (item.wireType === WireType.LENGTH_DELIMITED || item.wireType === WireType.FIXED32)) {
          decodeFloats(item, value);
        }
      }
      feature = { kind: 'float', value };
    } else {
      const value: bigint[] = [];
      for (const item of items) {
        if (item.field !== 1) continue;
        if (item.wireType === WireType.LENGTH_DELIMITED) {
          for (const v of readPackedVarints(item.bytes!)) value.push(BigInt.asIntN(64, v));
        } else if (item.wireType === WireType.VARINT) {
          value.push(BigInt.asIntN(64, item.varint!));
        }
      }
      feature = { kind: 'int64', value };
    }
  }
  return feature;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a serialized `tf.train.Example`. Unknown fields are skipped; a repeated map key keeps its
 * last value, as protobuf map semantics require.
 *
 * @param bytes - the Example's protobuf bytes.
 * @returns feature name -> feature.
 * @throws ProtobufError (a DataError) when the bytes are not a well-formed protobuf message.
 */
export function decodeExample(bytes: Uint8Array): Map<string, Feature> {
  const features = new Map<string, Feature>();
  for (const exampleField of readFields(bytes)) {
    if (exampleField.field !== 1 || exampleField.wireType !== WireType.LENGTH_DELIMITED) continue;
    for (const entryField of readFields(exampleField.bytes!)) {
      if (entryField.field !== 1 || entryField.wireType !== WireType.LENGTH_DELIMITED) continue;
      let name = '';
      let feature: Feature = { kind: 'bytes', value: [] };
      for (const part of readFields(entryField.bytes!)) {
        if (part.wireType !== WireType.LENGTH_DELIMITED) continue;
        if (part.field === 1) name = textDecoder.decode(part.bytes!);
        else if (part.field === 2) feature = decodeFeature(part.bytes!);
      }
      features.set(name, feature);
    }
  }
  return features;
}
