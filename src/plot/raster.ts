/**
 * Paints a Figure into an RGB bitmap: the same shapes the SVG holds, without
 * anti-aliasing, text from the built-in bitmap font (font.ts, smoothed at
 * even scales by font-smooth.ts). `scale`
 * device pixels stand for one figure pixel, so a 1-pixel line is `scale`
 * pixels wide and a glyph pixel is a scale × scale block.
 */
import type { Figure, Shape } from './figure.js';
import { ASCENT, CHAR_WIDTH, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './font.js';
import { SMOOTH_HEIGHT, SMOOTH_WIDTH, smoothGlyph } from './font-smooth.js';

class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  /** Fills the device-pixel rectangle [x0, x1) × [y0, y1), clipped to the canvas. */
  fill(x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
    const xa = Math.max(0, Math.round(x0));
    const xb = Math.min(this.width, Math.round(x1));
    const ya = Math.max(0, Math.round(y0));
    const yb = Math.min(this.height, Math.round(y1));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) this.pixels.set(rgb, (y * this.width + x) * 3);
    }
  }

  disc(cx: number, cy: number, r: number, rgb: readonly number[]): void {
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      // Pixel centres within r of the centre; at least one pixel for tiny discs.
      const half = Math.sqrt(Math.max(0, r * r - (y + 0.5 - cy) ** 2));
      if (half > 0 || y === Math.floor(cy)) this.fill(cx - half, y, Math.max(cx + half, cx - half + 1), y + 1, rgb);
    }
  }

  /** A segment `thickness` device pixels wide, stamped every half pixel along its length. */
  segment(x1: number, y1: number, x2: number, y2: number, thickness: number, rgb: readonly number[]): void {
    const steps = Math.max(1, Math.ceil(2 * Math.hypot(x2 - x1, y2 - y1)));
    for (let i = 0; i <= steps; i++) {
      const x = x1 + ((x2 - x1) * i) / steps;
      const y = y1 + ((y2 - y1) * i) / steps;
      if (thickness <= 2) this.fill(x - thickness / 2, y - thickness / 2, x + thickness / 2, y + thickness / 2, rgb);
      else this.disc(x, y, thickness / 2, rgb);
    }
  }
}

const WHITE = [255, 255, 255];
const HALO = [
  [-1, -1],
  [0, -1],
  [1, -1],
  [-1, 0],
  [1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
] as const;

/**
 * Paints `text`'s glyphs with their top-left corner at figure pixel (left, top), k device pixels per figure pixel:
 * at an even k the smoothed glyphs (font-smooth.ts), each of their pixels k/2 device pixels wide, else the font's own.
 */
function stamp(canvas: Canvas, text: string, left: number, top: number, k: number, rgb: readonly number[]): void {
  const smooth = k % 2 === 0;
  const [columns, lines, dot] = smooth ? [SMOOTH_WIDTH, SMOOTH_HEIGHT, k / 2] : [GLYPH_WIDTH, GLYPH_HEIGHT, k];
  [...text].forEach((char, c) => {
    const rows = smooth ? smoothGlyph(char) : glyph(char);
    const x0 = (left + c * CHAR_WIDTH) * k;
    for (let gy = 0; gy < lines; gy++) {
      for (let gx = 0; gx < columns; gx++) {
        if ((rows[gy]! >> (columns - 1 - gx)) & 1) canvas.fill(x0 + gx * dot, top * k + gy * dot, x0 + (gx + 1) * dot, top * k + (gy + 1) * dot, rgb);
      }
    }
  });
}

function rgb(color: string): number[] {
  const v = parseInt(color.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function paint(canvas: Canvas, s: Shape, k: number): void {
  switch (s.kind) {
    case 'line':
      canvas.segment(s.x1 * k, s.y1 * k, s.x2 * k, s.y2 * k, k, rgb(s.color));
      break;
    case 'polyline':
      for (let i = 2; i < s.points.length; i += 2) {
        canvas.segment(s.points[i - 2]! * k, s.points[i - 1]! * k, s.points[i]! * k, s.points[i + 1]! * k, s.width * k, rgb(s.color));
      }
      break;
    case 'circle':
      canvas.disc(s.cx * k, s.cy * k, s.r * k, rgb(s.fill));
      break;
    case 'rect': {
      const [x0, y0, x1, y1] = [s.x * k, s.y * k, (s.x + s.w) * k, (s.y + s.h) * k];
      if (s.fill !== null) canvas.fill(x0, y0, x1, y1, rgb(s.fill));
      const line = rgb(s.stroke);
      canvas.fill(x0, y0, x1, y0 + k, line);
      canvas.fill(x0, y1 - k, x1, y1, line);
      canvas.fill(x0, y0, x0 + k, y1, line);
      canvas.fill(x1 - k, y0, x1, y1, line);
      break;
    }
    case 'text': {
      const shift = s.anchor === 'start' ? 0 : s.anchor === 'middle' ? textWidth(s.text) / 2 : textWidth(s.text);
      const left = Math.round(s.x - shift);
      const top = Math.round(s.y) - ASCENT;
      const ink = rgb(s.color);
      // The halo first (the glyphs shifted to each of the 8 neighbours, in white), then the ink over it.
      if (s.halo) for (const [dx, dy] of HALO) stamp(canvas, s.text, left + dx, top + dy, k, WHITE);
      stamp(canvas, s.text, left, top, k, ink);
      break;
    }
  }
}

/** The figure as RGB pixels (height × width × 3, row-major) at `scale` device pixels per figure pixel. */
export function rasterise(figure: Figure, scale: number): { pixels: Uint8Array; width: number; height: number } {
  const canvas = new Canvas(Math.round(figure.width * scale), Math.round(figure.height * scale));
  for (const shape of figure.shapes) paint(canvas, shape, scale);
  return { pixels: canvas.pixels, width: canvas.width, height: canvas.height };
}
