/**
 * Rendering `zoobot-ts/plots` figures to files in Node, and the figures of the workflows.
 *
 * @module
 */
export { renderSvg, renderPng, writePlot, type WritePlotOptions, type WrittenPlot } from './render.js';
export {
  writePlots, writeDemoPlots, writeComparisonPlots, writeActiveLearningPlot, comparisonPlotSpecs, trainingPlotSpecs, galleryItems,
  type WrittenPlots, type ComparisonPlotInputs, type DemoPlotInputs, type GalleryInputs,
} from './figures.js';
export { readPredictionSummaries } from './predictionSummaries.js';
export { readHistoryFile } from './historyFile.js';
