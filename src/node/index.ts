/**
 * Node-only helpers: files (catalogues, shards, checkpoints, models), image decoding, backend
 * loading and progress output. Browser bundles never import this module.
 *
 * @module node
 */
export { readCatalogCsv, loadCatalogCsv, writeCatalogCsv, type ReadCatalogCsvOptions, type LoadedCatalog } from './catalogFiles.js';
export {
  writeShards, readShards, readShardFile, readShardManifest, MANIFEST_FILE, DEFAULT_SHARD_SIZE,
  type ShardManifest, type ShardEntry, type WriteShardsOptions, type ShardExample,
} from './shardFiles.js';
export { writeFileAtomic, AtomicFileWriter } from './atomicFile.js';
export { decodeImageFile, decodeImageBytes, toChannels, type DecodedImage, type DecodeImageOptions } from './images.js';
export { fileSystemHandler, loadKerasWeightsFile, MODEL_JSON, WEIGHTS_BIN } from './modelIO.js';
export { writeSyntheticDataset, encodeGreyscalePng, type WriteSyntheticOptions, type WriteSyntheticSummary } from './writeSynthetic.js';
export { fileCheckpointStore } from './fileCheckpointStore.js';
export { jsonLinesHistory } from './history.js';
export { catalogBatchSource, type CatalogSourceOptions } from './catalogSource.js';
export { predictionColumns, writePredictionsCsv, readPredictedFractions } from './predictionsFile.js';
export { useNodeBackend, isInstalled, NODE_BACKENDS, type NodeBackend } from './backend.js';
export { mergePredictions, type MergePredictionsOptions, type MergePredictionsResult } from './mergePredictions.js';
export { readCatalogParquet, loadCatalogParquet, writeCatalogParquet, writeTableParquet, writePredictionsParquet, type ReadCatalogParquetOptions, type ParquetColumn } from './parquetFiles.js';
export { catalogFromPostgres, type PostgresCatalogOptions } from './postgres.js';
export { combineCatalog, type CombineCatalogOptions, type CombinedCatalog } from './combineCatalog.js';
export { loadPretrainedEncoder } from './pretrained.js';
export { represent, type RepresentOptions, type RepresentSummary } from './workflows/represent.js';
export { createProgress, type Progress, type ProgressOptions } from './progress.js';
