/**
 * Galaxy catalogues on disk: streaming CSV (and gzipped CSV) reading with validation, and atomic
 * CSV writing.
 *
 * @module node/catalogFiles
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { DataError } from '../errors.js';
import { parseCatalog, type ParseCatalogOptions } from '../data/catalog/parse.js';
import { FILE_COLUMN, ID_COLUMN, type CatalogRow, type CatalogSchema } from '../data/catalog/types.js';
import { writeFileAtomic } from './atomicFile.js';

/** Options of {@link readCatalogCsv}. */
export interface ReadCatalogCsvOptions extends Omit<ParseCatalogOptions, 'imageExists'> {
  /** Label columns to read; a decision-tree `Schema` fits. */
  readonly schema: CatalogSchema;
  /** Treat rows whose `file_loc` does not exist as bad rows. @defaultValue false */
  readonly checkImages?: boolean;
  /** Folder that relative `file_loc` paths are relative to. @defaultValue the catalogue's folder */
  readonly imageRoot?: string;
}

/** Streams the cell arrays of a CSV file, gunzipping `.gz` files; the first array is the header. */
export async function* csvRecords(path: string): AsyncGenerator<string[]> {
  const file = createReadStream(path);
  const parser = parse({ bom: true, skip_empty_lines: true });
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // pipe() does not forward errors: send read and gunzip errors into the parser's stream.
  const forward = (error: Error): void => { parser.destroy(error); };
  file.on('error', forward);
  input.on('error', forward);
  try {
    for await (const record of input.pipe(parser)) yield record as string[];
  } catch (error) {
    if (error instanceof CsvError) {
      const row = typeof error.records === 'number' ? error.records : undefined;
      throw new DataError(`malformed CSV: ${error.message}`, { file: path, row }, { cause: error });
    }
    throw new DataError(`cannot read catalogue: ${(error as Error).message}`, { file: path }, { cause: error });
  } finally {
    file.destroy();
  }
}

/**
 * Reads a catalogue CSV (or `.csv.gz`) as a stream of validated rows.
 *
 * @param path - the CSV file.
 * @param options - schema, column renaming, error policy (`onError: 'skip'` with `onProblem`), image check.
 * @returns an async generator of {@link CatalogRow}s in file order.
 * @throws DataError naming the file, row and column of the first problem (or of a bad header).
 * @example
 * for await (const row of readCatalogCsv('votes.csv', { schema: decalsDr5Schema, columnMap: { subject_id: 'id_str' }, requireFileLoc: false })) ...
 */
export async function* readCatalogCsv(path: string, options: ReadCatalogCsvOptions): AsyncGenerator<CatalogRow> {
  const records = csvRecords(path);
  const header = await records.next();
  if (header.done) throw new DataError('catalogue is empty (no header)', { file: path, row: 0 });
  const imageRoot = options.imageRoot ?? dirname(path);
  const imageExists = options.checkImages ? imageExistsUnder(imageRoot) : undefined;
  yield* parseCatalog({ columns: header.value, records, file: path }, options.schema, { ...options, imageExists });
}

/** An image check for catalogue readers: whether `file_loc` (relative to `imageRoot` unless absolute) exists. */
export function imageExistsUnder(imageRoot: string): (fileLoc: string) => Promise<boolean> {
  return (fileLoc) => access(isAbsolute(fileLoc) ? fileLoc : resolve(imageRoot, fileLoc)).then(() => true, () => false);
}

/** What {@link loadCatalogCsv} returns. */
export interface LoadedCatalog {
  /** The good rows, in file order. */
  readonly rows: CatalogRow[];
  /** One error per skipped row (empty unless `onError` is `'skip'`). */
  readonly problems: DataError[];
}

/**
 * Reads a whole catalogue into memory, collecting skipped rows' problems.
 *
 * @param path - the CSV file.
 * @param options - as {@link readCatalogCsv}; `onError` defaults to `'throw'`.
 * @returns the rows and a problems report.
 */
export async function loadCatalogCsv(path: string, options: ReadCatalogCsvOptions): Promise<LoadedCatalog> {
  return collectCatalog((onProblem) => readCatalogCsv(path, { ...options, onProblem }), options.onProblem);
}

/**
 * Drains a catalogue reader into memory. `read` receives the problem callback to pass on, so
 * skipped rows' errors are both collected and forwarded to the caller's own `onProblem`.
 */
export async function collectCatalog(
  read: (onProblem: (error: DataError) => void) => AsyncIterable<CatalogRow>,
  forward?: (error: DataError) => void,
): Promise<LoadedCatalog> {
  const problems: DataError[] = [];
  const rows: CatalogRow[] = [];
  for await (const row of read((error) => { problems.push(error); forward?.(error); })) rows.push(row);
  return { rows, problems };
}

/** Quotes a CSV cell when needed (RFC 4180). */
function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes rows as a catalogue CSV (`id_str,file_loc,<labels...>,<extra...>`), atomically: an
 * interrupted write leaves any previous file untouched.
 *
 * @param path - the CSV file to write.
 * @param rows - the rows; extra columns are taken from the first row's `extra`.
 * @param schema - label column names, in `counts` order.
 */
export async function writeCatalogCsv(path: string, rows: readonly CatalogRow[], schema: CatalogSchema): Promise<void> {
  const extraColumns = Object.keys(rows[0]?.extra ?? {});
  const lines = [[ID_COLUMN, FILE_COLUMN, ...schema.labelColumns, ...extraColumns].map(csvCell).join(',')];
  for (const row of rows) {
    const extra = extraColumns.map((c) => row.extra?.[c] ?? '');
    lines.push([row.id_str, row.file_loc, ...row.counts, ...extra].map(csvCell).join(','));
  }
  await writeFileAtomic(path, `${lines.join('\n')}\n`);
}
