/**
 * PNG output of the plots: a valid RGB file (signature, CRCs, IHDR, IEND)
 * of the figure's size times the scale, with the shapes painted where the
 * SVG puts them; the bitmap font, and its smoothed double-resolution form
 * at even scales, has a distinct glyph per printable ASCII character and
 * inks only the box the layout measures; saves go by extension and are refused for other extensions
 * or unwritable places.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWriteError } from '../../src/io/atomic.js';
import { encodeRgbPng } from '../../src/io/png.js';
import { Figure } from '../../src/plot/figure.js';
import { ASCENT, GLYPH_HEIGHT, glyph, textWidth } from '../../src/plot/font.js';
import { SMOOTH_HEIGHT, SMOOTH_WIDTH, smoothGlyph } from '../../src/plot/font-smooth.js';
import { lossPlot } from '../../src/plot/line.js';
import { scatterPlot } from '../../src/plot/scatter.js';
import { decodePng } from '../helpers/png.js';
import { parseXml } from '../helpers/xml.js';

const pixel = (png: ReturnType<typeof decodePng>, x: number, y: number) =>
  Array.from(png.samples.subarray((y * png.width + x) * 3, (y * png.width + x) * 3 + 3));

describe('plot PNG output', () => {
  it('encodes RGB pixels that decode back', () => {
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30);
    const png = decodePng(encodeRgbPng(rgb, 2, 2));
    expect([png.width, png.height, png.channels]).toEqual([2, 2, 3]);
    expect(Array.from(png.samples)).toEqual(Array.from(rgb));
    expect(() => encodeRgbPng(new Uint8Array(5), 2, 2)).toThrow(/encodeRgbPng: pixels must have length 12 for 2×2 RGB, got 5/);
  });

  it('paints the shapes the SVG describes, at the requested scale', () => {
    const figure = new Figure(
      200,
      100,
      [
        { kind: 'rect', x: 10, y: 10, w: 50, h: 30, stroke: '#000000', fill: '#00ff00' },
        { kind: 'circle', cx: 150, cy: 50, r: 10, fill: '#ff0000' },
        { kind: 'line', x1: 0, y1: 90, x2: 200, y2: 90, color: '#0000ff' },
        { kind: 'text', x: 100, y: 30, text: 'Hi', color: '#000000', anchor: 'start' },
      ],
      [],
    );
    for (const scale of [1, 3]) {
      const png = decodePng(figure.toPng(scale));
      expect([png.width, png.height]).toEqual([200 * scale, 100 * scale]);
      expect(pixel(png, 30 * scale, 25 * scale)).toEqual([0, 255, 0]); // rect fill
      expect(pixel(png, 10 * scale, 25 * scale)).toEqual([0, 0, 0]); // rect border
      expect(pixel(png, 150 * scale, 50 * scale)).toEqual([255, 0, 0]); // disc centre
      expect(pixel(png, 100 * scale, 90 * scale)).toEqual([0, 0, 255]); // line
      expect(pixel(png, 190 * scale, 10 * scale)).toEqual([255, 255, 255]); // paper
      // 'H' has ink in its left column from the cap line to the baseline.
      for (let gy = 0; gy < 7; gy++) expect(pixel(png, 100 * scale, (23 + gy) * scale)).toEqual([0, 0, 0]);
    }
    expect(() => figure.toPng(0)).toThrow(/Figure.toPng: scale must be an integer in \[1, 8\], got 0/);
  });

  it('renders whole plots as valid PNGs with ink on them', () => {
    for (const figure of [
      scatterPlot(
        [
          [0, 0],
          [1, 2],
          [2, 1],
        ],
        { labels: ['a', 'b', 'c'], classes: [0, 1, 1] },
      ),
      lossPlot({ loss: [1, 0.5], valLoss: [1.2, 0.7] }),
    ]) {
      const png = decodePng(figure.toPng());
      expect([png.width, png.height]).toEqual([figure.width * 2, figure.height * 2]);
      const ink = png.samples.filter((v) => v < 128).length;
      expect(ink).toBeGreaterThan(1000);
    }
  });

  it('has a distinct glyph for every printable ASCII character and a box for the rest', () => {
    const seen = new Set<string>();
    for (let c = 32; c < 127; c++) {
      const rows = glyph(String.fromCharCode(c));
      expect(rows).toHaveLength(GLYPH_HEIGHT);
      seen.add(Array.from(rows).join(','));
    }
    expect(seen.size).toBe(95);
    expect(glyph('é')).toBe(glyph('中'));
    expect(seen.has(Array.from(glyph('é')).join(','))).toBe(false);
    expect(textWidth('ab€')).toBe(18);
  });

  it('smooths every printable ASCII glyph at twice the resolution, within its doubled cell', () => {
    const seen = new Set<string>();
    for (let c = 32; c < 127; c++) {
      const char = String.fromCharCode(c);
      const rows = smoothGlyph(char);
      expect(rows).toHaveLength(SMOOTH_HEIGHT);
      expect(
        rows.every((row) => row < 1 << SMOOTH_WIDTH),
        char,
      ).toBe(true);
      expect(
        rows.some((row) => row !== 0),
        char,
      ).toBe(c !== 32);
      // Every smoothed pixel lies on or beside ink of the font's glyph: smoothing invents no stroke.
      const font = glyph(char);
      const inkAt = (x: number, y: number) => x >= 0 && x < 5 && y >= 0 && y < GLYPH_HEIGHT && ((font[y]! >> (4 - x)) & 1) === 1;
      for (let y = 0; y < SMOOTH_HEIGHT; y++) {
        for (let x = 0; x < SMOOTH_WIDTH; x++) {
          if ((rows[y]! >> (SMOOTH_WIDTH - 1 - x)) & 1)
            expect(
              [-1, 0, 1].some((dy) => [-1, 0, 1].some((dx) => inkAt((x >> 1) + dx, (y >> 1) + dy))),
              char,
            ).toBe(true);
        }
      }
      seen.add(Array.from(rows).join(','));
    }
    expect(seen.size).toBe(95);
    expect(smoothGlyph('é')).toBe(smoothGlyph('中'));
  });

  // The device-pixel box of all ink in a PNG painted with `shapes` at `scale`, and how many pixels are ink.
  const inkOf = (shapes: ConstructorParameters<typeof Figure>[2], scale: number) => {
    const png = decodePng(new Figure(200, 40, shapes, []).toPng(scale));
    const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, pixels: 0 };
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if (pixel(png, x, y)[0] !== 255)
          Object.assign(box, {
            x0: Math.min(box.x0, x),
            y0: Math.min(box.y0, y),
            x1: Math.max(box.x1, x + 1),
            y1: Math.max(box.y1, y + 1),
            pixels: box.pixels + 1,
          });
      }
    }
    return box;
  };

  it('paints text inside the box the layout measures, at every anchor and scale', () => {
    const text = 'gyp|W@ 2.5e-3_';
    for (const anchor of ['start', 'middle', 'end'] as const) {
      for (const scale of [1, 2, 3, 4]) {
        const box = inkOf([{ kind: 'text', x: 100, y: 20, text, color: '#000000', anchor }], scale);
        const left = 100 - (anchor === 'start' ? 0 : anchor === 'middle' ? textWidth(text) / 2 : textWidth(text));
        expect(box.x0, `${anchor} ×${scale}`).toBeGreaterThanOrEqual(left * scale);
        expect(box.x1).toBeLessThanOrEqual((left + textWidth(text)) * scale);
        expect(box.y0).toBeGreaterThanOrEqual((20 - ASCENT) * scale);
        expect(box.y1).toBeLessThanOrEqual((20 - ASCENT + GLYPH_HEIGHT) * scale);
      }
    }
  });

  it('renders a string at the default scale to the same pixels as ever (a golden check)', () => {
    const shapes = [{ kind: 'text', x: 10, y: 12, text: 'Sammon 2.5e-3', color: '#000000', anchor: 'start' }] as const;
    // The smoothed glyphs: more ink than the 151 font pixels blown up to 2 × 2 blocks (604), in the same box.
    expect(inkOf([...shapes], 2)).toEqual({ x0: 20, y0: 10, x1: 174, y1: 24, pixels: 646 });
    expect(inkOf([...shapes], 1)).toEqual({ x0: 10, y0: 5, x1: 87, y1: 12, pixels: 151 });
  });

  it('keeps every text of a plot inside the picture', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const points = words.map((_, i) => [Math.cos(i), Math.sin(i * 1.3)]);
    for (const figure of [scatterPlot(points, { labels: words, title: 'map', classes: words.map((_, i) => i % 3) }), lossPlot({ loss: [3, 1, 0.2] })]) {
      for (const s of figure.shapes) {
        if (s.kind !== 'text') continue;
        const left = s.x - (s.anchor === 'start' ? 0 : s.anchor === 'middle' ? textWidth(s.text) / 2 : textWidth(s.text));
        expect(left >= 0 && left + textWidth(s.text) <= figure.width && s.y - ASCENT >= 0 && s.y - ASCENT + GLYPH_HEIGHT <= figure.height, s.text).toBe(true);
      }
    }
  });

  it('saves SVG or PNG by extension, atomically, and names the path it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-plot-'));
    const figure = lossPlot({ loss: [1, 0.5] });
    await figure.save(join(dir, 'a.svg'));
    await figure.save(join(dir, 'a.PNG'));
    expect(parseXml(readFileSync(join(dir, 'a.svg'), 'utf8')).name).toBe('svg');
    expect(decodePng(readFileSync(join(dir, 'a.PNG'))).width).toBe(figure.width * 2);
    expect(readdirSync(dir).sort()).toEqual(['a.PNG', 'a.svg']); // no temp files left
    await expect(figure.save(join(dir, 'a.jpg'))).rejects.toThrow(/Figure.save: '.*a\.jpg' must end in \.svg or \.png/);
    await expect(figure.save(join(dir, 'missing', 'a.svg'))).rejects.toThrow(FileWriteError);
    await expect(figure.save(join(dir, 'missing', 'a.svg'))).rejects.toThrow(
      `cannot write ${join(dir, 'missing', 'a.svg')}: directory ${join(dir, 'missing')} does not exist`,
    );
  });
});
