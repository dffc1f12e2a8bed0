/**
 * Galaxy catalogues: typed rows, schema validation and a source-agnostic streaming parser.
 * Browser-safe; the Node file reader lives in `zoobot-ts/node`.
 *
 * @module data/catalog
 */
export { ID_COLUMN, FILE_COLUMN, type CatalogRow, type CatalogSchema, type CatalogOptions } from './types.js';
export {
  validateCatalogHeader, validateCatalogRow, parseCount, requiredColumns, type RawRecord, type RowLocation,
} from './validate.js';
export { parseCatalog, type CatalogSource, type ParseCatalogOptions } from './parse.js';
