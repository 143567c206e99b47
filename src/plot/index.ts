/**
 * Pictures without a dependency: `scatterPlot` (word maps, maps of codes)
 * and `lossPlot` (loss per epoch) lay out a Figure, which writes itself as
 * SVG (`toSvg`), as PNG with a built-in bitmap font (`toPng`), or to a file
 * chosen by extension (`save`).
 */
export { scatterPlot } from './scatter.js';
export type { ScatterOptions } from './scatter.js';
export { lossPlot } from './line.js';
export type { LossCurves, LossPlotOptions } from './line.js';
export { Figure } from './figure.js';
export type { Shape } from './figure.js';
