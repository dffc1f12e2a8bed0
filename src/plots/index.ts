/**
 * Figures as Vega-Lite specifications, built from the library's own results: loss curves from
 * the training history, confusion matrices, reliability diagrams, predicted against volunteer
 * vote fractions, the active-learning curve, and a gallery of galaxies with their predicted
 * answers. Pure functions with no Node dependency: render the specs with vega-embed in a
 * browser, or to SVG/PNG files with `writePlot` from `zoobot-ts/node`.
 *
 * @module plots
 */
export { VEGA_LITE_SCHEMA, type PlotSpec } from './spec.js';
export { lossCurvesSpec, questionLossCurvesSpec, lossPoints, type LossRecord, type LossPoint } from './lossCurves.js';
export { confusionMatrixSpec, confusionCells, type ConfusionCell } from './confusionMatrix.js';
export { reliabilityDiagramSpec, reliabilityPoints, fractionReliability, type ReliabilityPoint } from './reliabilityDiagram.js';
export { voteFractionScatterSpec, fractionPoints, type FractionPoint, type VoteFractionScatterOptions } from './voteFractionScatter.js';
export { activeLearningCurveSpec, activeLearningCurvePoints, type ActiveLearningRun, type CurvePoint } from './activeLearningCurve.js';
export { gallerySpec, galleryBars, type GalleryItem, type GalleryOptions, type GalleryBar } from './gallery.js';
