/**
 * Galaxy catalogues and tables as Parquet files: catalogues are read one row group at a time and
 * validated with the same parser as CSV catalogues; tables are written row group by row group under
 * a temporary name, so a big table never sits whole in memory and an interrupted write leaves any
 * previous file untouched.
 *
 * @module node/parquetFiles
 */
import { dirname } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { ByteWriter, parquetWriteRows, type BasicType, type Writer } from 'hyparquet-writer';
import type { Schema } from '../decisionTree/index.js';
import { DataError } from '../errors.js';
import { parseCatalog } from '../data/catalog/parse.js';
import { FILE_COLUMN, ID_COLUMN, type CatalogRow, type CatalogSchema } from '../data/catalog/types.js';
import { requiredColumns } from '../data/catalog/validate.js';
import type { PredictedBatch } from '../training/predict.js';
import { AtomicFileWriter } from './atomicFile.js';
import { collectCatalog, imageExistsUnder, type LoadedCatalog, type ReadCatalogCsvOptions } from './catalogFiles.js';
import { predictionColumns, predictionRows } from './predictionsFile.js';

/**
 * Options of {@link readCatalogParquet}: the same as for CSV catalogues (schema, column renaming,
 * error policy, image check).
 */
export type ReadCatalogParquetOptions = ReadCatalogCsvOptions;

/**
 * Text of one Parquet cell, as the catalogue parser expects: numbers and bigints in decimal, null
 * as empty (so a missing count is reported as empty), dates in ISO 8601, anything else as JSON.
 */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** Turns any failure of the Parquet decoder into a DataError naming the file (and row range). */
