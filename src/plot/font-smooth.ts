/**
 * The bitmap font at twice its resolution, for PNGs painted at an even
 * scale (the default is 2): each glyph of font.ts doubled with the Scale2x
 * (EPX) rule, which rounds the staircase of diagonal strokes (v, x, 2, S)
 * instead of blowing it up into 2 × 2 blocks. The glyphs keep their cell
 * (CHAR_WIDTH × GLYPH_HEIGHT figure pixels), so text sits exactly where the
 * layout measured it, in SVG and PNG alike.
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';

/** Columns and rows of a smoothed glyph: twice the font's. */
export const SMOOTH_WIDTH = 2 * GLYPH_WIDTH;
export const SMOOTH_HEIGHT = 2 * GLYPH_HEIGHT;

// Keyed by the font's glyph, so the characters it lacks share one smoothed box.
const cache = new Map<Uint8Array, Uint16Array>();

/** Row masks of `char`'s smoothed glyph, SMOOTH_HEIGHT rows; bit SMOOTH_WIDTH − 1 is the leftmost column. */
export function smoothGlyph(char: string): Uint16Array {
  const rows = glyph(char);
  let out = cache.get(rows);
  if (out === undefined) cache.set(rows, (out = scale2x(rows)));
  return out;
}

function scale2x(rows: Uint8Array): Uint16Array {
  const ink = (x: number, y: number) => x >= 0 && x < GLYPH_WIDTH && y >= 0 && y < GLYPH_HEIGHT && ((rows[y]! >> (GLYPH_WIDTH - 1 - x)) & 1) === 1;
  const out = new Uint16Array(SMOOTH_HEIGHT);
  const set = (x: number, y: number) => (out[y]! |= 1 << (SMOOTH_WIDTH - 1 - x));
  for (let y = 0; y < GLYPH_HEIGHT; y++) {
    for (let x = 0; x < GLYPH_WIDTH; x++) {
      const [p, a, b, c, d] = [ink(x, y), ink(x, y - 1), ink(x + 1, y), ink(x - 1, y), ink(x, y + 1)];
      // EPX: a corner of the doubled pixel takes its two neighbours' colour where they agree and the other two do not.
      if (c === a && c !== d && a !== b ? a : p) set(2 * x, 2 * y);
      if (a === b && a !== c && b !== d ? b : p) set(2 * x + 1, 2 * y);
      if (d === c && d !== b && c !== a ? c : p) set(2 * x, 2 * y + 1);
      if (b === d && b !== a && d !== c ? d : p) set(2 * x + 1, 2 * y + 1);
    }
  }
  return out;
}
