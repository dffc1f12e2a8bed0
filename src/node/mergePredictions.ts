/**
 * Joining the prediction slices of a scaled-out `predict --num-shards K --shard-index I` run
 * (SLURM job array, Kubernetes indexed Job) into one table, refusing overlaps and gaps.
 *
 * @module node/mergePredictions
 */
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { ConfigError, DataError } from '../errors.js';
import { ID_COLUMN } from '../data/catalog/types.js';
import { AtomicFileWriter } from './atomicFile.js';

/** Options of {@link mergePredictions}. */
export interface MergePredictionsOptions {
  /**
   * The catalogue the slices were predicted from (a CSV with `id_str`): every galaxy must be in
   * exactly one slice, no other id may appear, and rows are written in catalogue order.
   */
  readonly catalog?: string;
  /** Number of slices the run was split into (`--num-shards`): that many files must be given. */
  readonly numShards?: number;
  /** Total number of galaxies the slices must hold together. */
  readonly expectedCount?: number;
}

/** What {@link mergePredictions} returns. */
export interface MergePredictionsResult {
  /** Galaxies written. */
  readonly galaxies: number;
  /** Galaxies per input file, in the order given. */
  readonly perFile: readonly number[];
  readonly out: string;
}

/** Streams the records of a CSV file (header first), with file/row in errors. */
async function* records(path: string): AsyncGenerator<string[]> {
  const file = createReadStream(path);
  const parser = parse({ bom: true, skip_empty_lines: true });
  file.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of file.pipe(parser)) yield record as string[];
  } catch (error) {
    if (error instanceof CsvError) throw new DataError(`malformed CSV: ${error.message}`, { file: path }, { cause: error });
    throw new DataError(`cannot read: ${(error as Error).message}`, { file: path }, { cause: error });
  } finally {
    file.destroy();
  }
}

/** Lines are written in chunks: one write per row would dominate on survey-sized tables. */
const CHUNK_LINES = 4096;

/** Buffers lines and writes them to `writer` a chunk at a time. */
function lineSink(writer: AtomicFileWriter): { add(line: string): Promise<void>; flush(): Promise<void> } {
  let lines: string[] = [];
  const flush = async (): Promise<void> => {
    if (lines.length > 0) await writer.write(`${lines.join('\n')}\n`);
    lines = [];
  };
  return { flush, async add(line) { lines.push(line); if (lines.length >= CHUNK_LINES) await flush(); } };
}

function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** The ids of a catalogue, in file order. */
async function catalogIds(path: string): Promise<string[]> {
  const ids: string[] = [];
  let column = -1;
  for await (const record of records(path)) {
    if (column < 0) {
      column = record.indexOf(ID_COLUMN);
      if (column < 0) throw new DataError('missing column', { file: path, row: 0, column: ID_COLUMN });
    } else {
      ids.push(record[column] ?? '');
    }
  }
  if (column < 0) throw new DataError('catalogue is empty (no header)', { file: path, row: 0 });
  return ids;
}

/**
 * Merges prediction slices (the predictions CSV layout, `id_str` first) into `out`, written
 * atomically. Refuses: differing headers, an id in two slices (or twice in one), and with
 * `catalog`, `numShards` or `expectedCount`, missing slices or galaxies. Rows come in catalogue
 * order when `catalog` is given, else slice after slice. All rows are held in memory when
 * reordering by catalogue; otherwise only the ids are.
 *
 * @param paths - The slice CSVs.
 * @param out - The merged CSV to write.
 * @param options - See {@link MergePredictionsOptions}.
 * @returns Counts of what was merged.
 * @throws `DataError` naming the files, row and id of an overlap or the first missing galaxy.
 * @example
 * ```ts
 * await mergePredictions(['slice-0.csv', 'slice-1.csv'], 'predictions.csv', { catalog: 'catalog.csv' });
 * ```
 */
export async function mergePredictions(paths: readonly string[], out: string, options: MergePredictionsOptions = {}): Promise<MergePredictionsResult> {
  const { numShards, expectedCount, catalog } = options;
  if (paths.length === 0) throw new ConfigError('mergePredictions: no slice files given');
  if (numShards !== undefined && paths.length !== numShards) {
    throw new DataError(`expected ${numShards} slices but got ${paths.length} files: ${paths.join(', ')}`);
  }
  const order = catalog === undefined ? undefined : await catalogIds(catalog);
  const seen = new Map<string, { file: string; row: number }>();
  const rows = new Map<string, string>();
  const perFile: number[] = [];
  let header: string | undefined;
  const writer = order === undefined ? await AtomicFileWriter.create(out) : undefined;
  const sink = writer === undefined ? undefined : lineSink(writer);
  try {
    for (const path of paths) {
      let row = 0;
      for await (const record of records(path)) {
        const line = csvLine(record);
        if (row === 0) {
          if (record[0] !== ID_COLUMN) throw new DataError(`the first column must be ${ID_COLUMN}, got "${record[0] ?? ''}"`, { file: path, row: 0 });
          if (header === undefined) { header = line; await sink?.add(line); }
          else if (line !== header) throw new DataError(`header differs from ${paths[0] ?? ''}'s`, { file: path, row: 0 });
        } else {
          const id = record[0] ?? '';
          const first = seen.get(id);
          if (first !== undefined) throw new DataError(`id "${id}" is also in ${first.file} (row ${first.row}): the slices overlap`, { file: path, row });
          seen.set(id, { file: path, row });
          if (sink !== undefined) await sink.add(line);
          else rows.set(id, line);
        }
        row += 1;
      }
      if (row === 0) throw new DataError('empty file (no header)', { file: path });
      perFile.push(row - 1);
    }
    if (expectedCount !== undefined && seen.size !== expectedCount) {
      throw new DataError(`the slices hold ${seen.size} galaxies but ${expectedCount} were expected: slices are missing or incomplete`);
    }
    if (order !== undefined && catalog !== undefined) await writeInOrder(out, header ?? '', order, rows, catalog);
    else { await sink?.flush(); await writer?.commit(); }
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  return { galaxies: seen.size, perFile, out };
}

async function writeInOrder(out: string, header: string, order: readonly string[], rows: Map<string, string>, catalog: string): Promise<void> {
  const missing = order.filter((id) => !rows.has(id));
  if (missing.length > 0) {
    throw new DataError(`${missing.length} galaxies of the catalogue are in no slice (first: "${missing[0] ?? ''}"): a slice is missing or incomplete`, { file: catalog });
  }
  const inCatalog = new Set(order);
  if (rows.size !== inCatalog.size) {
    const extra = [...rows.keys()].find((id) => !inCatalog.has(id)) ?? '';
    throw new DataError(`the slices hold id "${extra}", which is not in the catalogue`, { file: catalog });
  }
  const writer = await AtomicFileWriter.create(out);
  try {
    const sink = lineSink(writer);
    await sink.add(header);
    for (const id of inCatalog) await sink.add(rows.get(id) ?? '');
    await sink.flush();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
