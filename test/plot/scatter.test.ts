/**
 * scatterPlot: the SVG is well-formed XML with one marker per point, one
 * text per placed label (escaped, none overlapping another, all inside the
 * plot; those away from their points joined to them by a leader line), a
 * legend per class, a note counting dropped labels, and finite
 * coordinates everywhere; bad input is refused with errors naming it.
 */
import { describe, expect, it } from 'vitest';
import { scatterPlot } from '../../src/plot/scatter.js';
import { textWidth } from '../../src/plot/font.js';
import { Matrix } from '../../src/tensor.js';
import { Rng } from '../../src/rng.js';
import { decodePng } from '../helpers/png.js';
import { findAll, parseXml, type XmlElement } from '../helpers/xml.js';

const NUMERIC = ['x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'width', 'height'];

function parse(svg: string): XmlElement {
  const root = parseXml(svg);
  for (const name of ['circle', 'line', 'rect', 'text']) {
    for (const e of findAll(root, name)) {
      for (const key of NUMERIC) if (key in e.attributes) expect(Number.isFinite(Number(e.attributes[key])), `${name} ${key}=${e.attributes[key]}`).toBe(true);
    }
  }
  return root;
}

function cloud(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => [rng.uniform() * 10 + (i % 3) * 5, rng.uniform() * 6 - 3]);
}

// The plotting frame: the one unfilled rect.
function frameOf(root: XmlElement) {
  const [rect] = findAll(root, 'rect').filter((r) => r.attributes['fill'] === 'none');
  const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(rect!.attributes[k]));
  return { x0: x!, y0: y!, x1: x! + w!, y1: y! + h! };
}

