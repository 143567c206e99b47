/**
 * Normalisation in the model configs. The point of it: a 12-hidden-layer
 * sigmoid MLP (the gradient shrinks by σ' ≤ 1/4 per layer) learns nothing
 * and learns with batch normalisation; a deep tanh MLP whose weights start
 * too small learns nothing and learns with layer normalisation (its output
 * no longer depends on the weights' scale); ReLU with He initialisation is
 * the control that learns without. Then predict with batch statistics,
 * model files, the autoencoder's rules and the option checks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, Matrix, useBackend, type ActivationName, type NormName } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

afterAll(() => useBackend('auto'));

/** Two overlapping Gaussian-ish clouds in 8-D: one hidden layer separates them at once. */
function clouds(n: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const x = Matrix.zeros(n, 8);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 8; j++) x.data[i * 8 + j] = (y[i] ? 0.3 : -0.3) * (j < 4 ? 1 : -1) + 2 * (rng.uniform() - 0.5);
  }
  return { x, y };
}
const train = clouds(400, 1);
const test = clouds(400, 2);
const dir = mkdtempSync(join(tmpdir(), 'fastnn-norm-'));

describe.each(backendsUnderTest().map((b) => [b.name]))('layer normalisation on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('12 hidden layers: sigmoid learns only with batch norm, tanh started too small only with layer norm; ReLU + He without', async () => {
    use();
    const deep = async (hidden: ActivationName, norm: NormName | null, weightScale: number) => {
      const net = new MLP({ layers: [8, ...new Array<number>(12).fill(16), 2], task: 'multiclass', hidden, norm, seed: 1 });
      net.params.forEach((p, i) => {
        if (i % 2 === 0)
          p.forEach((v, j) => {
            p[j] = v * weightScale;
          });
      });
      const history = await net.fit(train.x, train.y, { epochs: 10, batchSize: 16, optimizer: { type: 'sgd', lr: 0.01 } });
      return { loss: history.loss.at(-1)!, accuracy: net.evaluate(test.x, test.y).accuracy! };
    };
    // Without: the loss stays at log 2 and the predictions at chance (measured 0.69, 0.50 both).
    for (const plain of [await deep('sigmoid', null, 1), await deep('tanh', null, 0.25)]) {
      expect(plain.loss).toBeGreaterThan(0.68);
      expect(plain.accuracy).toBeLessThan(0.6);
    }
    // With: measured 0.92 (sigmoid + batch), 0.93 / 0.91 (tanh + layer, native / TS), like the ReLU control's 0.915.
    for (const normalised of [await deep('sigmoid', 'batch', 1), await deep('tanh', 'layer', 0.25), await deep('relu', null, 1)]) {
      expect(normalised.accuracy).toBeGreaterThan(0.85);
      expect(normalised.loss).toBeLessThan(0.45);
    }
  });

  it('batch norm predicts from its running statistics: a row gets the same output alone or in any batch', async () => {
    use();
    const net = new MLP({ layers: [8, 12, 2], task: 'multiclass', norm: 'batch', seed: 4 });
    await net.fit(train.x, train.y, { epochs: 2, optimizer: { type: 'adam' } });
    const all = net.predict(test.x);
    const alone = net.predict(new Matrix(test.x.data.slice(0, 8), 1, 8));
    expect(alone.data).toEqual(all.data.subarray(0, 2));
  });

  it('model files store the normalisation parameters as layers.ℓ.norm and restore the model exactly', async () => {
    use();
    const net = new MLP({ layers: [8, 12, 6, 2], task: 'multiclass', norm: ['layer', 'batch'], seed: 2 });
    expect(net.params[1]!.length).toBe(24);
    expect(net.params[3]!.length).toBe(24);
    await net.fit(train.x, train.y, { epochs: 2, optimizer: { type: 'adam' } });
    const path = join(dir, `${name}.safetensors`);
    await net.save(path);
    const back = await MLP.load(path);
    expect(back.norm).toEqual(['layer', 'batch']);
    expect(back.params).toEqual(net.params);
    expect(back.predict(test.x).data).toEqual(net.predict(test.x).data);
  });

  it('batch norm refuses, before training, every fit that would give it a batch of 1 row (PyTorch refuses them too)', async () => {
    use();
    const net = new MLP({ layers: [8, 6, 2], task: 'multiclass', norm: 'batch', seed: 5 });
    const before = net.params.map((p) => p.slice());
    const rows = (n: number) => new Matrix(train.x.data.slice(0, 8 * n), n, 8);
    const need = "MLP.fit: batch normalisation (config.norm 'batch', hidden layer 0) needs at least 2 rows in every batch";
    await expect(net.fit(train.x, train.y, { batchSize: 1 })).rejects.toThrow(
      `${need}, but options.batchSize 1 gives batches of 1 row; use a batch size that does not (e.g. 2)`,
    );
    await expect(net.fit(rows(1), [1], { batchSize: 4 })).rejects.toThrow(`${need}, and there is 1 training row`);
    await expect(net.fit(rows(33), train.y.subarray(0, 33))).rejects.toThrow(
      `${need}, but options.batchSize 32 leaves a last batch of 1 row of the 33 training rows; use a batch size that does not (e.g. 33)`,
    );
    // 41 rows less 8 held out for validation: 33 trained on, the same last batch of 1.
    await expect(net.fit(rows(41), train.y.subarray(0, 41), { validationSplit: 0.2 })).rejects.toThrow('leaves a last batch of 1 row of the 33 training rows');
    const ae = new Autoencoder({ layers: [8, 6, 3], norm: 'batch' });
    await expect(ae.fit(rows(5), { batchSize: 1 })).rejects.toThrow("Autoencoder.fit: batch normalisation (config.norm 'batch', hidden layer 0) needs");
    expect(net.params).toEqual(before);
    // What stays allowed: a frozen batch-normalised layer (running statistics), layer normalisation, batches of 2 or more.
    await net.fit(rows(33), train.y.subarray(0, 33), { batchSize: 1, freeze: [0] });
    await new MLP({ layers: [8, 6, 2], task: 'multiclass', norm: 'layer' }).fit(rows(33), train.y.subarray(0, 33), { batchSize: 1 });
    await net.fit(rows(34), train.y.subarray(0, 34), { batchSize: 32 });
    expect(net.params.every((p) => p.every(Number.isFinite))).toBe(true);
  });

  it('a model file with a negative running variance is refused', async () => {
    use();
    const net = new MLP({ layers: [8, 4, 2], task: 'multiclass', norm: 'batch' });
    net.params[1]![13] = -0.5;
    const path = join(dir, `${name}-negative.safetensors`);
    await net.save(path);
    await expect(MLP.load(path)).rejects.toThrow(`${path}: tensor 'layers.0.norm' holds a negative running variance -0.5 at index 13`);
  });

  it('autoencoders normalise hidden layers around the code; fromEncoder keeps them normalised', async () => {
    use();
    const x = new Matrix(
      train.x.data.map((v) => (v + 1.5) / 3),
      train.x.rows,
      8,
    );
    const ae = new Autoencoder({ layers: [8, 12, 3], norm: ['layer', null, 'layer'], seed: 3 });
    const history = await ae.fit(x, { epochs: 5, optimizer: { type: 'adam', lr: 0.01 } });
    expect(history.loss[4]!).toBeLessThan(history.loss[0]!);
    expect(ae.encode(x).cols).toBe(3);
    const clf = MLP.fromEncoder(ae, { layers: [2], task: 'multiclass' });
    expect(clf.norm).toEqual(['layer', null]);
    expect(clf.params[1]).toEqual(ae.params[1]);
  });

  it('one norm value for an autoencoder normalises every hidden layer but the code layer, and survives a model file', async () => {
    use();
    const x = new Matrix(
      train.x.data.map((v) => (v + 1.5) / 3),
      train.x.rows,
      8,
    );
    const ae = new Autoencoder({ layers: [8, 12, 3], norm: 'batch', seed: 3 });
    expect(ae.norm).toEqual(['batch', null, 'batch']);
    await ae.fit(x, { epochs: 2, optimizer: { type: 'adam', lr: 0.01 } });
    const path = join(dir, `${name}-ae-one-norm.safetensors`);
    await ae.save(path);
    const back = await Autoencoder.load(path);
    expect(back.norm).toEqual(['batch', null, 'batch']);
    expect(back.encode(x).data).toEqual(ae.encode(x).data);
  });
});

