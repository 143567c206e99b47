/** Writes a Figure as an SVG document: one element per shape, text escaped for XML. */
import type { Figure, Shape } from './figure.js';

// Characters XML 1.0 forbids anywhere (C0 controls but tab/LF/CR, lone
// surrogates, U+FFFE/U+FFFF): word-vector files can hold any bytes, and one
// such character would make the whole document unreadable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` safe inside XML character data and double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Two decimals are sub-pixel exact and keep files small.
const n = (v: number) => String(Math.round(v * 100) / 100);

function element(s: Shape): string {
  switch (s.kind) {
    case 'line':
      return `<line x1="${n(s.x1)}" y1="${n(s.y1)}" x2="${n(s.x2)}" y2="${n(s.y2)}" stroke="${s.color}"/>`;
    case 'polyline': {
      const points = [];
      for (let i = 0; i < s.points.length; i += 2) points.push(`${n(s.points[i]!)},${n(s.points[i + 1]!)}`);
      return `<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width}" stroke-linejoin="round"/>`;
    }
    case 'circle':
      return `<circle cx="${n(s.cx)}" cy="${n(s.cy)}" r="${n(s.r)}" fill="${s.fill}"/>`;
    case 'rect':
      return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" stroke="${s.stroke}" fill="${s.fill ?? 'none'}"/>`;
    case 'text':
      return (
        `<text x="${n(s.x)}" y="${n(s.y)}" fill="${s.color}"${s.anchor === 'start' ? '' : ` text-anchor="${s.anchor}"`}` +
        `${s.halo ? ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' : ''}>${escapeXml(s.text)}</text>`
      );
  }
}

export function toSvg(figure: Figure): string {
  const { width, height } = figure;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    // Text in the monospace metrics that font.ts copies (advance 0.6 em at 10 px).
    `<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="10" stroke-width="1">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...figure.shapes.map(element),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
