/**
 * Loss curves: training (and validation) loss per epoch, with ticks, a
 * legend above the plot (it never hides a curve) and an optional log scale
 * for losses that fall by orders of magnitude.
 */
import { checkOptions, positiveInt } from '../options.js';
import { drawAxes, extent, linearAxis, logAxis, place, type Frame } from './axes.js';
import { Figure, type Shape } from './figure.js';
import { textWidth } from './font.js';
import { checkSize, checkText, INK, MARGIN, PALETTE } from './style.js';

/** The curves to draw; an MLP's or autoencoder's fit History fits as it is. */
export interface LossCurves {
  /** Training loss per epoch. */
  loss: ArrayLike<number>;
  /** Validation loss per epoch, when there is validation data. */
  valLoss?: ArrayLike<number>;
}

/** Options of lossPlot. */
export interface LossPlotOptions {
  /** Log-10 loss axis. Default false. */
  log?: boolean;
  /** The epoch of the first value (a resumed run starts later). Default 1. */
  firstEpoch?: number;
  /** Title above the plot. */
  title?: string;
  /** Loss axis title. Default 'loss'. */
  yTitle?: string;
  /** Legend name of `valLoss`, e.g. 'test' when it is measured on test data. Default 'validation'. */
  valName?: string;
  /** Picture size in pixels. Default 720 × 440. */
  width?: number;
  /** Picture height in pixels (see width). */
  height?: number;
}

const KEYS = ['log', 'firstEpoch', 'title', 'yTitle', 'valName', 'width', 'height'] as const;
// Markers show single epochs while they are far enough apart to tell.
const MARKERS_UP_TO = 60;

function curve(fn: string, name: string, values: ArrayLike<number> | undefined, log: boolean): number[] | null {
  if (values === undefined) return null;
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of numbers`);
  }
  if (values.length < 1) throw new RangeError(`${fn}: ${name} must hold at least one epoch's loss`);
  const out = Array.from(values);
  out.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${fn}: ${name}[${i}] must be a finite number, got ${String(v)}`);
    if (log && v <= 0) throw new RangeError(`${fn}: ${name}[${i}] is ${v}; a log scale needs losses > 0 (set options.log to false)`);
  });
  return out;
}

/**
 * Lays out a plot of loss per epoch.
 *
 * @param history `{ loss, valLoss? }`, e.g. the History that `MLP.fit` resolves with.
 * @returns The picture: `.toSvg()`, `.toPng()`, `.save(path)`.
 * @example
 * const history = await net.fit(x, y, { epochs: 20, validationSplit: 0.1 });
 * await lossPlot(history, { log: true }).save('loss.svg');
 */
export function lossPlot(history: LossCurves, options: LossPlotOptions = {}): Figure {
  const fn = 'lossPlot';
  checkOptions(fn, 'options', options, KEYS);
  if (history === null || typeof history !== 'object') throw new TypeError(`${fn}: history must be an object { loss, valLoss? }`);
  if (options.log !== undefined && typeof options.log !== 'boolean') throw new TypeError(`${fn}: options.log must be a boolean`);
  const log = options.log ?? false;
  if (history.loss === undefined) throw new TypeError(`${fn}: history.loss (training loss per epoch) is required`);
  const validation = curve(fn, 'history.valLoss', history.valLoss, log);
  const series = [
    { name: 'training', values: curve(fn, 'history.loss', history.loss, log)! },
    ...(validation === null ? [] : [{ name: checkText(fn, 'options.valName', options.valName, 'validation'), values: validation }]),
  ];
  const first = positiveInt(fn, 'options.firstEpoch', options.firstEpoch, 1);
  const width = checkSize(fn, 'options.width', options.width, 720);
  const height = checkSize(fn, 'options.height', options.height, 440);
  const frame: Frame = { left: MARGIN.left, top: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };

  const epochs = Math.max(...series.map((s) => s.values.length));
  const last = first + epochs - 1;
  const pad = Math.max(0.5, 0.02 * (last - first));
  const x = linearAxis(first - pad, last + pad, 8, true);
  const [lo, hi] = extent(series.flatMap((s) => s.values));
  const spread = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  const y = log ? logAxis(lo / 1.15, hi * 1.15) : linearAxis(lo >= 0 ? Math.max(0, lo - spread) : lo - spread, hi + spread);

  const shapes: Shape[] = drawAxes(frame, x, y, { x: 'epoch', y: checkText(fn, 'options.yTitle', options.yTitle, 'loss') + (log ? ' (log scale)' : '') });
  const title = checkText(fn, 'options.title', options.title, '');
  if (title) shapes.push({ kind: 'text', x: width / 2, y: 18, text: title, color: INK, anchor: 'middle' });
  // Legend entries (a line sample, then the name) in a row above the frame, ending at its right edge.
  const entry = (name: string) => 22 + textWidth(name) + 14;
  let legendX = frame.left + frame.width + 14 - series.reduce((sum, s) => sum + entry(s.name), 0);
  series.forEach((s, k) => {
    const color = PALETTE[k]!;
    const points: number[] = [];
    s.values.forEach((v, i) => points.push(place(x, first + i, frame.left, frame.left + frame.width), place(y, v, frame.top + frame.height, frame.top)));
    shapes.push({ kind: 'polyline', points, color, width: 2 });
    if (s.values.length <= MARKERS_UP_TO) {
      for (let i = 0; i < points.length; i += 2) shapes.push({ kind: 'circle', cx: points[i]!, cy: points[i + 1]!, r: 2.5, fill: color });
    }
    shapes.push({ kind: 'polyline', points: [legendX, frame.top - 9.5, legendX + 16, frame.top - 9.5], color, width: 2 });
    shapes.push({ kind: 'text', x: legendX + 22, y: frame.top - 6, text: s.name, color: INK, anchor: 'start' });
    legendX += entry(s.name);
  });
  return new Figure(width, height, shapes, []);
}
