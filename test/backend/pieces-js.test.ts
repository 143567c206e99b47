/**
 * The TS backend cuts a training step too long for one slice of the event
 * loop into pieces (src/backend/js/pieces.ts): tiles of each product, runs of
 * the optimizer's and the fused update's entries. Cut or not, every element
 * is computed by the same operations in the same order, so the results must
 * be the same bits. Here the piece sizes are shrunk until every product of
 * these small networks is cut into many tiles, and every model option that
 * changes a step (dropout, both normalisations, tied weights, sparsity, input
 * noise, frozen layers, clipping, each optimizer, the fused per-sample
 * update, validation) must train to the same weights and history as uncut.
 * A stop between two pieces drops the batch: what was trained is then what
 * the batches before it train, generator state included.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, POSITION, POSITION_FIELDS, type FitJob, type NetworkSpec } from '../../src/backend/backend.js';
import { gemm, gemmPieces, JB } from '../../src/backend/js/gemm.js';
import { pieceSize } from '../../src/backend/js/pieces.js';
import { Rank1Sgd } from '../../src/backend/js/sgd-rank1.js';
import { TINY_WIDTH } from '../../src/backend/js/tiny-step.js';
import { fit, stepIsOnePiece } from '../../src/backend/js/trainer.js';
import { Autoencoder, MLP, Matrix, useBackend } from '../../src/index.js';
import { Rng } from '../../src/rng.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
const DEFAULT = { ...pieceSize };
const cutSmall = () => Object.assign(pieceSize, { work: 24, entries: 8 });
afterEach(() => {
  Object.assign(pieceSize, DEFAULT);
  vi.restoreAllMocks();
});
afterAll(() => useBackend('auto'));

describe('TS gemm in pieces', () => {
  // Shapes on every path: NT (transB), TT, the blocked NN/TN strip (several JB
  // panels and KB blocks), the direct path and k = 1; k = 0 must still scale c.
  const shapes: [number, number, number][] = [
    [5, 7, 9],
    [3, JB + 37, 11],
    [9, 4, 300],
    [2, 3, 4],
    [6, 5, 1],
    [4, 3, 0],
    [1, 600, 3],
  ];
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('transA=%s transB=%s: the bits of one call', (transA, transB) => {
    const rng = new Rng(11);
    for (const [m, n, k] of shapes) {
      const a = randomF32(rng, m * k, -2, 2);
      const b = randomF32(rng, k * n, -2, 2);
      for (const [alpha, beta] of [
        [1, 0],
        [-0.7, 0.3],
      ] as const) {
        const c0 = randomF32(rng, m * n, -1, 1);
        c0[0] = NaN; // beta = 0 must overwrite it in every tile
        const one = c0.slice();
        const cut = c0.slice();
        gemm(one, a, b, m, n, k, transA, transB, alpha, beta, new Float64Array(Math.min(n, JB)));
        Object.assign(pieceSize, { work: 7 });
        const pieces = gemmPieces(cut, a, b, m, n, k, transA, transB, alpha, beta, new Float64Array(Math.min(n, JB)));
        let count = 1;
        for (let r = pieces.next(); !r.done; r = pieces.next()) {
          expect(r.value, 'a product may stop between tiles').toBe(true);
          count++;
        }
        Object.assign(pieceSize, DEFAULT);
        if (m * n * Math.max(1, k) > 7) expect(count, `${m}x${n}x${k} was not cut`).toBeGreaterThan(1);
        expect(bits(cut), `${m}x${n}x${k} alpha=${alpha}`).toEqual(bits(one));
      }
    }
  });

  it('runs a product of one piece at once', () => {
    const c = new Float32Array(4);
    const pieces = gemmPieces(c, Float32Array.of(1, 2), Float32Array.of(3, 4), 2, 2, 1, false, false, 1, 0, new Float64Array(2));
    expect(pieces.next().done).toBe(true);
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);
  });
});

/** The weights and history `train` leaves, uncut and cut into tiny pieces. */
async function bothWays<M extends { params: Float32Array[] }>(make: () => M, train: (model: M) => Promise<unknown>) {
  useBackend('js');
  const runs = [];
  for (const cut of [false, true]) {
    if (cut) cutSmall();
    const model = make();
    const history = await train(model);
    runs.push({ params: model.params.map(bits), history: JSON.stringify(history) });
    Object.assign(pieceSize, DEFAULT);
  }
  return runs;
}

