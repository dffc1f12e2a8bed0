import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticGalaxies, type SyntheticGalaxy } from '../../src/data/synthetic/generate.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { ConfigError } from '../../src/errors.js';
import { encodeGreyscalePng, writeSyntheticDataset, type WriteSyntheticSummary } from '../../src/node/writeSynthetic.js';

const OPTIONS = { count: 12, size: 32, seed: 7 } as const;

describe('writeSyntheticDataset', () => {
  let dir: string;
  let summary: WriteSyntheticSummary;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zoobot-synthetic-'));
    summary = await writeSyntheticDataset({ ...OPTIONS, outDir: join(dir, 'out') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const galaxies = (): SyntheticGalaxy[] => [...generateSyntheticGalaxies(OPTIONS)];

  it('should write a combined catalogue: id_str, file_loc relative to it, one count column per answer', async () => {
    const rows = parse(await readFile(summary.catalogPath), { columns: true }) as Record<string, string>[];
    const header = (await readFile(summary.catalogPath, 'utf8')).split('\n')[0];
    expect(header).toBe(['id_str', 'file_loc', ...decalsDr5Schema.labelColumns].join(','));
    const expected = galaxies();
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, i) => {
      const g = expected[i]!;
      expect(row.id_str).toBe(g.id);
      expect(row.file_loc).toBe(`images/${g.id}.png`);
      decalsDr5Schema.labelColumns.forEach((c, k) => expect(Number(row[c])).toBe(g.counts[k]));
    });
  });

  it('should write PNGs that read back as the 8-bit quantised images', async () => {
    const expected = galaxies();
    for (const g of expected) {
      const png = PNG.sync.read(await readFile(join(summary.outDir, 'images', `${g.id}.png`)));
      expect([png.width, png.height]).toEqual([OPTIONS.size, OPTIONS.size]);
      // pngjs expands greyscale to RGBA on reading: every channel holds the grey level.
      const want = Array.from(g.image, (v) => Math.round(255 * v));
      for (let channel = 0; channel < 3; channel += 1) {
        expect(Array.from(g.image, (_, i) => png.data[4 * i + channel])).toEqual(want);
      }
      expect(Array.from(g.image, (_, i) => png.data[4 * i + 3]).every((a) => a === 255)).toBe(true);
    }
  });

  it('should keep the true probabilities and parameters in truth.csv, exactly', async () => {
    const rows = parse(await readFile(summary.truthPath), { columns: true }) as Record<string, string>[];
    const expected = galaxies();
    rows.forEach((row, i) => {
      const g = expected[i]!;
      expect(row.id_str).toBe(g.id);
      expect(Number(row.volunteers)).toBe(g.volunteers);
      expect(row.morphology).toBe(g.params.morphology);
      decalsDr5Schema.labelColumns.forEach((c, k) => expect(Number(row[`${c}_true_p`])).toBe(g.trueProbabilities[k]));
    });
  });

  it('should leave no temporary files and report what it wrote', async () => {
    const names = [...await readdir(summary.outDir), ...await readdir(summary.imageDir)];
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.png')).length).toBe(OPTIONS.count);
    expect(summary).toMatchObject({ count: OPTIONS.count, size: OPTIONS.size, seed: OPTIONS.seed, schema: 'decals-dr5' });
    expect(summary.labelColumns).toEqual(decalsDr5Schema.labelColumns);
  });

  it('should write byte-identical files for the same seed', async () => {
    const again = await writeSyntheticDataset({ ...OPTIONS, outDir: join(dir, 'again') });
    expect(await readFile(again.catalogPath)).toEqual(await readFile(summary.catalogPath));
    expect(await readFile(again.truthPath)).toEqual(await readFile(summary.truthPath));
    const name = 'synthetic-000005.png';
    expect(await readFile(join(again.imageDir, name))).toEqual(await readFile(join(summary.imageDir, name)));
  });

  it('should leave no catalogue and no temporary file when a run fails half-way', async () => {
    const outDir = join(dir, 'broken');
    // A folder where the third image should go makes its rename fail mid-run.
    await mkdir(join(outDir, 'images', 'synthetic-000002.png'), { recursive: true });
    await expect(writeSyntheticDataset({ ...OPTIONS, outDir })).rejects.toThrow();
    expect((await readdir(outDir)).sort()).toEqual(['images']);
    const images = await readdir(join(outDir, 'images'));
    expect(images.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('should reject bad options without leaving files behind', async () => {
    const outDir = join(dir, 'bad');
    await expect(writeSyntheticDataset({ outDir, count: -3 })).rejects.toThrow(ConfigError);
    await expect(readdir(outDir)).rejects.toThrow();
    await expect(writeSyntheticDataset({ outDir: '', count: 1 })).rejects.toThrow(/outDir/);
  });
});

describe('encodeGreyscalePng', () => {
  it('should clamp to [0, 1], round to 8 bits and check the pixel count', () => {
    const png = PNG.sync.read(encodeGreyscalePng([-1, 0.5, 0.2, 2], 2));
    expect([png.data[0], png.data[4], png.data[8], png.data[12]]).toEqual([0, 128, 51, 255]);
    expect(() => encodeGreyscalePng([0, 0, 0], 2)).toThrow(ConfigError);
  });
});
