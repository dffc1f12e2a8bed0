/**
 * What every figure builder returns, and the settings they share.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite v6 specification: render it with vega-embed in a browser, or `renderSvg` from `zoobot-ts/node`. */
export type PlotSpec = TopLevelSpec;

/** The Vega-Lite JSON schema the builders write into `$schema`. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** White background so PNGs are not transparent; a plain font that headless renderers have. */
export const PLOT_CONFIG = { background: 'white', config: { font: 'sans-serif' } } as const;

/** Formats a number for a title or label; NaN as "n/a". */
export function formatNumber(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
