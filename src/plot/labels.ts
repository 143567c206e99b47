/**
 * Greedy label placement for scatter plots, in two passes. First each label
 * in turn takes the first of eight spots around its point (right, left,
 * above, below, then the diagonals) that stays inside the plot and clear of
 * every label placed before it, preferring spots that cover fewer other
 * points. Then each label left without a spot searches further out, as
 * matplotlib's adjustText and R's ggrepel do: eight directions at growing
 * distances, taking the first spot clear of every label, leader line and
 * point, and is joined to its point by a thin leader line. A label with no
 * such spot is dropped. Earlier labels win, so callers put the important
 * ones first (a word map: the most frequent words); labels beside their
 * points come before any that need a leader, which read less easily.
 */
import { ASCENT, GLYPH_HEIGHT, textWidth } from './font.js';
import type { Frame } from './axes.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Where a label goes: its text starts at x with its baseline at y; `leader`
 * is the segment [x1, y1, x2, y2] from the edge of its point's disc to the
 * nearest point of its text, for a label placed away from its point.
 */
export interface Placement {
  x: number;
  y: number;
  leader?: [number, number, number, number];
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

// Distances from a point to the nearest corner or edge of a label with a
// leader: beyond the 5-pixel gap of the spots beside it, out to where a
// reader still links label and point.
const LEADER_RADII = [12, 20, 30, 42, 56, 72];
// Right, left, up, down, then the diagonals, as for the spots beside a point.
const DIRECTIONS = [
  [1, 0],
  [-1, 0],
  [0, -1],
  [0, 1],
  [1, -1],
  [1, 1],
  [-1, -1],
  [-1, 1],
] as const;
// A leader is kept clear of labels by boxes of this size every this many pixels along it.
const LEADER_STEP = 2;

// The text's own box (no margin): where a leader ends.
function textBox(at: Placement, width: number): Box {
  return { x0: at.x, y0: at.y - ASCENT, x1: at.x + width, y1: at.y + GLYPH_HEIGHT - ASCENT };
}

// Small boxes along a segment, for overlap queries against it.
function segmentBoxes([x1, y1, x2, y2]: readonly number[]): Box[] {
  const steps = Math.max(1, Math.ceil(Math.hypot(x2! - x1!, y2! - y1!) / LEADER_STEP));
  return Array.from({ length: steps + 1 }, (_, s) => {
    const [x, y] = [x1! + ((x2! - x1!) * s) / steps, y1! + ((y2! - y1!) * s) / steps];
    return { x0: x - 0.5, y0: y - 0.5, x1: x + 0.5, y1: y + 0.5 };
  });
}

/** The segment from the edge of the disc at (px, py) to the nearest point of `box`. */
function leaderLine(px: number, py: number, radius: number, box: Box): [number, number, number, number] {
  const [tx, ty] = [Math.min(Math.max(px, box.x0), box.x1), Math.min(Math.max(py, box.y0), box.y1)];
  const d = Math.hypot(tx - px, ty - py);
  return [px + ((tx - px) * radius) / d, py + ((ty - py) * radius) / d, tx, ty];
}

/**
 * Places `labels[i]` beside point i at pixel (xs[i], ys[i]), drawn as a
 * disc of `radius`, or further out with a leader line. Returns one
 * placement per label, null where dropped.
 */
export function placeLabels(labels: readonly string[], xs: Float64Array, ys: Float64Array, radius: number, frame: Frame): (Placement | null)[] {
  const markers = new BoxGrid();
  const markerBoxes = Array.from(xs, (x, i): Box => ({ x0: x - radius, y0: ys[i]! - radius, x1: x + radius, y1: ys[i]! + radius }));
  markerBoxes.forEach((b) => markers.add(b));
  const placed = new BoxGrid();
  const leaders = new BoxGrid();
  const inside = (box: Box) => box.x0 >= frame.left && box.x1 <= frame.left + frame.width && box.y0 >= frame.top && box.y1 <= frame.top + frame.height;
  const gap = radius + 2;

  const beside = labels.map((label, i) => {
    const w = textWidth(label);
    const [px, py] = [xs[i]!, ys[i]!];
    // Baselines: the text's cap height is centred on the point for left/right spots.
    const middle = py + ASCENT / 2;
    const above = py - gap - (GLYPH_HEIGHT - ASCENT);
    const below = py + gap + ASCENT;
    const spots: Placement[] = [
      { x: px + gap, y: middle },
      { x: px - gap - w, y: middle },
      { x: px - w / 2, y: above },
      { x: px - w / 2, y: below },
      { x: px + radius, y: above },
      { x: px + radius, y: below },
      { x: px - radius - w, y: above },
      { x: px - radius - w, y: below },
    ];
    let best: Placement | null = null;
    let bestCovered = Infinity;
    for (const spot of spots) {
      const box = labelBox(spot, w);
      if (!inside(box) || placed.overlapping(box).size > 0) continue;
      const covered = markers.overlapping(box, markerBoxes[i]).size;
      if (covered < bestCovered) [best, bestCovered] = [spot, covered];
      if (covered === 0) break;
    }
    if (best !== null) placed.add(labelBox(best, w));
    return best;
  });

  return beside.map((spot, i) => {
    if (spot !== null) return spot;
    const w = textWidth(labels[i]!);
    const [px, py] = [xs[i]!, ys[i]!];
    for (const r of LEADER_RADII) {
      for (const [dx, dy] of DIRECTIONS) {
        // The corner or edge of the text nearest the point sits r pixels out in direction (dx, dy).
        const [ax, ay] = [px + (dx * r) / Math.hypot(dx, dy), py + (dy * r) / Math.hypot(dx, dy)];
        const at: Placement = {
          x: dx > 0 ? ax : dx < 0 ? ax - w : ax - w / 2,
          y: dy < 0 ? ay - (GLYPH_HEIGHT - ASCENT) : dy > 0 ? ay + ASCENT : ay + ASCENT / 2,
        };
        const box = labelBox(at, w);
        if (!inside(box) || placed.overlapping(box).size > 0 || markers.overlapping(box).size > 0 || leaders.overlapping(box).size > 0) continue;
        const leader = leaderLine(px, py, radius, textBox(at, w));
        const along = segmentBoxes(leader);
        // The leader may not run through another label (its own end touches only its own box).
        if (along.some((b) => placed.overlapping(b).size > 0)) continue;
        placed.add(box);
        along.forEach((b) => leaders.add(b));
        return { ...at, leader };
      }
    }
    return null;
  });
}