describe('normalisation options are checked', () => {
  it.each([
    [{ norm: 'group' }, TypeError, "MLP: config.norm must be 'layer', 'batch' or null, got group"],
    [{ norm: ['layer'] }, RangeError, 'MLP: config.norm must have 2 entries, one per hidden layer, got 1'],
    [{ norm: ['layer', 'group'] }, TypeError, "MLP: config.norm[1] must be 'layer', 'batch' or null, got group"],
    [{ norm: 1 }, TypeError, "MLP: config.norm must be 'layer', 'batch', null or an array of them, one per hidden layer"],
  ])('%o', (extra, cls, msg) => {
    const make = () => new MLP({ layers: [2, 4, 4, 3], task: 'multiclass', ...(extra as object) });
    expect(make).toThrow(cls);
    expect(make).toThrow(msg);
  });

  it('an autoencoder refuses a normalised code layer, and stacked pretraining of normalised layers', async () => {
    expect(() => new Autoencoder({ layers: [4, 3, 2], norm: ['layer', 'layer', 'layer'] })).toThrow(
      'Autoencoder: config.norm[1] must be null: the code layer stays unnormalised, so encode returns its plain activations',
    );
    await expect(new Autoencoder({ layers: [4, 3, 2], norm: ['layer', null, 'layer'] }).pretrainStacked([[0, 1, 0, 1]])).rejects.toThrow(
      'Autoencoder.pretrainStacked: does not pretrain normalised layers (config.norm); use fit',
    );
  });
});