function data(rows: number, cols: number, seed: number): Matrix {
  return new Matrix(randomF32(new Rng(seed), rows * cols, 0, 1), rows, cols);
}

describe('TS training in pieces gives the bits of training uncut', () => {
  const x = data(40, 6, 1);
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 3);
  const mlpCases = [
    ['minibatch SGD', {}, { optimizer: { type: 'sgd', lr: 0.1 } }],
    ['Adam, clipped, weight decay', {}, { optimizer: { type: 'adam', lr: 0.01, clipNorm: 0.05, weightDecay: 0.01 } }],
    ['Nesterov momentum, validation', {}, { optimizer: { type: 'momentum', lr: 0.05, nesterov: true }, validationSplit: 0.25 }],
    ['dropout and batch normalisation, AdamW', { dropout: 0.3, norm: 'batch' }, { optimizer: { type: 'adamw', lr: 0.01 } }],
    ['layer normalisation', { norm: 'layer' }, { optimizer: { type: 'sgd', lr: 0.05 } }],
    ['per-sample SGD (the fused update)', {}, { batchSize: 1, optimizer: { type: 'sgd', lr: 0.05 } }],
    ['frozen first layer', {}, { freeze: [0], optimizer: { type: 'sgd', lr: 0.1 } }],
    // The best weights are copied in pieces too: here epoch 1's, restored after two worse epochs.
    ['restoring the best weights', {}, { optimizer: { type: 'sgd', lr: 2 }, validationSplit: 0.25, earlyStopping: { restoreBestWeights: true } }],
  ] as const;
  it.each(mlpCases)('MLP: %s', async (_, config, options) => {
    const [uncut, cut] = await bothWays(
      () => new MLP({ layers: [6, 9, 7, 3], task: 'multiclass', hidden: 'tanh', seed: 3, ...config } as ConstructorParameters<typeof MLP>[0]),
      (m) => m.fit(x, labels, { epochs: 3, batchSize: 8, ...options } as Parameters<MLP['fit']>[2]),
    );
    expect(cut).toEqual(uncut);
  });

  it.each([
    ['tied, sparse, denoising', { tiedWeights: true, sparse: { rho: 0.1, beta: 0.5 }, denoise: 0.2, hidden: 'sigmoid' }],
    ['gaussian noise, dropout, Adam', { denoise: { type: 'gaussian', level: 0.1 }, dropout: 0.2 }],
  ] as const)('Autoencoder: %s', async (_, config) => {
    const [uncut, cut] = await bothWays(
      () => new Autoencoder({ layers: [6, 8, 4], loss: 'bce', seed: 5, ...config } as ConstructorParameters<typeof Autoencoder>[0]),
      (m) => m.fit(x, { epochs: 3, batchSize: 8, optimizer: { type: 'adam', lr: 0.01 } }),
    );
    expect(cut).toEqual(uncut);
  });
});

