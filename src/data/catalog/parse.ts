/**
 * Turns a stream of raw catalogue records (from a CSV file, a database cursor...) into validated
 * {@link CatalogRow}s, either failing on the first problem or skipping bad rows with a report.
 *
 * @module data/catalog/parse
 */
import { DataError } from '../../errors.js';
import { ID_COLUMN, type CatalogOptions, type CatalogRow, type CatalogSchema } from './types.js';
import { requiredColumns, validateCatalogHeader, validateCatalogRow } from './validate.js';

/** Raw catalogue input: a header and rows of cells in header order. */
export interface CatalogSource {
  /** Column names as in the source (before `columnMap`). */
  readonly columns: readonly string[];
  /** Data rows, cells in `columns` order. */
  readonly records: AsyncIterable<readonly string[]> | Iterable<readonly string[]>;
  /** File (or query) name for error messages. */
  readonly file?: string;
}

/** Options of {@link parseCatalog}. */
export interface ParseCatalogOptions extends CatalogOptions {
  /**
   * `'throw'` (default) stops at the first bad row; `'skip'` drops bad rows, reporting each one to
   * `onProblem`. A bad header always throws.
   */
  readonly onError?: 'throw' | 'skip';
  /** Receives each skipped row's error when `onError` is `'skip'`. */
  readonly onProblem?: (error: DataError) => void;
  /**
   * Whether a row's image exists; rows whose image is missing are bad rows. Omit to skip the check
   * (the browser-safe parser cannot look at files itself).
   */
  readonly imageExists?: (fileLoc: string) => boolean | Promise<boolean>;
}

/**
 * Validates a catalogue stream row by row: required columns present, ids non-empty and unique,
 * counts finite non-negative integers, images present (when `imageExists` is given).
 *
 * @param source - header and rows.
 * @param schema - label columns to read (a decision-tree `Schema` fits).
 * @param options - column renaming, error policy, image check.
 * @returns an async generator of typed rows, in source order.
 * @throws DataError naming the file, one-based row and column of a problem.
 * @example
 * for await (const row of parseCatalog({ columns, records }, decalsDr5Schema, { requireFileLoc: false })) ...
 */
export async function* parseCatalog(
  source: CatalogSource,
  schema: CatalogSchema,
  options: ParseCatalogOptions = {},
): AsyncGenerator<CatalogRow> {
  const { file } = source;
  const columns = source.columns.map((c) => options.columnMap?.[c] ?? c);
  validateCatalogHeader(columns, schema, options, file);
  // Only the needed cells are copied into each record.
  const needed = requiredColumns(schema, options).map((c) => [c, columns.indexOf(c)] as const);
  const seenIds = new Map<string, number>();
  const skip = (options.onError ?? 'throw') === 'skip';
  let row = 0;
  for await (const cells of source.records) {
    row += 1;
    try {
      const record: Record<string, string | undefined> = {};
      for (const [column, index] of needed) record[column] = cells[index];
      const parsed = validateCatalogRow(record, schema, { file, row }, options);
      const firstRow = seenIds.get(parsed.id_str);
      if (firstRow !== undefined) {
        throw new DataError(`duplicate id "${parsed.id_str}" (first seen in row ${firstRow})`, { file, row, column: ID_COLUMN });
      }
      if (options.imageExists && !(await options.imageExists(parsed.file_loc))) {
        throw new DataError(`galaxy "${parsed.id_str}": image not found: ${parsed.file_loc}`, { file, row, column: 'file_loc' });
      }
      seenIds.set(parsed.id_str, row);
      yield parsed;
    } catch (error) {
      if (!skip || !(error instanceof DataError)) throw error;
      options.onProblem?.(error);
    }
  }
}
