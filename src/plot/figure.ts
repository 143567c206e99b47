/**
 * A picture as a list of plain shapes in pixel coordinates (origin top left,
 * y down). scatter.ts and line.ts lay out a Figure once; svg.ts writes it as
 * SVG text and raster.ts paints the same shapes into a PNG, so both outputs
 * show the same picture.
 */
import { extname } from 'node:path';
import { checkWriteOptions, writeFileAtomic, type WriteOptions } from '../io/atomic.js';
import { encodeRgbPng } from '../io/png.js';
import { rasterise } from './raster.js';
import { toSvg } from './svg.js';

/**
 * Colours are '#rrggbb'. Text is monospace, 10 px (font.ts), anchored at its
 * baseline; a halo is a white outline that keeps it legible over points.
 */
export type Shape =
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; color: string }
  | { kind: 'polyline'; points: number[]; color: string; width: number }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string }
  | { kind: 'rect'; x: number; y: number; w: number; h: number; stroke: string; fill: string | null }
  | { kind: 'text'; x: number; y: number; text: string; color: string; anchor: 'start' | 'middle' | 'end'; halo?: boolean };

/** A laid-out picture (from scatterPlot or lossPlot): write it with toSvg, toPng or save. */
export class Figure {
  /** A picture of width × height pixels drawing `shapes`, with `notes` printed on it. */
  constructor(
    /** Width in pixels. */
    readonly width: number,
    /** Height in pixels. */
    readonly height: number,
    /** What is drawn, back to front. */
    readonly shapes: readonly Shape[],
    /** What the picture leaves out (labels dropped for lack of room, points
     * not drawn); also printed on the picture. */
    readonly notes: readonly string[],
  ) {}

  /** The picture as an SVG 1.1 document. */
  toSvg(): string {
    return toSvg(this);
  }

  /** The picture as an 8-bit RGB PNG, `scale` device pixels per figure pixel (at 2 and other even scales text is smoothed, font-smooth.ts). */
  toPng(scale = 2): Buffer {
    if (!Number.isInteger(scale) || scale < 1 || scale > 8) throw new RangeError(`Figure.toPng: scale must be an integer in [1, 8], got ${scale}`);
    const { pixels, width, height } = rasterise(this, scale);
    return encodeRgbPng(pixels, width, height);
  }

  /** Writes the picture atomically as SVG or PNG, chosen by the extension of `path` (.svg or .png);
   * a read-only file is replaced only with `overwrite: true`. */
  async save(path: string, options?: WriteOptions): Promise<void> {
    const format = pictureFormat('Figure.save', path);
    const save = checkWriteOptions('Figure.save', options);
    const bytes = format === 'svg' ? Buffer.from(this.toSvg(), 'utf8') : this.toPng();
    // A failure is a FileWriteError naming the path and what is wrong with it, as for model files.
    await writeFileAtomic(path, [bytes], save);
  }
}

/** 'svg' or 'png' from the extension of `path`; an error naming `fn` otherwise. */
export function pictureFormat(fn: string, path: string): 'svg' | 'png' {
  if (typeof path !== 'string') throw new TypeError(`${fn}: path must be a string`);
  const ext = extname(path).toLowerCase();
  if (ext === '.svg' || ext === '.png') return ext === '.svg' ? 'svg' : 'png';
  throw new RangeError(`${fn}: '${path}' must end in .svg or .png`);
}