describe('TS training stopped between two pieces', () => {
  const rng = new Rng(9);
  const n = 24;
  const batchSize = 4;
  const base = makeNet(rng, [5, 7, 6, 2], [Activation.relu, Activation.tanh], Loss.mse) as NetworkSpec;
  const net = { ...base, dropout: Float64Array.of(0.25, 0.1) };
  const x = randomF32(rng, n * 5, -1, 1);
  const y = makeTargets(rng, n, 2, Loss.mse);
  const job = (rows: number, over: Partial<FitJob> = {}): FitJob => ({
    net: cloneNet(net),
    x,
    y,
    n: rows,
    ...plainTraining(0.1, 0),
    epochs: 1,
    batchSize,
    shuffle: false,
    rngState: new Rng(5).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(HISTORY_FIELDS.length),
    position: new Float64Array(POSITION_FIELDS.length),
    ...over,
  });

  it('leaves the weights and the generator as the batches before the stop left them', async () => {
    // Every look at stopped() in a whole run: one before each batch, the rest between two pieces of one.
    cutSmall();
    let looks = 0;
    await fit(job(n), null, () => {
      looks++;
      return false;
    });
    Object.assign(pieceSize, DEFAULT);
    expect(looks - (n / batchSize + 1), 'looks between two pieces').toBeGreaterThan(20);
    for (let checks = 0; checks < looks; checks++) {
      cutSmall();
      const stopped = job(n);
      let calls = 0;
      const out = await fit(stopped, null, () => ++calls > checks);
      Object.assign(pieceSize, DEFAULT);
      const steps = out.steps;
      expect(stopped.position![POSITION.steps]).toBe(steps);
      // The same batches, uncut and unstopped: the first steps · batchSize rows in one epoch.
      const whole = job(steps * batchSize);
      if (steps > 0) await fit(whole, null, () => false);
      expect(stopped.net.params.map(bits), `stopped at look ${checks + 1}`).toEqual(whole.net.params.map(bits));
      if (steps > 0 && steps * batchSize < n) {
        expect(Array.from(stopped.rngState), `stopped at look ${checks + 1}`).toEqual(Array.from(whole.rngState));
        expect(stopped.position![POSITION.batch]).toBe(steps);
      }
    }
  });
});

describe('TS steps of one piece', () => {
  const rng = new Rng(4);
  // 282 parameters; 40 hidden units, wider than the tiny step takes
  // (TINY_WIDTH), so its per-sample steps go through Rank1Sgd.
  const net = makeNet(rng, [4, 40, 2], [Activation.tanh], Loss.mse) as NetworkSpec;
  const n = 12;
  const x = randomF32(rng, n * 4, -1, 1);
  const y = makeTargets(rng, n, 2, Loss.mse);
  const job = (): FitJob => ({
    net: cloneNet(net),
    x,
    y,
    n,
    ...plainTraining(0.1, 0),
    epochs: 2,
    batchSize: 1,
    shuffle: true,
    rngState: new Rng(5).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(2 * HISTORY_FIELDS.length),
  });

  it('are the steps whose products and parameters all fit in one piece', () => {
    expect(TINY_WIDTH).toBeLessThan(40);
    // The largest product of 3 rows is 3 × 40 × 4 multiply-adds.
    expect(stepIsOnePiece(net, 3)).toBe(true);
    Object.assign(pieceSize, { work: 480 });
    expect(stepIsOnePiece(net, 3)).toBe(true);
    Object.assign(pieceSize, { work: 479 });
    expect(stepIsOnePiece(net, 3)).toBe(false);
    expect(stepIsOnePiece(net, 2)).toBe(true);
    Object.assign(pieceSize, { work: DEFAULT.work, entries: 282 });
    expect(stepIsOnePiece(net, 3)).toBe(true);
    Object.assign(pieceSize, { entries: 281 });
    expect(stepIsOnePiece(net, 3)).toBe(false);
  });

  it('run with no generator, and longer steps through the pieces, to the same bits', async () => {
    const pieces = vi.spyOn(Rank1Sgd.prototype, 'step');
    const atOnce = vi.spyOn(Rank1Sgd.prototype, 'stepWhole');
    const uncut = job();
    await fit(uncut, null, () => false);
    expect(atOnce).toHaveBeenCalledTimes(2 * n);
    expect(pieces, 'a step of one piece made a generator').not.toHaveBeenCalled();
    atOnce.mockClear();
    cutSmall();
    const cut = job();
    await fit(cut, null, () => false);
    expect(pieces).toHaveBeenCalledTimes(2 * n);
    expect(atOnce).not.toHaveBeenCalled();
    expect(cut.net.params.map(bits)).toEqual(uncut.net.params.map(bits));
    expect(Array.from(cut.history)).toEqual(Array.from(uncut.history));
  });
});
