/**
 * Builds a training catalogue from a vote table without image paths and a folder of images named
 * by galaxy id (`<id>.png`, `<id>.jpg`...), reporting galaxies without images and images without votes.
 *
 * @module node/combineCatalog
 */
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, extname, relative, resolve } from 'node:path';
import { ID_COLUMN, type CatalogRow, type CatalogSchema } from '../data/catalog/types.js';
import { loadCatalogCsv, writeCatalogCsv } from './catalogFiles.js';
import { loadCatalogParquet } from './parquetFiles.js';

/** Options of {@link combineCatalog}. */
export interface CombineCatalogOptions {
  /**
   * The vote table: rows (their `file_loc` is ignored), or a CSV / `.csv.gz` / `.parquet` file read
   * without requiring `file_loc`.
   */
  readonly votes: readonly CatalogRow[] | string;
  /** Folder of images, each named `<id>.<extension>`. */
  readonly imageDir: string;
  /** Label columns of the vote table; `{ labelColumns: [] }` for a table of ids only. */
  readonly schema: CatalogSchema;
  /** Id column of a vote file, renamed to `id_str` (e.g. `iauname`). @defaultValue `'id_str'` */
  readonly idColumn?: string;
  /** Extra columns of a vote file to carry along (e.g. `ra`, `dec`, `ring`). */
  readonly keepColumns?: readonly string[];
  /**
   * Image extensions, case-insensitive, most preferred first: when a galaxy has several images
   * (`a.png` and `a.jpg`) the first extension wins and the others are reported.
   * @defaultValue `['png', 'jpg', 'jpeg']`
   */
  readonly extensions?: readonly string[];
  /** Also look in subfolders (e.g. DECaLS' `J000/` brick folders). @defaultValue false */
  readonly recursive?: boolean;
  /**
   * Where the combined catalogue lives: `file_loc` is written relative to its folder (absolute
   * otherwise), and the catalogue CSV is written there atomically unless `write` is false.
   */
  readonly output?: string;
  /** Whether to write `output`. @defaultValue true */
  readonly write?: boolean;
}

/** What {@link combineCatalog} returns. */
export interface CombinedCatalog {
  /** Galaxies with votes and an image, in vote-table order, with `file_loc` set. */
  readonly rows: CatalogRow[];
  /** Ids of galaxies with votes but no image, in vote-table order. */
  readonly missingImages: string[];
  /** Absolute paths of images whose id is not in the vote table, sorted. */
  readonly unmatchedImages: string[];
  /** Absolute paths of images not used because the same id has a preferred image, sorted. */
  readonly duplicateImages: string[];
}

/** Images under `dir` by id, the preferred extension winning; the losers are returned apart. */
async function imagesById(dir: string, extensions: readonly string[], recursive: boolean): Promise<{ byId: Map<string, string>; duplicates: string[] }> {
  const rank = new Map(extensions.map((e, i) => [`.${e.replace(/^\./, '').toLowerCase()}`, i]));
  const found = new Map<string, { path: string; rank: number }>();
  const duplicates: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive })) {
    const extension = extname(entry.name);
    const r = rank.get(extension.toLowerCase());
    if (!entry.isFile() || r === undefined) continue;
    const id = entry.name.slice(0, -extension.length);
    const path = resolve(entry.parentPath, entry.name);
    const other = found.get(id);
    if (other === undefined) {
      found.set(id, { path, rank: r });
    } else {
      const [keep, drop] = r < other.rank ? [{ path, rank: r }, other.path] : [other, path];
      found.set(id, keep);
      duplicates.push(drop);
    }
  }
  return { byId: new Map([...found].map(([id, { path }]) => [id, path])), duplicates: duplicates.sort() };
}

/** Loads a vote file (CSV or Parquet) without requiring `file_loc`. */
async function loadVotes(path: string, options: CombineCatalogOptions): Promise<CatalogRow[]> {
  const idColumn = options.idColumn ?? ID_COLUMN;
  const read = {
    schema: options.schema,
    requireFileLoc: false,
    keepColumns: options.keepColumns,
    columnMap: idColumn === ID_COLUMN ? undefined : { [idColumn]: ID_COLUMN },
  };
  const load = path.toLowerCase().endsWith('.parquet') ? loadCatalogParquet : loadCatalogCsv;
  return (await load(path, read)).rows;
}

/**
 * Joins a vote table with a folder of images by galaxy id.
 *
 * @param options - the vote table, image folder, schema, id column, extensions and output catalogue.
 * @returns the combined rows and a report of galaxies without images, images without votes and
 * duplicate images.
 * @throws DataError from reading a vote file (naming file, row and column), or a file-system error
 * when `imageDir` cannot be listed.
 * @example
 * const { rows, missingImages } = await combineCatalog({
 *   votes: 'example_ring_catalog_basic.csv', idColumn: 'iauname', keepColumns: ['ring'],
 *   schema: { labelColumns: [] }, imageDir: 'images', output: 'rings.csv',
 * });
 */
export async function combineCatalog(options: CombineCatalogOptions): Promise<CombinedCatalog> {
  const votes = typeof options.votes === 'string' ? await loadVotes(options.votes, options) : options.votes;
  const { byId, duplicates } = await imagesById(options.imageDir, options.extensions ?? ['png', 'jpg', 'jpeg'], options.recursive ?? false);
  const root = options.output === undefined ? undefined : dirname(resolve(options.output));
  const rows: CatalogRow[] = [];
  const missingImages: string[] = [];
  const used = new Set<string>();
  for (const row of votes) {
    const image = byId.get(row.id_str);
    if (image === undefined) {
      missingImages.push(row.id_str);
      continue;
    }
    used.add(row.id_str);
    rows.push({ ...row, file_loc: root === undefined ? image : relative(root, image) });
  }
  const unmatchedImages = [...byId].filter(([id]) => !used.has(id)).map(([, path]) => path).sort();
  if (options.output !== undefined && (options.write ?? true)) {
    await mkdir(dirname(resolve(options.output)), { recursive: true });
    await writeCatalogCsv(options.output, rows, options.schema);
  }
  return { rows, missingImages, unmatchedImages, duplicateImages: duplicates };
}
