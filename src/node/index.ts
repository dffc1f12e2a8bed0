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
export { shardBatchSource, type ShardSourceOptions, type ShardBatchSource } from './shardSource.js';
export { createDecodePool, defaultDecodeWorkers, type DecodePool, type DecodePoolOptions } from './decodePool.js';
export { writeCatalogShards, SHARD_SPLIT_NAMES, type CatalogShardsOptions } from './catalogShards.js';
export { readManifestShard } from './shardFiles.js';
export { predictionColumns, writePredictionsCsv, readPredictedFractions } from './predictionsFile.js';
export { useNodeBackend, isInstalled, NODE_BACKENDS, type NodeBackend } from './backend.js';
export {
  registerNativeBackend, loadNativeAddon, NATIVE_BACKEND, NATIVE_KERNEL_NAMES, NATIVE_ADDON_ENV,
  type NativeRegistration, type NativeBackendOptions, type NativeAddon, type AddonLoad,
} from '../native/index.js';
export { mergePredictions, type MergePredictionsOptions, type MergePredictionsResult } from './mergePredictions.js';
export { readCatalogParquet, loadCatalogParquet, writeCatalogParquet, writeTableParquet, writePredictionsParquet, type ReadCatalogParquetOptions, type ParquetColumn } from './parquetFiles.js';
export { catalogFromPostgres, type PostgresCatalogOptions } from './postgres.js';
export { combineCatalog, type CombineCatalogOptions, type CombinedCatalog } from './combineCatalog.js';
export { loadPretrainedEncoder } from './pretrained.js';
export { represent, type RepresentOptions, type RepresentSummary } from './workflows/represent.js';
export { findSimilarGalaxies, type FindSimilarOptions, type SimilarGalaxies } from './similarGalaxies.js';
export { createProgress, type Progress, type ProgressOptions } from './progress.js';
export {
  renderSvg, renderPng, writePlot, writePlots, writeDemoPlots, writeComparisonPlots, writeActiveLearningPlot,
  comparisonPlotSpecs, trainingPlotSpecs, galleryItems, readPredictionSummaries, readHistoryFile,
  type WritePlotOptions, type WrittenPlot, type WrittenPlots, type ComparisonPlotInputs, type DemoPlotInputs, type GalleryInputs,
} from './plots/index.js';
export type { ComparisonReport } from './workflows/compare.js';
export { initWasmWithNodeThreads, MAX_WASM_THREADS } from '../wasm/nodeThreads.js';
