/**
 * Axes for the plots: a value range with readable ticks (1, 2 or 5 × 10^k
 * steps; on a log scale the 1-2-5 values of each decade) and the frame, grid,
 * tick labels and titles drawn around a plotting area.
 */
import type { Shape } from './figure.js';
import { INK } from './style.js';

export interface Axis {
  /** The values at the two ends of the axis. */
  min: number;
  max: number;
  log: boolean;
  ticks: number[];
  format: (v: number) => string;
}

/** The plotting area in figure pixels. */
export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The smallest and largest of `values` (a loop: spreading a long array into Math.min overflows the stack). */
export function extent(values: ArrayLike<number>): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) [lo, hi] = [Math.min(lo, values[i]!), Math.max(hi, values[i]!)];
  return [lo, hi];
}

/**
 * `axis` laid out in units of 10^power (scatterPlot's coordinates near
 * ±Number.MAX_VALUE, whose ranges would overflow), its tick labels
 * carrying the power so they read as the true values.
 */
export function inUnitsOf(axis: Axis, power: number): Axis {
  if (power === 0) return axis;
  return { ...axis, format: (v) => (axis.format(v) === '0' ? '0' : `${axis.format(v)}e+${power}`) };
}

// The 1-2-5 step nearest above `rough`.
function niceStep(rough: number): number {
  const decade = 10 ** Math.floor(Math.log10(rough));
  const m = rough / decade;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * decade;
}

/** A linear axis over [min, max] (widened when empty) with about `count` ticks; `integer` keeps ticks whole (epochs). */
export function linearAxis(min: number, max: number, count = 6, integer = false): Axis {
  if (max - min <= 0) {
    // One value (or all equal): centre it in a range wide enough for ticks.
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    [min, max] = [min - pad, max + pad];
  }
  let step = niceStep((max - min) / count);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  // Integer multiples of step, so 0.1 + 0.2 rounding does not creep into labels.
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) ticks.push(i * step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { min, max, log: false, ticks, format: (v) => (Math.abs(v) < step / 2 ? '0' : v.toFixed(decimals)) };
}

/** A log-10 axis over [min, max], both > 0: ticks at 1, 2, 5 × 10^k (all of 1–9 when that gives fewer than two). */
export function logAxis(min: number, max: number): Axis {
  if (max / min < 1.0001) [min, max] = [min / 1.5, max * 1.5];
  const pick = (mantissas: number[]) => {
    const out: number[] = [];
    for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** k).toPrecision(12));
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  let ticks = pick([1, 2, 5]);
  if (ticks.length < 2) ticks = pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (ticks.length > 10) ticks = pick([1]);
  return { min, max, log: true, ticks, format: (v) => String(Number(v.toPrecision(3))) };
}

/** Where value v falls between pixel positions `from` (axis.min) and `to` (axis.max). */
export function place(axis: Axis, v: number, from: number, to: number): number {
  const t = axis.log ? Math.log(v / axis.min) / Math.log(axis.max / axis.min) : (v - axis.min) / (axis.max - axis.min);
  return from + t * (to - from);
}

const GRID = '#e8e8e8'; // light enough to read values off, faint enough not to compete with data

/** Grid, frame, ticks with labels, and the axis titles (x below, y above the frame's left edge). */
export function drawAxes(frame: Frame, x: Axis, y: Axis, titles: { x: string; y: string }): Shape[] {
  const { left, top, width, height } = frame;
  const bottom = top + height;
  const right = left + width;
  const grid: Shape[] = [];
  const marks: Shape[] = [];
  for (const v of x.ticks) {
    const px = place(x, v, left, right);
    grid.push({ kind: 'line', x1: px, y1: top, x2: px, y2: bottom, color: GRID });
    marks.push({ kind: 'line', x1: px, y1: bottom, x2: px, y2: bottom + 4, color: INK });
    marks.push({ kind: 'text', x: px, y: bottom + 15, text: x.format(v), color: INK, anchor: 'middle' });
  }
  for (const v of y.ticks) {
    const py = place(y, v, bottom, top);
    grid.push({ kind: 'line', x1: left, y1: py, x2: right, y2: py, color: GRID });
    marks.push({ kind: 'line', x1: left - 4, y1: py, x2: left, y2: py, color: INK });
    marks.push({ kind: 'text', x: left - 6, y: py + 3.5, text: y.format(v), color: INK, anchor: 'end' });
  }
  return [
    ...grid,
    { kind: 'rect', x: left, y: top, w: width, h: height, stroke: INK, fill: null },
    ...marks,
    { kind: 'text', x: left + width / 2, y: bottom + 30, text: titles.x, color: INK, anchor: 'middle' },
    { kind: 'text', x: left, y: top - 6, text: titles.y, color: INK, anchor: 'start' },
  ];
}
