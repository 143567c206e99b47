/**
 * The training toolkit through the MLP API on every backend: each row of the
 * README's "which loss for which data" table shown on data where it matters,
 * loss configuration and its refusals, validation, early stopping, history
 * and reproducibility.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MLP, Matrix, useBackend, type EpochInfo } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

afterAll(() => useBackend('auto'));

/** A standard normal draw (Box–Muller) from the seeded generator. */
function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
}

/** A Poisson draw by inversion (fine for small rates). */
function poisson(rng: Rng, rate: number): number {
  let k = 0;
  let p = Math.exp(-rate);
  let cdf = p;
  const u = rng.uniform();
  while (u > cdf && k < 1000) {
    k++;
    p *= rate / k;
    cdf += p;
  }
  return k;
}

describe.each(backendsUnderTest().map((b) => [b.name]))('toolkit on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('outliers: huber and l1 recover the line that mse is dragged off', async () => {
    use();
    const rng = new Rng(1);
    const n = 200;
    const x = Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
    // y = 2x + 1, with every 10th target thrown 30 up.
    const y = Float32Array.from(x, (v, i) => 2 * v + 1 + (i % 10 === 0 ? 30 : 0));
    const fitLine = async (loss: 'mse' | 'huber' | 'l1') => {
      const net = new MLP({ layers: [1, 1], task: 'regression', loss, seed: 2 });
      await net.fit(x, y, { epochs: 300, batchSize: n, optimizer: { type: 'adam', lr: 0.05 } });
      return { slope: net.params[0]![0]!, intercept: net.params[1]![0]! };
    };
    const mse = await fitLine('mse');
    const huber = await fitLine('huber');
    const l1 = await fitLine('l1');
    expect(Math.abs(mse.intercept - 1)).toBeGreaterThan(2); // pulled towards the outliers (mean shift 3)
    expect(Math.abs(huber.intercept - 1)).toBeLessThan(0.6);
    expect(Math.abs(l1.intercept - 1)).toBeLessThan(0.3);
    expect(Math.abs(l1.slope - 2)).toBeLessThan(0.3);
  });

  it('counts: poissonNll on a log-rate output learns the rate', async () => {
    use();
    const rng = new Rng(3);
    const n = 2000;
    const x = Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
    const y = Float32Array.from(x, (v) => poisson(rng, Math.exp(0.8 * v + 0.5)));
    const net = new MLP({ layers: [1, 1], task: 'regression', loss: 'poissonNll', seed: 4 });
    await net.fit(x, y, { epochs: 40, batchSize: 32, optimizer: { type: 'adam', lr: 0.05 } });
    // Minibatch noise at this step size moves the estimate by a few hundredths.
    expect(Math.abs(net.params[0]![0]! - 0.8)).toBeLessThan(0.15);
    expect(Math.abs(net.params[1]![0]! - 0.5)).toBeLessThan(0.15);
    const rates = net.predict([[0], [1]]);
    expect(rates.get(0, 0)).toBeCloseTo(Math.exp(0.5), 0);
    expect(rates.get(1, 0)).toBeGreaterThan(rates.get(0, 0)); // predict returns e^z, a rate
    await expect(
      net.fit(
        x,
        Float32Array.from(y, (v, i) => (i === 5 ? -1 : v)),
      ),
    ).rejects.toThrow('y must hold counts ≥ 0 for the poissonNll loss, got -1 at row 5');
  });

  it('sigmoidMse on a regression output refuses targets its sigmoid cannot reach, as on binary and multilabel ones', async () => {
    use();
    const net = new MLP({ layers: [1, 1], task: 'regression', loss: 'sigmoidMse', seed: 1 });
    const x = Float32Array.of(0, 0.5, 1);
    for (const bad of [5, -3, 1e30]) {
      const y = Float32Array.of(0.2, bad, 1);
      const message = `y must hold values in [0, 1] for the sigmoidMse loss, got ${Math.fround(bad)} at row 1`;
      await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(`MLP.fit: ${message}`);
      expect(() => net.evaluate(x, y)).toThrow(`MLP.evaluate: ${message}`);
    }
    await net.fit(x, Float32Array.of(0, 0.5, 1), { epochs: 1 });
  });

  it('heteroscedastic noise: gaussianNll predicts a mean and a variance that grows with it', async () => {
    use();
    const rng = new Rng(5);
    const n = 1000;
    const x = Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
    // Noise standard deviation 0.05 at x = −1 up to 1.05 at x = 1.
    const y = Float32Array.from(x, (v) => v + (0.55 + 0.5 * v) * normal(rng));
    const net = new MLP({ layers: [1, 16, 2], task: 'regression', hidden: 'tanh', loss: 'gaussianNll', seed: 6 });
    await net.fit(x, y, { epochs: 60, batchSize: 32, optimizer: { type: 'adam', lr: 0.01 } });
    const out = net.predict([[-0.8], [0.8]]);
    expect(out.cols).toBe(2); // mean, variance
    expect(out.get(0, 0)).toBeCloseTo(-0.8, 0);
    const [lowVar, highVar] = [out.get(0, 1), out.get(1, 1)];
    expect(lowVar).toBeGreaterThan(0);
    expect(highVar / lowVar).toBeGreaterThan(10); // true ratio (0.95/0.15)² ≈ 40
    expect(net.evaluate(x, y).mse).toBeLessThan(0.5);
  });

  it('imbalance: class weights and focal loss raise the recall of a rare class', async () => {
    use();
    const rng = new Rng(7);
    const n = 1000;
    const x = Matrix.zeros(n, 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 20 === 0 ? 1 : 0; // 5% positives, overlapping the negatives
      x.data[2 * i] = normal(rng) + (y[i] ? 1.5 : 0);
      x.data[2 * i + 1] = normal(rng);
    }
    const recall = (pred: Int32Array) => pred.filter((c, i) => y[i] === 1 && c === 1).length / 50;
    const opts = { epochs: 30, batchSize: 32, optimizer: { type: 'adam' as const, lr: 0.01 } };
    const plain = new MLP({ layers: [2, 2], task: 'multiclass', seed: 8 });
    await plain.fit(x, y, opts);
    const weighted = new MLP({ layers: [2, 2], task: 'multiclass', seed: 8, loss: { type: 'softmaxCrossEntropy', classWeights: [1, 19] } });
    await weighted.fit(x, y, opts);
    expect(recall(weighted.predictClass(x))).toBeGreaterThan(recall(plain.predictClass(x)) + 0.3);
    const bce = new MLP({ layers: [2, 1], task: 'binary', seed: 8 });
    await bce.fit(x, y, opts);
    const focal = new MLP({ layers: [2, 1], task: 'binary', seed: 8, loss: { type: 'focal', gamma: 2, alpha: 0.9 } });
    await focal.fit(x, y, opts);
    expect(recall(focal.predictClass(x))).toBeGreaterThan(recall(bce.predictClass(x)) + 0.3);
  });

  it('margins: binary and multiclass hinge separate separable data with scores', async () => {
    use();
    const rng = new Rng(9);
    const n = 200;
    const x = Matrix.zeros(n, 2);
    const y = new Int32Array(n);
    const k = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = 2 * rng.uniform() - 1;
      const b = 2 * rng.uniform() - 1;
      x.data[2 * i] = a;
      x.data[2 * i + 1] = b;
      y[i] = a + b > 0 ? 1 : 0;
      k[i] = a > 0.3 ? 2 : b > 0 ? 1 : 0;
    }
    const svm = new MLP({ layers: [2, 1], task: 'binary', loss: 'hinge', seed: 10 });
    await svm.fit(x, y, { epochs: 100, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1 } });
    expect(svm.evaluate(x, y).accuracy).toBeGreaterThan(0.97);
    expect(svm.predict([[1, 1]]).get(0, 0)).toBeGreaterThan(1); // a raw score beyond the margin, not a probability
    const multi = new MLP({ layers: [2, 16, 3], task: 'multiclass', hidden: 'relu', loss: 'multiclassHinge', seed: 11 });
    await multi.fit(x, k, { epochs: 100, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 } });
    expect(multi.evaluate(x, k).accuracy).toBeGreaterThan(0.95);
  });

  it('validation, early stopping and restore-best through fit; history goes to onEpoch', async () => {
    use();
    const rng = new Rng(12);
    const n = 300;
    const x = Matrix.zeros(n, 4);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 4; d++) x.data[4 * i + d] = normal(rng);
      y[i] = rng.below(3); // labels are noise: validation loss must turn up
    }
    const seen: EpochInfo[] = [];
    const net = new MLP({ layers: [4, 64, 3], task: 'multiclass', seed: 13 });
    const history = await net.fit(x, y, {
      epochs: 500,
      batchSize: 16,
      optimizer: { type: 'adam', lr: 0.01 },
      validationSplit: 0.3,
      earlyStopping: { patience: 4, restoreBestWeights: true },
      onEpoch: (e) => seen.push(e),
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.loss.length).toBe(history.bestEpoch + 4);
    expect(history.valLoss!.length).toBe(history.loss.length);
    expect(history.accuracy!.length).toBe(history.loss.length);
    expect(seen.map((e) => e.epoch)).toEqual(history.loss.map((_, i) => i + 1));
    expect(seen[0]).toEqual({
      epoch: 1,
      loss: history.loss[0],
      accuracy: history.accuracy![0],
      valLoss: history.valLoss![0],
      valAccuracy: history.valAccuracy![0],
      lr: 0.01,
      skipped: 0,
    });
    const best = Math.min(...history.valLoss!);
    expect(history.valLoss![history.bestEpoch - 1]).toBe(best);
    // The weights are the best epoch's: the held-out 30% (the last 90 rows) scores its loss.
    const held = new Matrix(x.data.subarray(210 * 4), 90, 4);
    expect(net.evaluate(held, y.subarray(210)).loss).toBeCloseTo(best, 4);
  });

  it('same seed and settings give the same history and weights', async () => {
    use();
    const rng = new Rng(14);
    const x = Matrix.zeros(120, 3);
    x.data.forEach((_, i) => (x.data[i] = normal(rng)));
    const y = Float32Array.from({ length: 120 }, (_, i) => x.data[3 * i]! - x.data[3 * i + 2]!);
    const run = async () => {
      const net = new MLP({ layers: [3, 8, 1], task: 'regression', loss: { type: 'huber', delta: 0.5 }, seed: 15 });
      const h = await net.fit(x, y, {
        epochs: 8,
        batchSize: 10,
        optimizer: { type: 'momentum', lr: 0.02, nesterov: true, clipNorm: 5, weightDecay: 1e-4 },
        schedule: { type: 'cosine', per: 'step', warmup: 20 },
        validationData: { x, y },
      });
      return { h, params: net.params };
    };
    const [a, b] = [await run(), await run()];
    expect(a.h).toEqual(b.h);
    a.params.forEach((p, i) => expect(p).toEqual(b.params[i]));
    // 12 steps per epoch: epoch 1 ends in the 20-step warm-up (0.02·12/20), epoch 2 near the top.
    expect(a.h.lr[0]).toBeCloseTo(0.012, 9);
    expect(a.h.lr[1]).toBeGreaterThan(a.h.lr[0]!);
  });

  it('skips non-finite batches when asked and counts them', async () => {
    use();
    // An input of 1e30 is finite, and so is its loss (~1e59 in float64), but
    // its weight gradient (~1e59) overflows float32: every batch with it is skipped.
    const x = Float32Array.from({ length: 40 }, (_, i) => (i === 7 ? 1e30 : i / 40));
    const y = Float32Array.from({ length: 40 }, (_, i) => i / 40);
    const net = new MLP({ layers: [1, 1], task: 'regression', seed: 1 });
    const h = await net.fit(x, y, { epochs: 3, batchSize: 4, onNonFinite: 'skip', optimizer: { type: 'sgd', lr: 0.1 } });
    expect(h.skipped).toEqual([1, 1, 1]);
    expect(net.params.every((p) => p.every(Number.isFinite))).toBe(true);
    await expect(net.fit(x, y, { epochs: 1, batchSize: 4 })).rejects.toThrow(/MLP.fit: non-finite gradient at epoch 1, batch \d+; that batch was not applied/);
  });
});

