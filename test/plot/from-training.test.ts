/**
 * The pictures of trained models, through the package root as users import
 * them, on every backend: an MLP's fit History plots as it is (training and
 * validation, one point per epoch), and a PCA map of an autoencoder's codes
 * has one coloured point per image and a legend of its classes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, type Matrix, PCA, lossPlot, scatterPlot, useBackend } from '../../src/index.js';
import { spirals } from '../../src/datasets/spirals.js';
import { generateShapes, SHAPE_KINDS } from '../../src/datasets/shapes.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { findAll, parseXml } from '../helpers/xml.js';

afterAll(() => useBackend('auto'));

describe.each(backendsUnderTest().map((b) => [b.name]))('pictures of models trained on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('plots an MLP fit History with its validation loss', async () => {
    use();
    const { x, y } = spirals(60, 3, 1);
    const net = new MLP({ layers: [2, 16, 3], task: 'multiclass', hidden: 'tanh', seed: 1 });
    const history = await net.fit(x, y, { epochs: 6, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1 }, validationSplit: 0.2 });
    const lines = findAll(parseXml(lossPlot(history).toSvg()), 'polyline').map((p) => p.attributes['points']!.split(' ').length);
    expect(lines).toEqual([6, 2, 6, 2]);
  });

  it('maps autoencoder codes by PCA, coloured by shape kind', async () => {
    use();
    const shapes = generateShapes(120, { seed: 2 });
    const ae = new Autoencoder({ layers: [784, 8], seed: 1 });
    await ae.fit(shapes.images, { epochs: 1, batchSize: 32 });
    const codes = ae.encode(shapes.images);
    const xy: Matrix = (await PCA.fit(codes, 2)).transform(codes);
    const root = parseXml(scatterPlot(xy, { classes: Array.from(shapes.labels, (k) => SHAPE_KINDS[k]!) }).toSvg());
    const circles = findAll(root, 'circle');
    expect(circles).toHaveLength(120 + SHAPE_KINDS.length);
    for (const c of circles) expect(Number.isFinite(Number(c.attributes['cx'])) && Number.isFinite(Number(c.attributes['cy']))).toBe(true);
    expect(
      findAll(root, 'text')
        .map((t) => t.text)
        .slice(-4),
    ).toEqual([...SHAPE_KINDS].sort());
  });
});
