/**
 * Greedy label placement for scatter plots: each label in turn takes the
 * first of eight spots around its point (right, left, above, below, then
 * the diagonals) that stays inside the plot and clear of every label placed
 * before it, preferring spots that cover fewer other points; a label with no
 * such spot is dropped. Earlier labels win, so callers put the important
 * ones first (a word map: the most frequent words).
 */
import { ASCENT, GLYPH_HEIGHT, textWidth } from './font.js';
import type { Frame } from './axes.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Where a label goes: its text starts at x with its baseline at y. */
export interface Placement {
  x: number;
  y: number;
}

const CELL = 24;

// The pixels a label's text covers, with a margin: 3 pixels either side keep
// two labels on one line at least a character's width apart, so they never
// read as one word; 1 pixel above and below.
function labelBox(at: Placement, width: number): Box {
  return { x0: at.x - 3, y0: at.y - ASCENT - 1, x1: at.x + width + 3, y1: at.y + GLYPH_HEIGHT - ASCENT + 1 };
}

/** Boxes bucketed by grid cell, so overlap queries look only at neighbours (placement stays near-linear in n). */
class BoxGrid {
  private readonly cells = new Map<number, Box[]>();

  private keys(b: Box): number[] {
    const keys = [];
    for (let cy = Math.floor(b.y0 / CELL); cy <= Math.floor(b.y1 / CELL); cy++) {
      for (let cx = Math.floor(b.x0 / CELL); cx <= Math.floor(b.x1 / CELL); cx++) keys.push(cy * 65536 + cx);
    }
    return keys;
  }

  add(b: Box): void {
    for (const key of this.keys(b)) {
      const cell = this.cells.get(key);
      if (cell) cell.push(b);
      else this.cells.set(key, [b]);
    }
  }

  /** The distinct stored boxes that overlap b (other than `except`). */
  overlapping(b: Box, except?: Box): Set<Box> {
    const hits = new Set<Box>();
    for (const key of this.keys(b)) {
      for (const o of this.cells.get(key) ?? []) {
        if (o !== except && o.x0 < b.x1 && b.x0 < o.x1 && o.y0 < b.y1 && b.y0 < o.y1) hits.add(o);
      }
    }
    return hits;
  }
}

/**
 * Places `labels[i]` beside point i at pixel (xs[i], ys[i]), drawn as a
 * disc of `radius`. Returns one placement per label, null where dropped.
 */
export function placeLabels(labels: readonly string[], xs: Float64Array, ys: Float64Array, radius: number, frame: Frame): (Placement | null)[] {
  const markers = new BoxGrid();
  const markerBoxes = Array.from(xs, (x, i): Box => ({ x0: x - radius, y0: ys[i]! - radius, x1: x + radius, y1: ys[i]! + radius }));
  markerBoxes.forEach((b) => markers.add(b));
  const placed = new BoxGrid();
  const gap = radius + 2;
  return labels.map((label, i) => {
    const w = textWidth(label);
    const [px, py] = [xs[i]!, ys[i]!];
    // Baselines: the text's cap height is centred on the point for left/right spots.
    const middle = py + ASCENT / 2;
    const above = py - gap - (GLYPH_HEIGHT - ASCENT);
    const below = py + gap + ASCENT;
    const spots: Placement[] = [
      { x: px + gap, y: middle }, { x: px - gap - w, y: middle }, { x: px - w / 2, y: above }, { x: px - w / 2, y: below },
      { x: px + radius, y: above }, { x: px + radius, y: below }, { x: px - radius - w, y: above }, { x: px - radius - w, y: below },
    ];
    let best: Placement | null = null;
    let bestCovered = Infinity;
    for (const spot of spots) {
      const box = labelBox(spot, w);
      const inside = box.x0 >= frame.left && box.x1 <= frame.left + frame.width && box.y0 >= frame.top && box.y1 <= frame.top + frame.height;
      if (!inside || placed.overlapping(box).size > 0) continue;
      const covered = markers.overlapping(box, markerBoxes[i]).size;
      if (covered < bestCovered) [best, bestCovered] = [spot, covered];
      if (covered === 0) break;
    }
    if (best !== null) placed.add(labelBox(best, w));
    return best;
  });
}