describe('loss configuration', () => {
  it.each([
    [
      { layers: [2, 1], task: 'regression', loss: 'softmaxCrossEntropy' },
      TypeError,
      "MLP: loss 'softmaxCrossEntropy' does not fit a regression network (it is for multiclass outputs); for regression use one of mse, l1, huber, gaussianNll, poissonNll, sigmoidMse",
    ],
    [{ layers: [2, 3], task: 'multiclass', loss: 'mse' }, TypeError, "MLP: loss 'mse' does not fit a multiclass network"],
    [{ layers: [2, 3], task: 'multilabel', loss: 'hinge' }, TypeError, "MLP: loss 'hinge' does not fit a multilabel network (it is for binary outputs)"],
    [
      { layers: [2, 1], task: 'regression', loss: 'crossEntropy' },
      TypeError,
      'MLP: config.loss must be one of mse, l1, huber, gaussianNll, poissonNll, sigmoidCrossEntropy, sigmoidMse, focal, hinge, softmaxCrossEntropy, multiclassHinge, got crossEntropy',
    ],
    [
      { layers: [2, 3], task: 'regression', loss: 'gaussianNll' },
      RangeError,
      "MLP: loss 'gaussianNll' needs an even number of outputs (a mean and a log-variance per target), got 3",
    ],
    [{ layers: [2, 1], task: 'regression', loss: { type: 'huber', delta: 0 } }, RangeError, 'MLP: config.loss.delta must be a number in (0, Infinity), got 0'],
    [
      { layers: [2, 1], task: 'regression', loss: { type: 'huber', delt: 1 } },
      TypeError,
      "MLP: unknown option 'delt' in config.loss (expected one of: type, delta)",
    ],
    [{ layers: [2, 1], task: 'binary', loss: { type: 'focal', alpha: 2 } }, RangeError, 'MLP: config.loss.alpha must be a number in [0, 1], got 2'],
    [
      { layers: [2, 3], task: 'multiclass', loss: { type: 'softmaxCrossEntropy', classWeights: [1, 2] } },
      RangeError,
      'MLP: config.loss.classWeights must have 3 entries, one per class, got 2',
    ],
    [
      { layers: [2, 3], task: 'multiclass', loss: { type: 'softmaxCrossEntropy', smoothing: 1 } },
      RangeError,
      'MLP: config.loss.smoothing must be a number in [0, 1), got 1',
    ],
    [{ layers: [2, 3], task: 'multiclass', loss: 42 }, TypeError, 'MLP: config.loss must be a loss name or an object with a type'],
  ])('%j is refused', (config, cls, message) => {
    const make = () => new MLP(config as never);
    expect(make).toThrow(cls);
    expect(make).toThrow(message);
  });

  it('label smoothing keeps the loss above zero on perfectly fitted data', async () => {
    const net = new MLP({ layers: [1, 2], task: 'multiclass', loss: { type: 'softmaxCrossEntropy', smoothing: 0.2 }, seed: 1 });
    const x = [[-1], [1]];
    await net.fit(x, [0, 1], { epochs: 400, batchSize: 2, optimizer: { type: 'adam', lr: 0.1 } });
    // The optimum puts probability 0.9 (= 1 − ε + ε/K) on the right class, not 1.
    expect(net.predict(x).get(1, 1)).toBeCloseTo(0.9, 2);
  });

  it('the loss and its parameters survive save and load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fastnn-loss-'));
    try {
      const net = new MLP({
        layers: [2, 3],
        task: 'multiclass',
        loss: { type: 'softmaxCrossEntropy', classWeights: new Float32Array([1, 2, 3]), smoothing: 0.1 },
      });
      await net.save(join(dir, 'm.safetensors'));
      const again = await MLP.load(join(dir, 'm.safetensors'));
      expect(again.loss.name).toBe('softmaxCrossEntropy');
      expect(Array.from(again.loss.params.classWeights)).toEqual([1, 2, 3]);
      expect(again.loss.params.smoothing).toBeCloseTo(0.1, 7);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ optimizer: { type: 'adam', beta1: 1 } }, RangeError, 'options.optimizer.beta1 must be a number in [0, 1), got 1'],
    [{ optimizer: { type: 'sgd', momentum: 0.5, nesterv: true } }, TypeError, "unknown option 'nesterv' in options.optimizer"],
    [{ schedule: { type: 'linear' } }, TypeError, 'options.schedule.type must be one of constant, step, exponential, cosine, got linear'],
    [{ schedule: { type: 'step', per: 'batch' } }, TypeError, "options.schedule.per must be 'epoch' or 'step', got batch"],
    [{ validationSplit: 1 }, RangeError, 'options.validationSplit must be a fraction below 1, got 1'],
    [{ validationSplit: 0.1 }, RangeError, 'options.validationSplit 0.1 of 4 rows must leave at least one row for each side'],
    [{ validationSplit: 0.5, validationData: { x: [[0, 0]], y: [0] } }, TypeError, 'give options.validationSplit or options.validationData, not both'],
    [{ earlyStopping: { monitor: 'valLoss' } }, TypeError, "options.earlyStopping.monitor 'valLoss' needs validationSplit or validationData"],
    [{ earlyStopping: { patience: 0 } }, RangeError, 'options.earlyStopping.patience must be a positive integer, got 0'],
    [{ earlyStopping: { patiense: 3 } }, TypeError, "unknown option 'patiense' in options.earlyStopping"],
    [{ onNonFinite: 'ignore' }, TypeError, "options.onNonFinite must be 'error' or 'skip', got ignore"],
  ])('fit option %j is refused', async (options, cls, message) => {
    const net = new MLP({ layers: [2, 2], task: 'multiclass' });
    const call = () =>
      net.fit(
        [
          [0, 0],
          [1, 1],
          [0, 1],
          [1, 0],
        ],
        [0, 1, 0, 1],
        options as never,
      );
    await expect(call()).rejects.toThrow(cls);
    await expect(call()).rejects.toThrow(message);
  });

  it('a regression network has no accuracy to monitor', async () => {
    const net = new MLP({ layers: [1, 1], task: 'regression' });
    await expect(net.fit([[0], [1]], [0, 1], { earlyStopping: { monitor: 'accuracy' } })).rejects.toThrow(
      "options.earlyStopping.monitor 'accuracy' needs a classification task",
    );
  });
});

describe('optimizer state on the model', () => {
  it('is JS-owned Float32Arrays shaped like the params, carried over by the next fit of the same type', async () => {
    const net = new MLP({ layers: [2, 3, 2], task: 'multiclass', seed: 1 });
    const x = [
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    const y = [0, 1, 1, 0];
    await net.fit(x, y, { epochs: 2, batchSize: 2, optimizer: { type: 'adam' } });
    const state = net.optimizerState!;
    expect(state.type).toBe('adam');
    expect(state.step[0]).toBe(4);
    expect(state.state.map((s) => s.length)).toEqual([...net.params, ...net.params].map((p) => p.length));
    await net.fit(x, y, { epochs: 1, batchSize: 2, optimizer: { type: 'adam' } });
    expect(net.optimizerState).toBe(state);
    expect(state.step[0]).toBe(6);
    await net.fit(x, y, { epochs: 1, batchSize: 4, optimizer: { type: 'momentum' } });
    expect(net.optimizerState!.type).toBe('momentum');
    expect(net.optimizerState!.step[0]).toBe(1);
  });
});
