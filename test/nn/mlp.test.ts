/**
 * The MLP on every backend: the classic perceptron results, each task on
 * separable synthetic data, determinism, and argument errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MLP, Matrix, NonFiniteError, useBackend } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

const truthTable = Matrix.fromArrays([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);

/** Points in `classes` well-separated Gaussian-ish blobs (uniform noise around centres). */
function blobs(n: number, dim: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => 8 * rng.uniform() - 4));
  const x = Matrix.zeros(n, dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let d = 0; d < dim; d++) x.data[i * dim + d] = centres[c]![d]! + (rng.uniform() - 0.5);
  }
  return { x, y };
}

afterAll(() => useBackend('auto'));

describe.each(backendsUnderTest().map((b) => [b.name]))('MLP on %s', (name) => {
  useBackend(name as 'js' | 'native');
  // describe.each bodies run at collection time; switch again before each test.
  const use = () => useBackend(name as 'js' | 'native');

  it('one per-sample step is the classic rule Δw = η(r − y)x', async () => {
    use();
    const net = new MLP({ layers: [3, 1], task: 'regression', seed: 3 });
    const w0 = Float32Array.from(net.params[0]!);
    const b0 = net.params[1]![0]!;
    const x = Float32Array.of(0.5, -1, 2);
    const r = 0.75;
    const y = w0[0]! * x[0]! + w0[1]! * x[1]! + w0[2]! * x[2]! + b0;
    const eta = 0.1;
    await net.fit(x, [r], { epochs: 1, batchSize: 1, optimizer: { type: 'sgd', lr: eta } });
    for (let j = 0; j < 3; j++) expect(net.params[0]![j]).toBeCloseTo(w0[j]! + eta * (r - y) * x[j]!, 6);
    expect(net.params[1]![0]).toBeCloseTo(b0 + eta * (r - y), 6);
  });

  it('a perceptron learns AND and OR but not XOR; a hidden layer learns XOR', async () => {
    use();
    const fitGate = async (layers: number[], labels: number[], epochs: number) => {
      const net = new MLP({ layers, task: 'binary', hidden: 'tanh', seed: 7 });
      await net.fit(truthTable, labels, { epochs, batchSize: 1, optimizer: { type: 'sgd', lr: 0.3 } });
      return Array.from(net.predictClass(truthTable));
    };
    expect(await fitGate([2, 1], [0, 0, 0, 1], 200)).toEqual([0, 0, 0, 1]);
    expect(await fitGate([2, 1], [0, 1, 1, 1], 200)).toEqual([0, 1, 1, 1]);
    // A linear boundary gets at most 3 of the 4 XOR points right.
    const xorByPerceptron = await fitGate([2, 1], [0, 1, 1, 0], 500);
    expect(xorByPerceptron.filter((c, i) => c === [0, 1, 1, 0][i]).length).toBeLessThanOrEqual(3);
    // lr 0.3 for 2000 epochs learned XOR from each of 20 seeds tried (lr 0.5: 17 of 20).
    expect(await fitGate([2, 4, 1], [0, 1, 1, 0], 2000)).toEqual([0, 1, 1, 0]);
  });

  it('multiclass: learns separable blobs', async () => {
    use();
    const train = blobs(300, 4, 5, 11);
    const net = new MLP({ layers: [4, 16, 5], task: 'multiclass', seed: 1 });
    const history = await net.fit(train.x, train.y, { epochs: 30, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1 } });
    expect(history.loss).toHaveLength(30);
    expect(history.loss[29]!).toBeLessThan(history.loss[0]!);
    const { accuracy } = net.evaluate(train.x, train.y);
    expect(accuracy).toBeGreaterThan(0.95);
    const probs = net.predict(train.x);
    for (let i = 0; i < 5; i++) expect(probs.row(i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('multilabel: learns three independent linear labels', async () => {
    use();
    const rng = new Rng(5);
    const n = 400;
    const x = Matrix.zeros(n, 3);
    const y = Matrix.zeros(n, 3);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 3; d++) x.data[i * 3 + d] = 2 * rng.uniform() - 1;
      const [a, b, c] = x.row(i);
      y.data[i * 3] = a! > 0.1 ? 1 : 0;
      y.data[i * 3 + 1] = a! + b! > 0 ? 1 : 0;
      y.data[i * 3 + 2] = c! - a! > 0.2 ? 1 : 0;
    }
    const net = new MLP({ layers: [3, 3], task: 'multilabel', seed: 2 });
    await net.fit(x, y, { epochs: 60, batchSize: 8, optimizer: { type: 'sgd', lr: 0.5 } });
    const { accuracy, exactMatch } = net.evaluate(x, y);
    expect(accuracy).toBeGreaterThan(0.95);
    expect(exactMatch).toBeGreaterThan(0.85);
    const labels = net.predictLabels(x, [0.5, 0.5, 0.5]);
    expect(labels.cols).toBe(3);
    expect(new Set(labels.data)).toEqual(new Set([0, 1]));
  });

  it('regression: fits a linear function with a hidden layer', async () => {
    use();
    const rng = new Rng(9);
    const n = 256;
    const x = Matrix.zeros(n, 2);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x.data[2 * i] = 2 * rng.uniform() - 1;
      x.data[2 * i + 1] = 2 * rng.uniform() - 1;
      y[i] = 2 * x.data[2 * i]! - 3 * x.data[2 * i + 1]! + 1;
    }
    const net = new MLP({ layers: [2, 8, 1], task: 'regression', hidden: 'tanh', seed: 4 });
    await net.fit(x, y, { epochs: 100, batchSize: 8, optimizer: { type: 'sgd', lr: 0.05 } });
    expect(net.evaluate(x, y).mse).toBeLessThan(0.01);
  });

  it('the same seed gives the same weights; another seed does not', async () => {
    use();
    const data = blobs(64, 3, 3, 2);
    const train = async (seed: number) => {
      const net = new MLP({ layers: [3, 6, 3], task: 'multiclass', seed });
      await net.fit(data.x, data.y, { epochs: 3, batchSize: 5 });
      return net.params;
    };
    const [a, b, c] = [await train(1), await train(1), await train(2)];
    a.forEach((p, i) => expect(p).toEqual(b[i]));
    expect(a[0]).not.toEqual(c[0]);
  });

  it('an aborted fit rejects with the reason and leaves finite, usable weights', async () => {
    use();
    const data = blobs(2000, 8, 4, 3);
    const net = new MLP({ layers: [8, 64, 4], task: 'multiclass', seed: 1 });
    const controller = new AbortController();
    const epochs: number[] = [];
    const fitting = net.fit(data.x, data.y, {
      epochs: 1000,
      batchSize: 1,
      signal: controller.signal,
      onEpoch: ({ epoch }) => epochs.push(epoch),
    });
    setTimeout(() => controller.abort(new Error('stop now')), 30);
    await expect(fitting).rejects.toThrow('stop now');
    expect(epochs.length).toBeLessThan(1000);
    expect(net.params.every((p) => p.every(Number.isFinite))).toBe(true);
    expect(net.predict(data.x).rows).toBe(2000);
  });

  it('refuses a second call while fitting', async () => {
    use();
    const data = blobs(500, 4, 2, 3);
    const net = new MLP({ layers: [4, 8, 2], task: 'multiclass' });
    const fitting = net.fit(data.x, data.y, { epochs: 5, batchSize: 1 });
    expect(() => net.predict(data.x)).toThrow('MLP.predict: the model is busy training');
    await expect(net.fit(data.x, data.y)).rejects.toThrow('MLP.fit: the model is busy training');
    await fitting;
    expect(net.predict(data.x).rows).toBe(500);
  });

  it('stops on a non-finite loss, naming epoch and batch, without writing NaN', async () => {
    use();
    const net = new MLP({ layers: [1, 4, 1], task: 'regression', hidden: 'relu', seed: 1 });
    const x = Float32Array.from({ length: 64 }, (_, i) => i);
    const y = Float32Array.from({ length: 64 }, (_, i) => 1e18 * i);
    const failure = await net.fit(x, y, { epochs: 5, batchSize: 4, optimizer: { type: 'sgd', lr: 1e10 } }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NonFiniteError);
    expect(failure).toMatchObject({ code: 'ERR_FASTNN_NON_FINITE', quantity: 'loss' });
    const { epoch, batch, message } = failure as NonFiniteError;
    expect(message).toContain(`MLP.fit: non-finite loss at epoch ${epoch}, batch ${batch}`);
    expect(epoch >= 1 && batch >= 0 && batch < 16).toBe(true);
    expect(net.params.every((p) => p.every(Number.isFinite))).toBe(true);
  });
});

