// Figures written to disk: valid SVG and PNG files, atomically, with the workflows' sets of figures.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/decisionTree/index.js';
import { comparePredictions } from '../../src/node/workflows/compare.js';
import { encodeGreyscalePng } from '../../src/node/writeSynthetic.js';
import { writeComparisonPlots, writeDemoPlots, writePlot } from '../../src/node/plots/index.js';
import { confusionMatrixSpec } from '../../src/plots/index.js';
import { marks, parseXml } from './svg.js';

const hasSharp = (() => {
  try { createRequire(import.meta.url).resolve('sharp'); return true; } catch { return false; }
})();
const work = mkdtempSync(join(tmpdir(), 'zoobot-plots-'));

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngHeader(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const metrics = {
  question: 'shape', answers: ['round', 'edgy'], galaxies: 10, accuracy: 0.7, confusion: [[4, 1], [2, 3]], precision: [], recall: [],
};

describe('writePlot', () => {
  it('should write a well-formed SVG and nothing else when PNG is off', async () => {
    const dir = join(work, 'svg-only');
    const written = await writePlot(confusionMatrixSpec(metrics), join(dir, 'confusion'), { png: false });
    expect(written).toEqual({ svg: join(dir, 'confusion.svg') });
    expect(readdirSync(dir)).toEqual(['confusion.svg']); // no temporary file left behind
    const svg = parseXml(readFileSync(written.svg, 'utf8'));
    expect(svg.name).toBe('svg');
    expect(marks(svg, 'rect mark')).toHaveLength(4);
  });

  it.skipIf(!hasSharp)('should write a PNG of the SVG at twice its size that pngjs decodes', async () => {
    const dir = join(work, 'png');
    const written = await writePlot(confusionMatrixSpec(metrics), join(dir, 'confusion'));
    expect(written.png).toBe(join(dir, 'confusion.png'));
    expect(readdirSync(dir).sort()).toEqual(['confusion.png', 'confusion.svg']);
    const svg = parseXml(readFileSync(written.svg, 'utf8'));
    const bytes = readFileSync(written.png!);
    const { width, height } = pngHeader(bytes);
    expect(width).toBe(2 * Number(svg.attributes.width));
    expect(height).toBe(2 * Number(svg.attributes.height));
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([width, height]);
    // Not blank: the dark cells and text are there.
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) if ((png.data[i] ?? 255) < 128) dark += 1;
    expect(dark).toBeGreaterThan(100);
  });
});

describe('workflow figures', () => {
  const schema = defineSchema({ shape: ['_round', '_edgy'], arms: ['_two', '_many'] }, { shape: null, arms: 'shape_edgy' }, { name: 'tiny' });
  const dir = join(work, 'demo');
  mkdirSync(join(dir, 'images'), { recursive: true });
  const rows = Array.from({ length: 6 }, (_, g) => ({
    id_str: `g${g}`, file_loc: `images/g${g}.png`,
    counts: [2 + 4 * g, 23 - 4 * g, g, 3],
  }));
  const predictions = new Map(rows.map((r, g) => [r.id_str, [0.3 + 0.1 * g, 0.7 - 0.1 * g, 0.5, 0.5]]));
  const images = rows.map((r, g) => {
    const png = encodeGreyscalePng(new Float32Array(16 * 16).fill(g / 6), 16);
    writeFileSync(join(dir, r.file_loc), png);
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  });
  const predictionsPath = join(dir, 'predictions.csv');
  writeFileSync(predictionsPath, [
    'id_str,shape_round_fraction,shape_round_std,shape_edgy_fraction,shape_edgy_std,arms_two_fraction,arms_two_std,arms_many_fraction,arms_many_std',
    ...rows.map((r) => [r.id_str, ...predictions.get(r.id_str)!.flatMap((f) => [f, 0.05])].join(',')),
  ].join('\n'));
  const report = comparePredictions(predictions, rows, schema, { minVotes: 20 });
  const history = [0, 1, 2].map((epoch) => ({ epoch, loss: 5 - epoch, validationLoss: 6 - epoch, questionLosses: { shape: 3 - epoch, arms: 2 }, validationQuestionLosses: { shape: 4 - epoch, arms: 2 } }));

  it('should write the demo figures into outDir/plots', async () => {
    const written = await writeDemoPlots({ outDir: dir, schema, history, report, predictions, rows, imageRoot: dir, predictionsPath, count: 4 }, { png: false });
    expect(written.dir).toBe(join(dir, 'plots'));
    // Confident (> 0.8) galaxies exist for shape (g0: 23/25, g5: 22/25) and arms (g0: 3/3); only shape has >= 20 votes.
    expect(written.files.map((f) => basename(f)).sort()).toEqual([
      'confusion-arms.svg', 'confusion-shape.svg', 'fractions-shape.svg', 'gallery.svg', 'loss-by-question.svg', 'loss.svg', 'reliability.svg',
    ]);
    for (const file of written.files) expect(parseXml(readFileSync(file, 'utf8')).name).toBe('svg');
    // The gallery shows the first four galaxies' own image files.
    const gallery = parseXml(readFileSync(join(dir, 'plots', 'gallery.svg'), 'utf8'));
    expect(marks(gallery, 'image mark').map((m) => m.attributes['xlink:href'])).toEqual(images.slice(0, 4));
    expect(marks(gallery, 'bar')).toHaveLength(4 * 2);
    // Every galaxy has 25 votes on shape: six galaxies, two answers each.
    const scatter = parseXml(readFileSync(join(dir, 'plots', 'fractions-shape.svg'), 'utf8'));
    expect(marks(scatter, 'point')).toHaveLength(6 * 2);
  });

  it.skipIf(!hasSharp)('should write PNGs beside the comparison SVGs', async () => {
    const written = await writeComparisonPlots(join(work, 'compare'), { schema, predictions, rows, report, minVotes: 20 });
    expect(written.notes).toEqual([]);
    const names = written.files.map((f) => basename(f)).sort();
    expect(names).toEqual(['confusion-arms.png', 'confusion-arms.svg', 'confusion-shape.png', 'confusion-shape.svg', 'fractions-shape.png', 'fractions-shape.svg', 'reliability.png', 'reliability.svg']);
    for (const file of written.files.filter((f) => f.endsWith('.png'))) expect(pngHeader(readFileSync(file)).width).toBeGreaterThan(0);
  });
});
