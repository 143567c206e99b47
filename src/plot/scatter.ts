/**
 * Labelled 2-D scatter plots: word maps and maps of autoencoder codes. Both
 * axes share one scale (a map's distances mean something), points can be
 * coloured by class with a legend, and labels are placed so they do not
 * overlap (labels.ts), beside their points or joined to them by a leader line;
 * the ones that find no room are dropped and counted in a note on the picture.
 */
import { Matrix } from '../tensor.js';
import { checkOptions } from '../options.js';
import { drawAxes, extent, inUnitsOf, linearAxis, place, type Frame } from './axes.js';
import { Figure, type Shape } from './figure.js';
import { textWidth } from './font.js';
import { placeLabels } from './labels.js';
import { checkSize, checkText, INK, MARGIN, PALETTE } from './style.js';

/** Options of scatterPlot. */
export interface ScatterOptions {
  /** Text beside each point (one per point). Earlier points get room first: put the important ones first. */
  labels?: readonly string[];
  /** A class per point (numbers or names): points take the class's colour and a legend names the classes. */
  classes?: ArrayLike<number | string>;
  /** What the legend calls each class, one name per distinct class in legend order (numbers numerically, e.g. 0–9 for MNIST). Default: the class itself. */
  classNames?: readonly string[];
  /** Title above the plot. */
  title?: string;
  /** Axis titles. Default 'x' and 'y'. */
  xTitle?: string;
  /** The y axis title (see xTitle). */
  yTitle?: string;
  /** Picture size in pixels. Default 900 × 700. */
  width?: number;
  /** Picture height in pixels (see width). */
  height?: number;
}

const KEYS = ['labels', 'classes', 'classNames', 'title', 'xTitle', 'yTitle', 'width', 'height'] as const;
const RADIUS = 3;
// Coordinates beyond this are laid out in units of a power of ten: far below Number.MAX_VALUE (1.8e308), far above real data.
const HUGE = 1e300;
const LEGEND_ROW = 14;
// Leader lines in grey: visible, but fainter than the points and text they join.
const LEADER = '#999999';

function coordinates(fn: string, points: Matrix | ArrayLike<number>[]): { xs: Float64Array; ys: Float64Array } {
  let get: (i: number, axis: number) => unknown;
  let n: number;
  if (points instanceof Matrix) {
    if (points.cols !== 2) throw new RangeError(`${fn}: points must have 2 columns (x, y), got ${points.cols}`);
    [n, get] = [points.rows, (i, a) => points.data[i * 2 + a]];
  } else if (Array.isArray(points)) {
    points.forEach((p, i) => {
      if (p === null || typeof p !== 'object' || p.length !== 2) throw new TypeError(`${fn}: points[${i}] must be an [x, y] pair`);
    });
    [n, get] = [points.length, (i, a) => points[i]![a]];
  } else {
    throw new TypeError(`${fn}: points must be a Matrix (n, 2) or an array of [x, y] pairs`);
  }
  if (n < 1) throw new RangeError(`${fn}: points must hold at least one point`);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [x, y] = [get(i, 0), get(i, 1)];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(`${fn}: point ${i} has a non-finite or non-numeric coordinate (${String(x)}, ${String(y)})`);
    }
    [xs[i], ys[i]] = [x, y];
  }
  return { xs, ys };
}

function perPoint<T>(fn: string, name: string, values: ArrayLike<T> | undefined, n: number, ok: (v: T) => boolean, kind: string): T[] | null {
  if (values === undefined) return null;
  if (typeof values !== 'object' || values === null || values.length !== n) {
    throw new RangeError(`${fn}: options.${name} must have one entry per point (${n})`);
  }
  const out = Array.from(values);
  const bad = out.findIndex((v) => !ok(v));
  if (bad >= 0) throw new TypeError(`${fn}: options.${name}[${bad}] must be ${kind}, got ${String(out[bad])}`);
  return out;
}

// Widens the smaller of the two ranges so one data unit is as many pixels across as up.
function equalAspect(xs: Float64Array, ys: Float64Array, frame: Frame): { x: [number, number]; y: [number, number] } {
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  // 5% of room on every side keeps points off the frame; a single point or line gets a unit span.
  const span = Math.max(x1 - x0, y1 - y0) || Math.max(Math.abs(x0), Math.abs(y0), 1);
  const perPixel = Math.max((x1 - x0 + 0.1 * span) / frame.width, (y1 - y0 + 0.1 * span) / frame.height);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const [hw, hh] = [(perPixel * frame.width) / 2, (perPixel * frame.height) / 2];
  return { x: [cx - hw, cx + hw], y: [cy - hh, cy + hh] };
}

/**
 * Lays out a 2-D scatter plot of `points` (a Matrix (n, 2) or [x, y] pairs)
 * with optional labels and class colours.
 *
 * @returns The picture: `.toSvg()`, `.toPng()`, `.save(path)`, and `.notes`
 *   saying which labels were left out for lack of room.
 * @example
 * const map = scatterPlot(coords, { labels: words, title: 'word map' });
 * await map.save('map.svg');
 */
