/** What both plots share: the colour cycle, the page layout and the checks of their common options. */
import { positiveInt } from '../options.js';

/** Ten colours told apart by most readers, colour-blind ones included (Tableau 10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export const INK = '#222222';

/** Room around the plotting area: tick labels and axis title below, title and y-axis title above. */
export const MARGIN = { left: 64, right: 20, top: 44, bottom: 56 };

export function checkSize(fn: string, name: string, v: unknown, fallback: number): number {
  const size = positiveInt(fn, name, v, fallback);
  if (size < 200 || size > 10000) throw new RangeError(`${fn}: ${name} must be between 200 and 10000 pixels, got ${size}`);
  return size;
}

export function checkText(fn: string, name: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${name} must be a string`);
  return v;
}
