/**
 * Dropout in the model configs: a per-hidden-layer rate that trains (and is
 * seeded: same seed, same model) but leaves predict and evaluate alone, kept
 * in model files, and checked key by key.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, Matrix, useBackend } from '../../src/index.js';
import { spirals } from '../../src/datasets/spirals.js';
import { backendsUnderTest } from '../helpers/backends.js';

afterAll(() => useBackend('auto'));

const data = spirals(300, 3, 1);
const dir = mkdtempSync(join(tmpdir(), 'fastnn-dropout-'));
const fit = { epochs: 5, batchSize: 16, optimizer: { type: 'adam' as const, lr: 0.01 } };

describe.each(backendsUnderTest().map((b) => [b.name]))('dropout on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('same seed, same model; the rate changes training but not inference', async () => {
    use();
    const make = (dropout: number | number[]) => new MLP({ layers: [2, 32, 32, 3], task: 'multiclass', seed: 4, dropout });
    const a = make([0.2, 0.5]);
    const b = make([0.2, 0.5]);
    const plain = make(0);
    for (const net of [a, b, plain]) await net.fit(data.x, data.y, fit);
    expect(b.params).toEqual(a.params);
    expect(plain.params).not.toEqual(a.params);
    // Inference ignores dropout: a copy of a's weights without it predicts the same, every time.
    const copy = make(0);
    a.params.forEach((p, i) => copy.params[i]!.set(p));
    expect(a.predict(data.x).data).toEqual(copy.predict(data.x).data);
    expect(a.predict(data.x).data).toEqual(a.predict(data.x).data);
    expect(a.evaluate(data.x, data.y)).toEqual(copy.evaluate(data.x, data.y));
  });

  it('model files keep the rates; an autoencoder takes them too', async () => {
    use();
    const net = new MLP({ layers: [2, 8, 3], task: 'multiclass', dropout: 0.25 });
    const path = join(dir, `${name}.safetensors`);
    await net.save(path);
    expect((await MLP.load(path)).dropout).toEqual([0.25]);
    const ae = new Autoencoder({ layers: [2, 4, 1], dropout: [0.1, 0, 0.1] });
    await ae.fit(
      new Matrix(
        data.x.data.map((v) => v / 4),
        data.x.rows,
        2,
      ),
      { epochs: 2 },
    );
    await ae.save(path);
    expect((await Autoencoder.load(path)).dropout).toEqual([0.1, 0, 0.1]);
  });
});

describe('dropout options are checked', () => {
  it.each([
    [{ dropout: 1 }, RangeError, 'MLP: config.dropout must be a rate in [0, 1), got 1'],
    [{ dropout: [0.1] }, RangeError, 'MLP: config.dropout must have 2 rate(s), one per hidden layer, got 1'],
    [{ dropout: [0.1, -0.1] }, RangeError, 'MLP: config.dropout[1] must be a rate in [0, 1), got -0.1'],
    [{ dropout: '0.5' }, TypeError, 'MLP: config.dropout must be a rate or an array of rates, one per hidden layer'],
  ])('%o', (extra, cls, msg) => {
    const make = () => new MLP({ layers: [2, 4, 4, 3], task: 'multiclass', ...(extra as object) });
    expect(make).toThrow(cls);
    expect(make).toThrow(msg);
  });
});
