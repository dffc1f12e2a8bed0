/**
 * Typed catalogue rows and the catalogue schema they are checked against.
 *
 * @module data/catalog/types
 */

/** Column holding each galaxy's unique id (Zoobot's name). */
export const ID_COLUMN = 'id_str';
/** Column holding each galaxy's image path (Zoobot's name). */
export const FILE_COLUMN = 'file_loc';

/** One validated catalogue row. */
export interface CatalogRow {
  /** Unique galaxy id. */
  readonly id_str: string;
  /** Image path; empty when the catalogue schema does not require images. */
  readonly file_loc: string;
  /** Vote counts aligned with the schema's `labelColumns`. */
  readonly counts: readonly number[];
  /** Kept extra columns (see {@link CatalogOptions.keepColumns}), as read. */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * What a catalogue must contain. A decision-tree `Schema` fits (it has `labelColumns`).
 */
export interface CatalogSchema {
  /** Label columns, each holding non-negative integer vote counts. */
  readonly labelColumns: readonly string[];
}

/** Options of catalogue validation. */
export interface CatalogOptions {
  /** Whether `file_loc` is required and non-empty. Vote tables without images set false. @defaultValue true */
  readonly requireFileLoc?: boolean;
  /** Extra columns to carry into {@link CatalogRow.extra} (e.g. `ra`, `dec`); they must exist. */
  readonly keepColumns?: readonly string[];
  /**
   * Renames source columns before validation, source name -> catalogue name (e.g.
   * `{ subject_id: 'id_str' }`, or `gz2ColumnMap()` for the published GZ2 tables).
   */
  readonly columnMap?: Readonly<Record<string, string>>;
}
