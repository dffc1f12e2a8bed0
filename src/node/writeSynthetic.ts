/**
 * Writes the synthetic data set to disk as a ready combined catalogue: PNG images, a
 * catalogue of vote counts and a separate table of the ground truth.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { decalsDr5Schema } from '../decisionTree/index.js';
import { ConfigError } from '../errors.js';
import { AtomicFileWriter, writeFileAtomic } from './atomicFile.js';
import { writeCatalogShards } from './catalogShards.js';
import type { CatalogRow } from '../data/catalog/types.js';
import { generateSyntheticGalaxies, type SyntheticGalaxy, type SyntheticOptions } from '../data/synthetic/index.js';

/** Options of {@link writeSyntheticDataset}: where to write, plus everything {@link generateSyntheticGalaxies} takes. */
export interface WriteSyntheticOptions extends SyntheticOptions {
  /** Output folder (created if missing). */
  readonly outDir: string;
  /**
   * Also write TFRecord shards of the set to `outDir/shards` (split train/val/test 7:2:1 by
   * `seed`, or by the given fractions), replacing shards already there.
   */
  readonly shards?: boolean | { readonly shardSize?: number; readonly fractions?: readonly number[] };
}

/** What {@link writeSyntheticDataset} wrote. */
export interface WriteSyntheticSummary {
  /** Absolute output folder. */
  readonly outDir: string;
  /** `outDir/catalog.csv`: `id_str,file_loc,<one vote-count column per label column>`. */
  readonly catalogPath: string;
  /** `outDir/truth.csv`: `id_str`, volunteers, the main parameters and `<column>_true_p` per label column. */
  readonly truthPath: string;
  /** `outDir/images`, holding `<id_str>.png`. */
  readonly imageDir: string;
  readonly count: number;
  readonly size: number;
  readonly seed: number;
  /** Name of the schema the volunteers answered. */
  readonly schema: string;
  /** The vote-count columns of the catalogue, in order. */
  readonly labelColumns: readonly string[];
  /** `outDir/shards`, when shards were asked for. */
  readonly shardDir?: string;
}

/** Parameter columns of truth.csv, in order, with how to read each from a galaxy. */
const TRUTH_PARAMETERS: ReadonlyArray<readonly [string, (g: SyntheticGalaxy) => string | number]> = [
  ['volunteers', (g) => g.volunteers],
  ['morphology', (g) => g.params.morphology],
  ['flux', (g) => g.params.flux],
  ['bulge_fraction', (g) => g.params.bulgeFraction],
  ['sersic_index', (g) => g.params.sersicIndex],
  ['inclination_deg', (g) => (g.params.inclination * 180) / Math.PI],
  ['bar_strength', (g) => g.params.barStrength],
  ['arm_count', (g) => g.params.armCount],
  ['arm_amplitude', (g) => g.params.armAmplitude],
  ['pitch_angle_deg', (g) => (g.params.pitchAngle * 180) / Math.PI],
  ['disturbance', (g) => g.params.disturbance],
  ['artifact', (g) => g.params.artifact.kind],
];

/** Rows buffered before each write to the CSV files. */
const ROWS_PER_WRITE = 256;

/**
 * Generates synthetic galaxies and writes them as a combined catalogue:
 *
 * - `outDir/images/<id_str>.png`: 8-bit greyscale PNG, value `round(255 * pixel)`;
 * - `outDir/catalog.csv`: `id_str`, `file_loc` (relative to the catalogue, `images/<id_str>.png`)
 *   and one vote-count column per label column of the schema, nothing else, so any catalogue
 *   loader can take it as it is;
 * - `outDir/truth.csv`: `id_str`, the volunteer count and main parameters, and
 *   `<column>_true_p`, the true probability behind each vote-count column (kept apart so
 *   that no loader mistakes it for a label).
 *
 * - `outDir/shards` (with the `shards` option): TFRecord shards and `manifest.json` of the
 *   same galaxies, split train/val/test.
 *
 * Every file is written under a temporary name (see `AtomicFileWriter`) and renamed when
 * complete, and the catalogues last, so an interrupted run leaves no file that looks valid.
 *
 * @param options - output folder plus count, size, seed, schema and volunteers.
 * @returns a {@link WriteSyntheticSummary}.
 * @throws `ConfigError` for a bad option (see {@link generateSyntheticGalaxies}).
 * @example
 * ```ts
 * const summary = await writeSyntheticDataset({ outDir: 'data/synthetic', count: 2000, size: 64, seed: 1 });
 * console.log(summary.catalogPath);
 * ```
 */
