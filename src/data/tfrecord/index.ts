/**
 * TFRecord shards compatible with Zoobot and TensorFlow: CRC-32C, `tf.train.Example` protobufs,
 * record framing and the galaxy Example layout. Browser-safe (no Node imports).
 *
 * @module data/tfrecord
 */
export { crc32c, crc32cUpdate, maskedCrc32c } from './crc32c.js';
export { encodeExample, decodeExample, type Feature, type ExampleFeatures } from './exampleProto.js';
export {
  encodeRecord, readRecords, readRecordsFromChunks, RecordParser, RECORD_OVERHEAD,
  type TFRecord, type ReadRecordsOptions,
} from './framing.js';
export {
  encodeGalaxyExample, decodeGalaxyExample, MATRIX_FEATURE, ID_FEATURE, type GalaxyExample,
} from './example.js';