describe('MLP argument errors', () => {
  const net = new MLP({ layers: [2, 3, 2], task: 'multiclass' });
  const x = Matrix.zeros(4, 2);
  /** A (rows, cols) matrix of zeros but for `value` at flat index `at`. */
  const zerosWith = (rows: number, cols: number, at: number, value: number) => {
    const m = Matrix.zeros(rows, cols);
    m.data[at] = value;
    return m;
  };

  it.each([
    [() => new MLP({ layers: [2], task: 'binary' }), TypeError, 'config.layers must be an array of at least 2'],
    [() => new MLP({ layers: [2, 0, 1], task: 'binary' }), RangeError, 'config.layers[1] must be a positive integer, got 0'],
    [() => new MLP({ layers: [2, 1.5], task: 'regression' }), RangeError, 'config.layers[1] must be a positive integer'],
    [() => new MLP({ layers: [2, 3], task: 'ranking' as never }), TypeError, 'config.task must be one of'],
    [() => new MLP({ layers: [2, 3], task: 'binary' }), RangeError, 'a binary network needs exactly 1 output(s), got 3'],
    [() => new MLP({ layers: [2, 1], task: 'multiclass' }), RangeError, 'needs at least 2 output(s)'],
    [() => new MLP({ layers: [2, 3, 1], task: 'binary', hidden: 'swish' as never }), TypeError, 'config.hidden must be one of'],
    [() => new MLP({ layers: [2, 3, 1], task: 'binary', hidden: ['relu', 'relu'] }), RangeError, 'one per hidden layer, got 2'],
    [() => new MLP({ layers: [2, 1], task: 'binary', sed: 1 } as never), TypeError, "unknown option 'sed' in config"],
    [() => new MLP({ layers: [2, 1], task: 'binary', seed: -1 }), RangeError, 'config.seed must be an integer'],
  ])('constructor %#', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it.each([
    [() => net.fit(Matrix.zeros(4, 3), [0, 1, 0, 1]), RangeError, 'MLP.fit: x must have 2 columns, got shape (4, 3)'],
    [() => net.fit(new Float32Array(5), [0, 1]), RangeError, 'x has length 5, not a multiple of 2 columns'],
    [() => net.fit(new Float64Array(8) as never, [0, 1, 0, 1]), TypeError, 'x must be a Matrix, a Float32Array or an array of rows'],
    [() => net.fit('data' as never, [0]), TypeError, 'x must be a Matrix'],
    [() => net.fit(new Matrix(Float32Array.of(0, 1, NaN, 2), 2, 2), [0, 1]), RangeError, 'x contains NaN at row 1, column 0'],
    [() => net.fit(new Matrix(Float32Array.of(0, Infinity), 1, 2), [0]), RangeError, 'x contains Infinity at row 0, column 1'],
    [() => net.fit(x, [0, 1, 2, 0]), RangeError, 'y[2] must be a class index in [0, 1], got 2'],
    [() => net.fit(x, [0, 1, 0.5, 0]), RangeError, 'y[2] must be a class index in [0, 1], got 0.5'],
    [() => net.fit(x, [0, 1, 1]), RangeError, 'y has 3 rows but x has 4'],
    [() => net.fit(x, [0, 1, 1, 0], { epoch: 3 } as never), TypeError, "unknown option 'epoch' in options"],
    [() => net.fit(x, [0, 1, 1, 0], { batchSize: 0 }), RangeError, 'options.batchSize must be a positive integer, got 0'],
    [() => net.fit(x, [0, 1, 1, 0], { epochs: 2 ** 31 }), RangeError, 'MLP.fit: options.epochs must be at most 2147483647, got 2147483648'],
    [() => net.fit(x, [0, 1, 1, 0], { optimizer: { type: 'sgd', lr: NaN } }), RangeError, 'options.optimizer.lr must be a finite number'],
    [
      () => net.fit(x, [0, 1, 1, 0], { optimizer: { type: 'rmsprop' } as never }),
      TypeError,
      'options.optimizer.type must be one of sgd, momentum, adam, adamw, got rmsprop',
    ],
    [() => net.fit(Matrix.zeros(0, 2), []), RangeError, 'x must have at least one row'],
    // From 16 384 values the backend scans a set off the JS thread; smaller ones are scanned where they are.
    [() => net.fit(zerosWith(8192, 2, 8000 * 2 + 1, NaN), new Array(8192).fill(0)), RangeError, 'x contains NaN at row 8000, column 1'],
    [() => net.fit(zerosWith(8191, 2, 8000 * 2 + 1, NaN), new Array(8191).fill(0)), RangeError, 'x contains NaN at row 8000, column 1'],
    [
      () => new MLP({ layers: [2, 2], task: 'multilabel' }).fit(Matrix.zeros(8192, 2), zerosWith(8192, 2, 7000 * 2, 2)),
      RangeError,
      'y must hold probabilities in [0, 1], got 2 at row 7000',
    ],
  ])('fit %#', async (call, type, message) => {
    const rejection = expect(call()).rejects;
    await rejection.toThrow(type);
    await expect(call()).rejects.toThrow(message);
  });

  it('binary and multilabel targets are checked', async () => {
    const binary = new MLP({ layers: [2, 1], task: 'binary' });
    await expect(binary.fit(x, [0, 1, 2, 0])).rejects.toThrow('y[2] must be 0 or 1, got 2');
    const multi = new MLP({ layers: [2, 2], task: 'multilabel' });
    await expect(multi.fit(x, [0, 1, 1, 0])).rejects.toThrow(TypeError);
    await expect(
      multi.fit(
        x,
        Matrix.fromArrays([
          [0, 1],
          [1, 1],
          [2, 0],
          [0, 0],
        ]),
      ),
    ).rejects.toThrow('y must hold probabilities in [0, 1], got 2 at row 2');
    expect(() => multi.predictClass(x)).toThrow('only for binary or multiclass');
    expect(() => binary.predictLabels(x)).toThrow('only for multilabel');
  });

  it('predict checks its input too', () => {
    expect(() => net.predict(Matrix.zeros(2, 5))).toThrow(RangeError);
    expect(() => net.predict([[1, 2], [3]])).toThrow('x[1] must have 2 values, got 1');
  });
});