export function scatterPlot(points: Matrix | ArrayLike<number>[], options: ScatterOptions = {}): Figure {
  const fn = 'scatterPlot';
  checkOptions(fn, 'options', options, KEYS);
  const { xs, ys } = coordinates(fn, points);
  const n = xs.length;
  const labels = perPoint(fn, 'labels', options.labels, n, (v) => typeof v === 'string', 'a string');
  const classes = perPoint(fn, 'classes', options.classes, n, (v) => typeof v === 'string' || Number.isFinite(v), 'a finite number or a string');
  const width = checkSize(fn, 'options.width', options.width, 900);
  const height = checkSize(fn, 'options.height', options.height, 700);
  const title = checkText(fn, 'options.title', options.title, '');

  // Classes in order (numbers numerically), each with its colour; the legend sits right of the plot.
  const names =
    classes === null ? [] : [...new Set(classes)].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  const colour = new Map(names.map((c, i) => [c, PALETTE[i % PALETTE.length]!]));
  const shownNames = legendNames(fn, options.classNames, names);
  const legendWidth = names.length === 0 ? 0 : 28 + shownNames.reduce<number>((w, c) => Math.max(w, textWidth(c)), 0);
  const frame: Frame = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right - legendWidth,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  if (frame.width < 100) throw new RangeError(`${fn}: options.width ${width} leaves no room beside the legend of ${names.length} classes`);
  // Ranges of coordinates near ±Number.MAX_VALUE (and their margins) overflow
  // to Infinity: such points are laid out in units of 10^power instead.
  const reach = Math.max(...[...extent(xs), ...extent(ys)].map(Math.abs));
  const power = reach > HUGE ? Math.floor(Math.log10(reach)) : 0;
  const [ux, uy] = power === 0 ? [xs, ys] : [xs.map((v) => v / 10 ** power), ys.map((v) => v / 10 ** power)];
  const range = equalAspect(ux, uy, frame);
  const x = inUnitsOf(linearAxis(range.x[0], range.x[1]), power);
  const y = inUnitsOf(linearAxis(range.y[0], range.y[1]), power);
  const px = ux.map((v) => place(x, v, frame.left, frame.left + frame.width));
  const py = uy.map((v) => place(y, v, frame.top + frame.height, frame.top));

  const shapes: Shape[] = drawAxes(frame, x, y, {
    x: checkText(fn, 'options.xTitle', options.xTitle, 'x'),
    y: checkText(fn, 'options.yTitle', options.yTitle, 'y'),
  });
  if (title) shapes.push({ kind: 'text', x: width / 2, y: 18, text: title, color: INK, anchor: 'middle' });
  for (let i = 0; i < n; i++) shapes.push({ kind: 'circle', cx: px[i]!, cy: py[i]!, r: RADIUS, fill: classes ? colour.get(classes[i]!)! : PALETTE[0]! });
  const notes: string[] = [];
  if (labels !== null) {
    const spots = placeLabels(labels, px, py, RADIUS, frame);
    for (const at of spots) {
      if (at?.leader) shapes.push({ kind: 'line', x1: at.leader[0], y1: at.leader[1], x2: at.leader[2], y2: at.leader[3], color: LEADER });
    }
    spots.forEach((at, i) => {
      if (at !== null) shapes.push({ kind: 'text', x: at.x, y: at.y, text: labels[i]!, color: INK, anchor: 'start', halo: true });
    });
    const dropped = spots.filter((at) => at === null).length;
    if (dropped > 0) notes.push(`${dropped} of ${n} labels not shown: no free spot near their points without overlapping others`);
  }
  shapes.push(...legend(names, shownNames, colour, frame, notes));
  notes.forEach((note, i) => shapes.push({ kind: 'text', x: 8, y: height - 8 - 13 * (notes.length - 1 - i), text: note, color: INK, anchor: 'start' }));
  return new Figure(width, height, shapes, notes);
}

// The legend's text for each class: options.classNames when given (one per class present), else the class itself.
function legendNames(fn: string, given: readonly string[] | undefined, names: (number | string)[]): string[] {
  if (given === undefined) return names.map(String);
  if (!Array.isArray(given) || given.some((v) => typeof v !== 'string')) throw new TypeError(`${fn}: options.classNames must be an array of strings`);
  if (given.length !== names.length) {
    throw new RangeError(`${fn}: options.classNames has ${given.length} names for the ${names.length} classes present`);
  }
  return [...given];
}

// One row per class right of the frame, as many as fit; the rest are counted in a last row.
function legend(names: (number | string)[], shownNames: string[], colour: Map<number | string, string>, frame: Frame, notes: string[]): Shape[] {
  const shapes: Shape[] = [];
  const left = frame.left + frame.width + 14;
  const rows = Math.floor(frame.height / LEGEND_ROW);
  const shown = names.length > rows ? rows - 1 : names.length;
  names.slice(0, shown).forEach((name, i) => {
    const y = frame.top + 6 + i * LEGEND_ROW;
    shapes.push({ kind: 'circle', cx: left, cy: y, r: 4, fill: colour.get(name)! });
    shapes.push({ kind: 'text', x: left + 9, y: y + 3.5, text: shownNames[i]!, color: INK, anchor: 'start' });
  });
  if (shown < names.length) {
    shapes.push({ kind: 'text', x: left - 4, y: frame.top + 6 + shown * LEGEND_ROW + 3.5, text: `+${names.length - shown} more`, color: INK, anchor: 'start' });
    notes.push(`the legend names ${shown} of ${names.length} classes; colours repeat every ${PALETTE.length}`);
  }
  return shapes;
}