describe('scatterPlot', () => {
  it('draws every point and labels them without overlaps, counting the labels it drops', () => {
    const points = cloud(150, 1);
    const labels = points.map((_, i) => `w${i}`);
    const figure = scatterPlot(points, { labels, title: 'map' });
    const root = parse(figure.toSvg());
    expect(root.name).toBe('svg');
    expect(findAll(root, 'circle')).toHaveLength(150);
    const placed = findAll(root, 'text').filter((t) => t.attributes['stroke'] === '#ffffff');
    const dropped = 150 - placed.length;
    expect(placed.length).toBeGreaterThan(100);
    expect(figure.notes).toEqual(dropped > 0 ? [`${dropped} of 150 labels not shown: no free spot near their points without overlapping others`] : []);
    if (dropped > 0) expect(findAll(root, 'text').some((t) => t.text === figure.notes[0])).toBe(true);
    expect(new Set(placed.map((t) => t.text)).size).toBe(placed.length);
    const frame = frameOf(root);
    const boxes = placed.map((t) => {
      const [x, y] = [Number(t.attributes['x']), Number(t.attributes['y'])];
      return { x0: x, y0: y - 7, x1: x + textWidth(t.text), y1: y + 2 };
    });
    for (const [i, a] of boxes.entries()) {
      expect(a.x0 >= frame.x0 && a.x1 <= frame.x1 && a.y0 >= frame.y0 && a.y1 <= frame.y1, placed[i]!.text).toBe(true);
      for (const b of boxes.slice(i + 1)) expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false);
    }
  });

  it('places labels a dense map has no room for beside their points further out, joined by a leader line', () => {
    const points = cloud(300, 4);
    const labels = points.map((_, i) => `w${i}`);
    const figure = scatterPlot(points, { labels });
    const root = parse(figure.toSvg());
    const centres = findAll(root, 'circle').map((c) => [Number(c.attributes['cx']), Number(c.attributes['cy'])] as const);
    const placed = findAll(root, 'text')
      .filter((t) => t.attributes['stroke'] === '#ffffff')
      .map((t) => {
        const [x, y] = [Number(t.attributes['x']), Number(t.attributes['y'])];
        return { i: Number(t.text.slice(1)), x0: x, y0: y - 7, x1: x + textWidth(t.text), y1: y + 2 };
      });
    const dropped = Number(/^(\d+) of 300 labels not shown/.exec(figure.notes[0] ?? '')?.[1] ?? 0);
    expect(placed.length + dropped).toBe(300);
    // 79 of these 300 were dropped when labels went only beside their points.
    expect(dropped).toBeLessThanOrEqual(79 - 10);
    for (const [k, a] of placed.entries()) for (const b of placed.slice(k + 1)) expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false);
    const leaders = findAll(root, 'line')
      .filter((l) => l.attributes['stroke'] === '#999999')
      .map((l) => ['x1', 'y1', 'x2', 'y2'].map((k) => Number(l.attributes[k])));
    expect(leaders.length).toBe(79 - dropped); // the leaders take only labels that had no room beside their points
    const distance = (box: (typeof placed)[number], x: number, y: number) =>
      Math.hypot(Math.max(box.x0 - x, 0, x - box.x1), Math.max(box.y0 - y, 0, y - box.y1));
    const led = new Set<number>();
    for (const [x1, y1, x2, y2] of leaders) {
      // It ends on the edge of one label's text and starts on the edge of that label's point, pointing at the label.
      const box = placed.find((b) => distance(b, x2!, y2!) < 0.02)!;
      expect(box).toBeDefined();
      const [cx, cy] = centres[box.i]!;
      expect(Math.hypot(x1! - cx, y1! - cy)).toBeCloseTo(3, 1);
      expect(Math.hypot(x2! - cx, y2! - cy)).toBeCloseTo(distance(box, cx, cy), 1);
      led.add(box.i);
    }
    expect(led.size).toBe(leaders.length);
    // A label without a leader sits beside its point; one with a leader further out.
    for (const box of placed) expect(distance(box, ...centres[box.i]!) < 8, `w${box.i}`).toBe(!led.has(box.i));
    expect(scatterPlot(points, { labels }).toSvg()).toBe(figure.toSvg());
    // The PNG paints the same grey leaders.
    const png = decodePng(figure.toPng(1));
    const grey = leaders.filter(([x1, y1, x2, y2]) => {
      const at = (Math.round((y1! + y2!) / 2) * png.width + Math.round((x1! + x2!) / 2)) * 3;
      return Array.from(png.samples.subarray(at, at + 3)).join() === '153,153,153';
    });
    expect(grey.length).toBeGreaterThan(leaders.length / 2);
  });

  it('labels each point beside itself when there is room, the first points first', () => {
    const figure = scatterPlot(
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
      { labels: ['a', 'b', 'c'] },
    );
    const circles = findAll(parse(figure.toSvg()), 'circle');
    const texts = findAll(parse(figure.toSvg()), 'text').filter((t) => t.attributes['stroke']);
    expect(texts.map((t) => t.text)).toEqual(['a', 'b', 'c']);
    texts.forEach((t, i) => {
      const dx = Number(t.attributes['x']) - Number(circles[i]!.attributes['cx']);
      const dy = Number(t.attributes['y']) - Number(circles[i]!.attributes['cy']);
      expect(Math.hypot(dx, dy)).toBeLessThan(20);
    });
    expect(figure.notes).toEqual([]);
  });

  it('escapes labels and titles for XML and replaces characters XML forbids', () => {
    const labels = ['<b>&amp;', `"q" 'a'`, 'ctl\u0001x', 'fine'];
    const svg = scatterPlot(
      [
        [0, 0],
        [5, 0],
        [0, 5],
        [5, 5],
      ],
      { labels, title: 'A & B <C>' },
    ).toSvg();
    const texts = findAll(parse(svg), 'text').map((t) => t.text);
    expect(texts).toContain('A & B <C>');
    expect(texts).toEqual(expect.arrayContaining(['<b>&amp;', `"q" 'a'`, 'ctl\uFFFDx', 'fine']));
  });

  it('colours points by class with a legend naming each class in order', () => {
    const points = cloud(60, 2);
    const classes = points.map((_, i) => [3, 1, 2][i % 3]!);
    const root = parse(scatterPlot(new Matrix(Float32Array.from(points.flat()), 60, 2), { classes }).toSvg());
    const circles = findAll(root, 'circle');
    expect(circles).toHaveLength(60 + 3);
    const fills = circles.slice(0, 60).map((c) => c.attributes['fill']);
    expect(new Set(fills).size).toBe(3);
    classes.forEach((c, i) => expect(fills[i]).toBe(fills[classes.indexOf(c)]));
    expect(
      findAll(root, 'text')
        .map((t) => t.text)
        .slice(-3),
    ).toEqual(['1', '2', '3']);
    const named = parse(scatterPlot(points, { classes, classNames: ['one', 'two', 'three'] }).toSvg());
    expect(
      findAll(named, 'text')
        .map((t) => t.text)
        .slice(-3),
    ).toEqual(['one', 'two', 'three']);
  });

  it('keeps one scale on both axes, so a square stays square', () => {
    const root = parse(
      scatterPlot([
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]).toSvg(),
    );
    const [a, b, c] = findAll(root, 'circle').map((e) => [Number(e.attributes['cx']), Number(e.attributes['cy'])]);
    expect(Math.abs(b![0]! - a![0]!)).toBeCloseTo(Math.abs(c![1]! - a![1]!), 1);
  });

  it('draws one point, and points that all coincide, with finite coordinates', () => {
    for (const points of [
      [[3, 4]],
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      [[0, 0]],
    ]) {
      const root = parse(scatterPlot(points, { labels: points.map(() => 'p') }).toSvg());
      expect(findAll(root, 'circle')).toHaveLength(points.length);
    }
  });

  it('draws points near ±Number.MAX_VALUE in place, with ticks labelled in their units', () => {
    const points = [
      [1.7e308, -1.7e308],
      [-1.7e308, 1.7e308],
      [0, 0],
      [8.5e307, 0],
    ];
    const root = parse(scatterPlot(points).toSvg());
    const frame = frameOf(root);
    const [a, b, c, d] = findAll(root, 'circle').map((e) => [Number(e.attributes['cx']), Number(e.attributes['cy'])] as const);
    for (const [x, y] of [a!, b!, c!, d!]) expect(x > frame.x0 && x < frame.x1 && y > frame.y0 && y < frame.y1).toBe(true);
    // The origin halfway between the extremes, and 8.5e307 halfway between it and 1.7e308.
    expect(c![0]).toBeCloseTo((a![0] + b![0]) / 2, 1);
    expect(d![0]).toBeCloseTo((a![0] + c![0]) / 2, 1);
    expect(findAll(root, 'text').map((t) => t.text)).toEqual(expect.arrayContaining(['0', '1e+308', '-1e+308']));
  });

  it('lays out 200 000 classes, naming in its legend as many as fit', () => {
    const points = Array.from({ length: 200_000 }, (_, i) => [i % 317, i % 211]);
    const figure = scatterPlot(points, { classes: points.map((_, i) => i) });
    expect(figure.notes).toEqual([expect.stringMatching(/^the legend names \d+ of 200000 classes; colours repeat every \d+$/)]);
  });

  it('gives the same picture for the same input', () => {
    const points = cloud(40, 3);
    const options = { labels: points.map((_, i) => `p${i}`), classes: points.map((_, i) => i % 4) };
    expect(scatterPlot(points, options).toSvg()).toBe(scatterPlot(points, options).toSvg());
  });

  it.each([
    [[], {}, /scatterPlot: points must hold at least one point/],
    [[[0, NaN]], {}, /scatterPlot: point 0 has a non-finite or non-numeric coordinate \(0, NaN\)/],
    [
      [
        [0, 1],
        [Infinity, 1],
      ],
      {},
      /scatterPlot: point 1 has a non-finite/,
    ],
    [[[0, 1, 2]], {}, /scatterPlot: points\[0\] must be an \[x, y\] pair/],
    [new Matrix(new Float32Array(6), 2, 3), {}, /scatterPlot: points must have 2 columns \(x, y\), got 3/],
    ['nope', {}, /scatterPlot: points must be a Matrix \(n, 2\) or an array of \[x, y\] pairs/],
    [[[0, 0]], { labels: ['a', 'b'] }, /scatterPlot: options.labels must have one entry per point \(1\)/],
    [[[0, 0]], { labels: [7] }, /scatterPlot: options.labels\[0\] must be a string, got 7/],
    [[[0, 0]], { classes: [NaN] }, /scatterPlot: options.classes\[0\] must be a finite number or a string/],
    [
      [
        [0, 0],
        [1, 1],
      ],
      { classes: [0, 1], classNames: ['a'] },
      /scatterPlot: options.classNames has 1 names for the 2 classes present/,
    ],
    [[[0, 0]], { classes: [0], classNames: [1] }, /scatterPlot: options.classNames must be an array of strings/],
    [[[0, 0]], { colour: 'red' }, /scatterPlot: unknown option 'colour' in options/],
    [[[0, 0]], { width: 50 }, /scatterPlot: options.width must be between 200 and 10000 pixels, got 50/],
    [[[0, 0]], { title: 3 }, /scatterPlot: options.title must be a string/],
  ])('refuses %j with %j', (points, options, message) => {
    expect(() => scatterPlot(points as never, options as never)).toThrow(message);
  });
});
