/**
 * Checks catalogue headers and rows against a {@link CatalogSchema}.
 *
 * @module data/catalog/validate
 */
import { DataError } from '../../errors.js';
import { FILE_COLUMN, ID_COLUMN, type CatalogOptions, type CatalogRow, type CatalogSchema } from './types.js';

/** A raw record: column name -> cell text, after column renaming. */
export type RawRecord = Readonly<Record<string, string | undefined>>;

/** Where a row comes from, for error messages. */
export interface RowLocation {
  readonly file?: string;
  /** One-based data row (the header is row 0). */
  readonly row?: number;
}

/**
 * The columns a catalogue must have under these options.
 *
 * @param schema - label columns.
 * @param options - whether `file_loc` is required, extra columns to keep.
 * @returns `id_str`, then `file_loc` if required, the label columns and the kept columns.
 */
export function requiredColumns(schema: CatalogSchema, options: CatalogOptions = {}): string[] {
  return [
    ID_COLUMN,
    ...(options.requireFileLoc ?? true ? [FILE_COLUMN] : []),
    ...schema.labelColumns,
    ...(options.keepColumns ?? []),
  ];
}

/**
 * Checks a header (after column renaming) before any row is read.
 *
 * @param columns - the header's column names.
 * @param schema - label columns.
 * @param options - whether `file_loc` is required, extra columns to keep.
 * @param file - file name for the error.
 * @throws DataError at row 0 listing every missing column and, for each, the closest-looking
 * header names, or naming a duplicated column.
 */
export function validateCatalogHeader(
  columns: readonly string[],
  schema: CatalogSchema,
  options: CatalogOptions = {},
  file?: string,
): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw new DataError(`duplicate column "${column}" in header`, { file, row: 0, column });
    seen.add(column);
  }
  const missing = requiredColumns(schema, options).filter((c) => !seen.has(c));
  if (missing.length === 0) return;
  // Point at columns of the same question, e.g. a file using another campaign's answers.
  const hints = missing.map((column) => {
    const question = column.split('_')[0] ?? column;
    const similar = columns.filter((c) => c.startsWith(`${question}_`)).slice(0, 8);
    return similar.length > 0 ? `${column} (file has: ${similar.join(', ')})` : column;
  });
  throw new DataError(`${missing.length} required column(s) missing: ${hints.join('; ')}`, {
    file, row: 0, column: missing[0],
  });
}

/**
 * Parses a vote-count cell: a finite, non-negative whole number ("12" or "12.0").
 *
 * @throws DataError naming the file, row and column.
 */
export function parseCount(text: string | undefined, location: RowLocation & { column: string }): number {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') throw new DataError('vote count is empty', location);
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw new DataError(`vote count "${trimmed}" is not a finite number`, location);
  if (value < 0) throw new DataError(`vote count ${trimmed} is negative`, location);
  if (!Number.isSafeInteger(value)) throw new DataError(`vote count ${trimmed} is not a whole number`, location);
  return value;
}

/**
 * Validates one raw record into a typed row. Duplicate ids span rows, so the parser checks them.
 *
 * @param record - column name -> cell text (after renaming).
 * @param schema - the label columns to read.
 * @param location - file and one-based row, for errors.
 * @param options - whether `file_loc` is required, extra columns to keep.
 * @returns the typed row, counts aligned with `schema.labelColumns`.
 * @throws DataError naming the file, row and column of the first problem.
 */
export function validateCatalogRow(
  record: RawRecord,
  schema: CatalogSchema,
  location: RowLocation = {},
  options: CatalogOptions = {},
): CatalogRow {
  const id = (record[ID_COLUMN] ?? '').trim();
  if (id === '') throw new DataError('id is empty', { ...location, column: ID_COLUMN });
  const fileLoc = (record[FILE_COLUMN] ?? '').trim();
  if ((options.requireFileLoc ?? true) && fileLoc === '') {
    throw new DataError(`galaxy "${id}": image path is empty`, { ...location, column: FILE_COLUMN });
  }
  const counts = schema.labelColumns.map((column) => parseCount(record[column], { ...location, column }));
  const keep = options.keepColumns ?? [];
  if (keep.length === 0) return { id_str: id, file_loc: fileLoc, counts };
  const extra: Record<string, string> = {};
  for (const column of keep) extra[column] = record[column] ?? '';
  return { id_str: id, file_loc: fileLoc, counts, extra };
}
