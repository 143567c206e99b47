/**
 * lossPlot: one polyline point per epoch for each curve (training, then
 * validation), a legend, ticks on a linear or log axis, finite coordinates;
 * the loss falls as the curve goes down the picture; bad input is refused.
 */
import { describe, expect, it } from 'vitest';
import { lossPlot } from '../../src/plot/line.js';
import { findAll, parseXml, type XmlElement } from '../helpers/xml.js';

function curves(root: XmlElement): number[][][] {
  return findAll(root, 'polyline').map((p) => p.attributes['points']!.split(' ').map((xy) => xy.split(',').map(Number)));
}

const texts = (root: XmlElement) => findAll(root, 'text').map((t) => t.text);

describe('lossPlot', () => {
  it('draws training and validation loss, one point per epoch, and names them', () => {
    const root = parseXml(lossPlot({ loss: [1, 0.6, 0.4, 0.3, 0.25], valLoss: [1.1, 0.7, 0.5, 0.45, 0.5] }, { title: 'run' }).toSvg());
    const [train, trainKey, val, valKey] = curves(root); // each curve, then its legend sample
    expect(train).toHaveLength(5);
    expect(val).toHaveLength(5);
    expect([trainKey, valKey].map((k) => k!.length)).toEqual([2, 2]); // legend samples
    for (const [x, y] of [...train!, ...val!]) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    // Falling loss: the curve goes down the picture (SVG y grows downward), epochs left to right.
    for (let i = 1; i < 5; i++) {
      expect(train![i]![1]!).toBeGreaterThan(train![i - 1]![1]!);
      expect(train![i]![0]!).toBeGreaterThan(train![i - 1]![0]!);
    }
    expect(val![4]![1]!).toBeLessThan(val![3]![1]!); // the validation loss rose in the last epoch
    expect(texts(root)).toEqual(expect.arrayContaining(['run', 'training', 'validation', 'epoch', 'loss', '1', '5']));
    expect(findAll(root, 'circle')).toHaveLength(10);
  });

  it('names the second curve and the loss axis as told', () => {
    const root = parseXml(lossPlot({ loss: [1, 0.5], valLoss: [1.2, 0.7] }, { valName: 'test', yTitle: 'bce per image' }).toSvg());
    expect(texts(root)).toEqual(expect.arrayContaining(['training', 'test', 'bce per image']));
    expect(texts(root)).not.toContain('validation');
    expect(() => lossPlot({ loss: [1], valLoss: [1] }, { valName: 3 as never })).toThrow(TypeError);
  });

  it('accepts a fit History as it is and numbers epochs from firstEpoch', () => {
    const root = parseXml(lossPlot({ loss: [0.5, 0.4, 0.3], valLoss: [0.6, 0.5, 0.45], accuracy: [0.8, 0.9, 0.95] } as never, { firstEpoch: 8 }).toSvg());
    expect(texts(root)).toEqual(expect.arrayContaining(['8', '9', '10']));
    expect(texts(root)).not.toContain('1');
  });

  it('puts decades of a log axis equal distances apart', () => {
    const root = parseXml(lossPlot({ loss: [10, 1, 0.1, 0.01] }, { log: true }).toSvg());
    const [train] = curves(root);
    const steps = train!.slice(1).map((p, i) => p[1]! - train![i]![1]!);
    for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 1);
    expect(texts(root)).toEqual(expect.arrayContaining(['0.01', '0.1', '1', '10', 'loss (log scale)']));
  });

  it('draws a single epoch and a flat curve with finite coordinates', () => {
    for (const loss of [[0.7], [0.5, 0.5, 0.5], [0, 0]]) {
      const [train] = curves(parseXml(lossPlot({ loss }).toSvg()));
      expect(train).toHaveLength(loss.length);
      for (const [x, y] of train!) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    }
  });

  it('leaves out markers on long runs but keeps every epoch on the curve', () => {
    const loss = Array.from({ length: 500 }, (_, i) => 1 / (i + 1));
    const root = parseXml(lossPlot({ loss }, { log: true }).toSvg());
    expect(curves(root)[0]).toHaveLength(500);
    expect(findAll(root, 'circle')).toHaveLength(0);
  });

  it('draws 200 000 epochs (a run of per-sample SGD on tiny data)', () => {
    const loss = Array.from({ length: 200_000 }, (_, i) => 1 / (i + 1));
    const [train] = curves(parseXml(lossPlot({ loss, valLoss: loss }).toSvg()));
    expect(train).toHaveLength(200_000);
  });

  it.each([
    [{}, {}, /lossPlot: history.loss \(training loss per epoch\) is required/],
    [null, {}, /lossPlot: history must be an object/],
    [{ loss: [] }, {}, /lossPlot: history.loss must hold at least one epoch's loss/],
    [{ loss: [1, NaN] }, {}, /lossPlot: history.loss\[1\] must be a finite number, got NaN/],
    [{ loss: [1], valLoss: [Infinity] }, {}, /lossPlot: history.valLoss\[0\] must be a finite number/],
    [{ loss: [1, 0] }, { log: true }, /lossPlot: history.loss\[1\] is 0; a log scale needs losses > 0/],
    [{ loss: 5 }, {}, /lossPlot: history.loss must be an array of numbers/],
    [{ loss: [1] }, { log: 'yes' }, /lossPlot: options.log must be a boolean/],
    [{ loss: [1] }, { firstEpoch: 0 }, /lossPlot: options.firstEpoch must be a positive integer, got 0/],
    [{ loss: [1] }, { logScale: true }, /lossPlot: unknown option 'logScale' in options/],
  ])('refuses %j %j', (history, options, message) => {
    expect(() => lossPlot(history as never, options as never)).toThrow(message);
  });
});