export async function writeSyntheticDataset(options: WriteSyntheticOptions): Promise<WriteSyntheticSummary> {
  if (typeof options.outDir !== 'string' || options.outDir.length === 0) {
    throw new ConfigError('writeSyntheticDataset: outDir must be a non-empty path');
  }
  const outDir = resolve(options.outDir);
  const imageDir = join(outDir, 'images');
  const schema = options.schema ?? decalsDr5Schema;
  const size = options.size ?? 64;
  const seed = options.seed ?? 0;
  const galaxies = generateSyntheticGalaxies({ ...options, schema, size, seed });
  await mkdir(imageDir, { recursive: true });

  const catalogPath = join(outDir, 'catalog.csv');
  const truthPath = join(outDir, 'truth.csv');
  const shardDir = join(outDir, 'shards');
  const catalog = await AtomicFileWriter.create(catalogPath);
  const truth = await AtomicFileWriter.create(truthPath);
  try {
    await catalog.write(csvRow(['id_str', 'file_loc', ...schema.labelColumns]));
    await truth.write(csvRow(['id_str', ...TRUTH_PARAMETERS.map(([name]) => name), ...schema.labelColumns.map((c) => `${c}_true_p`)]));
    let catalogRows = '';
    let truthRows = '';
    let pending = 0;
    // Kept only when shards are asked for: ids, paths and counts, not pixels.
    const rows: CatalogRow[] = [];
    for (const galaxy of galaxies) {
      const fileName = `${galaxy.id}.png`;
      await writeFileAtomic(join(imageDir, fileName), encodeGreyscalePng(galaxy.image, size));
      catalogRows += csvRow([galaxy.id, `images/${fileName}`, ...galaxy.counts]);
      if (options.shards) rows.push({ id_str: galaxy.id, file_loc: `images/${fileName}`, counts: Array.from(galaxy.counts) });
      truthRows += csvRow([galaxy.id, ...TRUTH_PARAMETERS.map(([, read]) => read(galaxy)), ...galaxy.trueProbabilities]);
      pending += 1;
      if (pending === ROWS_PER_WRITE) {
        await catalog.write(catalogRows);
        await truth.write(truthRows);
        catalogRows = '';
        truthRows = '';
        pending = 0;
      }
    }
    await catalog.write(catalogRows);
    await truth.write(truthRows);
    await truth.commit();
    await catalog.commit();
    if (options.shards) {
      // The shards hold exactly the PNGs' pixels: decoded back, not resized.
      const { shardSize, fractions } = options.shards === true ? {} : options.shards;
      await writeCatalogShards({
        rows, imageRoot: outDir, schema, outDir: shardDir, size, resize: false, seed, mode: 'overwrite',
        ...(shardSize !== undefined ? { shardSize } : {}), ...(fractions !== undefined ? { fractions } : {}),
      });
    }
  } catch (error) {
    await catalog.abort();
    await truth.abort();
    throw error;
  }
  return {
    outDir, catalogPath, truthPath, imageDir, count: options.count, size, seed,
    schema: schema.name, labelColumns: schema.labelColumns, ...(options.shards ? { shardDir } : {}),
  };
}

/**
 * Encodes `size * size` values in [0, 1] as an 8-bit greyscale PNG (`round(255 * v)`).
 *
 * @param image - row-major pixel values; values outside [0, 1] are clamped.
 * @param size - image side.
 * @returns the PNG file's bytes.
 */
export function encodeGreyscalePng(image: ArrayLike<number>, size: number): Buffer {
  if (image.length !== size * size) {
    throw new ConfigError(`encodeGreyscalePng: expected ${size * size} pixels for a ${size}x${size} image, got ${image.length}`);
  }
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const bytes = Buffer.alloc(size * size);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.round(255 * Math.min(1, Math.max(0, image[i] ?? 0)));
  png.data = bytes;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

/** One CSV line; fields with a comma, quote or line break are quoted (RFC 4180). */
function csvRow(fields: ReadonlyArray<string | number>): string {
  return `${fields.map((f) => {
    const text = String(f);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',')}\n`;
}