async function decoding<T>(path: string, what: string, work: () => Promise<T>, row?: number): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read Parquet ${what}: ${(error as Error).message}`, { file: path, row }, { cause: error });
  }
}

/**
 * Streams the rows of the columns `wanted` (a subset of `header`) one row group at a time, each row
 * a cell array in `header` order with only the wanted cells filled.
 */
async function* rowGroupRecords(
  path: string, file: AsyncBuffer, metadata: FileMetaData, header: readonly string[], wanted: readonly string[],
): AsyncGenerator<string[]> {
  const positions = wanted.map((column) => [column, header.indexOf(column)] as const);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const objects = await decoding(
      path, `row group at rows ${rowStart + 1}-${rowEnd}`,
      () => parquetReadObjects({ file, metadata, columns: [...wanted], rowStart, rowEnd }),
      rowStart + 1,
    );
    for (const object of objects) {
      const cells = new Array<string>(header.length);
      for (const [column, index] of positions) cells[index] = cellText(object[column]);
      yield cells;
    }
    rowStart = rowEnd;
  }
}

/** Which part of a table {@link parquetRows} reads. */
export interface ParquetRowsOptions {
  /** Columns to read, in this order. @defaultValue every column, in file order */
  readonly columns?: readonly string[];
  /** First row (0-based). @defaultValue 0 */
  readonly rowStart?: number;
  /** Row after the last one. @defaultValue the end of the table */
  readonly rowEnd?: number;
}

/**
 * Streams a Parquet table one row group at a time: the header (the column names read) first,
 * then each row's values as decoded (numbers, bigints, strings, null), with no detour through
 * text, so wide numeric tables (representations) read fast. Only the row groups that overlap the
 * requested rows are decoded.
 *
 * @param path - the Parquet file.
 * @param options - columns and row range to read.
 * @returns an async generator of the header, then one value array per row, in header order.
 * @throws DataError naming the file (and row range) when it is not readable Parquet, or naming a
 *   requested column it lacks.
 */
export async function* parquetRows(path: string, options: ParquetRowsOptions = {}): AsyncGenerator<unknown[]> {
  const file = await decoding(path, 'file', () => asyncBufferFromFile(path));
  const metadata = await decoding(path, 'footer', () => parquetMetadataAsync(file));
  const all = parquetSchema(metadata).children.map((child) => child.element.name);
  const columns = options.columns ?? all;
  const missing = columns.find((column) => !all.includes(column));
  if (missing !== undefined) throw new DataError('missing column', { file: path, row: 0, column: missing });
  yield [...columns];
  const first = options.rowStart ?? 0;
  const last = options.rowEnd ?? Number(metadata.num_rows);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const rowStart = Math.max(first, groupStart);
    const rowEnd = Math.min(last, groupEnd);
    if (rowStart < rowEnd) {
      let rows: unknown[][] = [];
      await decoding(path, `row group at rows ${rowStart + 1}-${rowEnd}`, () => parquetRead({
        file, metadata, columns: [...columns], rowStart, rowEnd, rowFormat: 'array', onComplete: (decoded: unknown[][]) => { rows = decoded; },
      }), rowStart + 1);
      yield* rows;
    }
    groupStart = groupEnd;
  }
}

/**
 * Reads a catalogue Parquet file as a stream of validated rows, decoding one row group at a time
 * and only the columns the schema needs. Counts may be stored as integers, floats or text.
 *
 * @param path - the Parquet file.
 * @param options - schema, column renaming, error policy (`onError: 'skip'` with `onProblem`), image check.
 * @returns an async generator of {@link CatalogRow}s in file order.
 * @throws DataError naming the file, one-based row and column of the first bad value, or naming
 * the file when it is not readable Parquet (missing, truncated, corrupt).
 * @example
 * for await (const row of readCatalogParquet('gz_decals_votes.parquet', { schema: decalsDr5Schema, requireFileLoc: false })) ...
 */
export async function* readCatalogParquet(path: string, options: ReadCatalogParquetOptions): AsyncGenerator<CatalogRow> {
  const file = await decoding(path, 'file', () => asyncBufferFromFile(path));
  const metadata = await decoding(path, 'footer', () => parquetMetadataAsync(file));
  const header = parquetSchema(metadata).children.map((child) => child.element.name);
  const needed = new Set(requiredColumns(options.schema, options));
  const wanted = header.filter((column) => needed.has(options.columnMap?.[column] ?? column));
  const imageRoot = options.imageRoot ?? dirname(path);
  const imageExists = options.checkImages ? imageExistsUnder(imageRoot) : undefined;
  const records = rowGroupRecords(path, file, metadata, header, wanted);
  yield* parseCatalog({ columns: header, records, file: path }, options.schema, { ...options, imageExists });
}

/**
 * Reads a whole catalogue Parquet file into memory, collecting skipped rows' problems.
 *
 * @param path - the Parquet file.
 * @param options - as {@link readCatalogParquet}; `onError` defaults to `'throw'`.
 * @returns the rows and a problems report.
 */
export async function loadCatalogParquet(path: string, options: ReadCatalogParquetOptions): Promise<LoadedCatalog> {
  return collectCatalog((onProblem) => readCatalogParquet(path, { ...options, onProblem }), options.onProblem);
}

/** One column of a table written by {@link writeTableParquet}. */
export interface ParquetColumn {
  /** Column name. */
  readonly name: string;
  /** Parquet type of every value (`STRING`, `INT32`, `INT64` with bigint values, `DOUBLE`...). */
  readonly type: BasicType;
}

/** Rows per row group: small enough to stream, big enough for good compression. */
const ROW_GROUP_SIZE = 10_000;

/**
 * A hyparquet writer that hands each finished row group to an {@link AtomicFileWriter} instead of
 * growing one buffer for the whole file.
 */
function atomicSink(file: AtomicFileWriter): Writer {
  const writer = new ByteWriter();
  const drain = async (): Promise<void> => {
    // hyparquet waits for this promise before encoding the next row group into the same buffer.
    const bytes = writer.getBytes();
    await file.write(bytes);
    writer.index = 0;
  };
  return Object.assign(writer, { flush: drain, finish: drain });
}

/**
 * Writes a table as a Parquet file, streaming: rows are pulled and encoded
 * `ROW_GROUP_SIZE` at a time, and the file appears complete (renamed from a temporary file)
 * or not at all.
 *
 * @param path - the Parquet file to write.
 * @param columns - column names and Parquet types, in file order.
 * @param rows - objects keyed by column name; `null` or a missing key writes a null.
 * @returns the number of rows written.
 * @example
 * await writeTableParquet('t.parquet', [{ name: 'id_str', type: 'STRING' }, { name: 'p', type: 'DOUBLE' }], [{ id_str: 'a', p: 0.5 }]);
 */
export async function writeTableParquet(
  path: string,
  columns: readonly ParquetColumn[],
  rows: Iterable<Readonly<Record<string, unknown>>> | AsyncIterable<Readonly<Record<string, unknown>>>,
): Promise<number> {
  const file = await AtomicFileWriter.create(path);
  let count = 0;
  async function* counted(): AsyncGenerator<Readonly<Record<string, unknown>>> {
    for await (const row of rows) {
      count += 1;
      yield row;
    }
  }
  try {
    await parquetWriteRows({
      writer: atomicSink(file),
      columns: columns.map(({ name, type }) => ({ name, type })),
      rows: counted() as AsyncIterable<Record<string, unknown>>,
      rowGroupSize: ROW_GROUP_SIZE,
    });
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
  return count;
}

/**
 * Writes rows as a catalogue Parquet file (`id_str`, `file_loc` as strings, the label columns as
 * INT64 counts, then the extra columns as strings), atomically.
 *
 * @param path - the Parquet file to write.
 * @param rows - the rows; extra columns are taken from the first row's `extra`.
 * @param schema - label column names, in `counts` order.
 */
export async function writeCatalogParquet(path: string, rows: Iterable<CatalogRow> | AsyncIterable<CatalogRow>, schema: CatalogSchema): Promise<void> {
  const source = Symbol.asyncIterator in rows ? rows : (async function* () { yield* rows; })();
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const extraColumns = first.done ? [] : Object.keys(first.value.extra ?? {});
  const columns: ParquetColumn[] = [
    { name: ID_COLUMN, type: 'STRING' },
    { name: FILE_COLUMN, type: 'STRING' },
    ...schema.labelColumns.map((name) => ({ name, type: 'INT64' as const })),
    ...extraColumns.map((name) => ({ name, type: 'STRING' as const })),
  ];
  function record(row: CatalogRow): Record<string, unknown> {
    const out: Record<string, unknown> = { [ID_COLUMN]: row.id_str, [FILE_COLUMN]: row.file_loc };
    schema.labelColumns.forEach((column, i) => { out[column] = BigInt(row.counts[i] ?? 0); });
    for (const column of extraColumns) out[column] = row.extra?.[column] ?? '';
    return out;
  }
  async function* records(): AsyncGenerator<Record<string, unknown>> {
    if (first.done) return;
    yield record(first.value);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield record(next.value);
  }
  await writeTableParquet(path, columns, records());
}

/**
 * Streams MC-dropout batches into a predictions Parquet file with the columns of
 * {@link predictionColumns} (`id_str` as string, the rest as doubles), atomically.
 *
 * @param path - the Parquet file to write.
 * @param schema - the decision tree the model predicts.
 * @param batches - predicted batches, concentrations `[galaxy, pass, answer]`.
 * @returns the number of galaxies written.
 */
export async function writePredictionsParquet(path: string, schema: Schema, batches: AsyncIterable<PredictedBatch>): Promise<number> {
  const names = predictionColumns(schema);
  const columns = names.map((name, i): ParquetColumn => ({ name, type: i === 0 ? 'STRING' : 'DOUBLE' }));
  async function* records(): AsyncGenerator<Record<string, unknown>> {
    for await (const values of predictionRows(schema, batches)) yield Object.fromEntries(names.map((name, c) => [name, values[c]]));
  }
  return writeTableParquet(path, columns, records());
}
