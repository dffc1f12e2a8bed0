/**
 * Headless rendering of Vega-Lite specs: SVG through vega's `View` (no canvas needed), PNG
 * through sharp (libvips) when that optional dependency is installed.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PlotSpec } from '../../plots/spec.js';
import { writeFileAtomic } from '../atomicFile.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
type Sharp = typeof import('sharp');

// Specifiers in variables: the CommonJS build then keeps a real import() of these ES modules
// (and bundlers leave the optional sharp alone).
const VEGA = 'vega';
const VEGA_LITE = 'vega-lite';
const SHARP = 'sharp';

let vegaModules: Promise<{ vega: Vega; vegaLite: VegaLite }> | undefined;
let sharpModule: Promise<Sharp | string> | undefined;

function loadVega(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  vegaModules ??= Promise.all([import(VEGA) as Promise<Vega>, import(VEGA_LITE) as Promise<VegaLite>])
    .then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return vegaModules;
}

/** sharp, or why it cannot be used. */
function loadSharp(): Promise<Sharp | string> {
  sharpModule ??= (import(SHARP) as Promise<Sharp & { default?: Sharp }>)
    .then((module) => module.default ?? module)
    .catch((error: unknown) => `sharp is not available (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); install it for PNG figures`);
  return sharpModule;
}

/**
 * Renders a Vega-Lite spec to an SVG document, headless.
 *
 * @param spec - a spec from `zoobot-ts/plots` (or any Vega-Lite v6 spec with inline data).
 * @returns the SVG text.
 * @example
 * ```ts
 * const svg = await renderSvg(lossCurvesSpec(result.history));
 * ```
 */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG document to PNG with sharp.
 *
 * @param svg - the SVG text (e.g. from {@link renderSvg}).
 * @param scale - pixels per SVG unit. @defaultValue 2
 * @returns the PNG bytes, or a sentence saying why there are none (sharp is not installed).
 */
export async function renderPng(svg: string, scale = 2): Promise<Uint8Array | string> {
  const sharp = await loadSharp();
  if (typeof sharp === 'string') return sharp;
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/** Options of {@link writePlot}. */
export interface WritePlotOptions {
  /** Also write a PNG when sharp is installed. @defaultValue true */
  readonly png?: boolean;
  /** PNG pixels per SVG unit. @defaultValue 2 */
  readonly scale?: number;
}

/** The files {@link writePlot} wrote. */
export interface WrittenPlot {
  readonly svg: string;
  /** The PNG, when one was written. */
  readonly png?: string;
  /** Why no PNG was written although one was asked for. */
  readonly pngSkipped?: string;
}

/**
 * Renders a spec and writes `<path>.svg` and, when sharp is installed, `<path>.png`, each
 * atomically; the folder is created.
 *
 * @param spec - the figure.
 * @param path - the file name without extension.
 * @returns the paths written, and why the PNG is missing if it is.
 * @example
 * ```ts
 * const { svg, png } = await writePlot(confusionMatrixSpec(metrics[0]), 'out/plots/confusion-smooth-or-featured');
 * ```
 */
export async function writePlot(spec: PlotSpec, path: string, options: WritePlotOptions = {}): Promise<WrittenPlot> {
  const { png = true, scale = 2 } = options;
  await mkdir(dirname(path), { recursive: true });
  const svg = await renderSvg(spec);
  await writeFileAtomic(`${path}.svg`, svg);
  if (!png) return { svg: `${path}.svg` };
  const bytes = await renderPng(svg, scale);
  if (typeof bytes === 'string') return { svg: `${path}.svg`, pngSkipped: bytes };
  await writeFileAtomic(`${path}.png`, bytes);
  return { svg: `${path}.svg`, png: `${path}.png` };
}
