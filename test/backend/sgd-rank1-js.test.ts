/**
 * The TS backend's fused per-sample SGD update (src/backend/js/sgd-rank1.ts):
 * bit for bit the general path (batchGradient + optimizerStep) on several
 * nets, losses and options, its fallback when its bounds cannot prove the
 * update finite (at the bound and just below it), native's dispatch
 * condition, and the trainer's clock interval around its thresholds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Norm, Optimizer, type FitJob, type NetworkSpec } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { allocBatchWorkspace, batchDeltas, batchGradient } from '../../src/backend/js/network.js';
import { optimizerStep } from '../../src/backend/js/optimizers.js';
import { whole } from '../../src/backend/js/pieces.js';
import { Rank1Sgd } from '../../src/backend/js/sgd-rank1.js';
import { CLOCK_BATCHES, CLOCK_WORK, clockInterval } from '../../src/backend/js/trainer.js';
import { Rng } from '../../src/rng.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

function problem(seed: number, sizes: number[], hidden: number, loss: number, n = 24) {
  const rng = new Rng(seed);
  const net = makeNet(
    rng,
    sizes,
    sizes.slice(2).map(() => hidden),
    loss,
  );
  return { net, x: randomF32(rng, n * sizes[0]!, -1, 1), y: makeTargets(rng, n, sizes[sizes.length - 1]!, loss), n };
}

function job(p: ReturnType<typeof problem>, over: Partial<FitJob> = {}): FitJob {
  const epochs = over.epochs ?? 3;
  return {
    net: cloneNet(p.net),
    x: p.x,
    y: p.y,
    n: p.n,
    ...plainTraining(0.1, 0),
    epochs,
    batchSize: 1,
    shuffle: true,
    rngState: new Rng(5).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * HISTORY_FIELDS.length),
    ...over,
  };
}

// The same job on the general path: clipping at a norm never reached changes no bit but rules the fused update out.
function generalTwin(j: FitJob, p: ReturnType<typeof problem>): FitJob {
  return {
    ...j,
    net: cloneNet(p.net),
    rngState: new Rng(5).getState(),
    history: new Float64Array(j.history.length),
    optimizer: { ...j.optimizer, clipNorm: 1e30, step: new Float64Array(1) },
  };
}

afterEach(() => vi.restoreAllMocks());

describe('TS fused per-sample SGD', () => {
  // Each net has a layer wider than the tiny step takes (TINY_WIDTH, tested
  // in train.test.ts), so that the trainer's per-sample steps come here.
  const xor = () => problem(1, [2, 40, 1], Activation.tanh, Loss.sigmoidCrossEntropy);
  const multiclass = () => problem(2, [6, 40, 8, 3], Activation.relu, Loss.softmaxCrossEntropy);
  const regression = () => problem(3, [3, 5, 36], Activation.sigmoid, Loss.mse);
  it.each([
    ['[2,40,1] tanh, sigmoid cross-entropy', xor, {}],
    ['[6,40,8,3] relu, softmax cross-entropy', multiclass, {}],
    ['[3,5,36] sigmoid, mse', regression, {}],
    ['[6,40,8,3] with weight decay', multiclass, { weightDecay: 1e-2 }],
    ['[3,5,36] with weight decay', regression, { weightDecay: 0.3 }],
    ['[2,40,1] with a per-step exponential schedule', xor, { perStep: true }],
  ] as const)('%s: the fused update equals the general path bit for bit', async (_, make, opts) => {
    const p = make();
    const base = job(p);
    const o = opts as { weightDecay?: number; perStep?: boolean };
    const fused = {
      ...base,
      optimizer: { ...base.optimizer, weightDecay: o.weightDecay ?? 0 },
      schedule: o.perStep ? { ...base.schedule, type: 2 as const, perStep: true, gamma: 0.99 } : base.schedule,
    };
    const general = generalTwin(fused, p);
    const step = vi.spyOn(Rank1Sgd.prototype, 'stepWhole');
    await jsBackend.train(fused, null);
    expect(step).toHaveBeenCalledTimes(3 * p.n);
    step.mockClear();
    await jsBackend.train(general, null);
    expect(step).not.toHaveBeenCalled();
    expect(fused.history).toEqual(general.history);
    fused.net.params.forEach((w, i) => expect(w).toEqual(general.net.params[i]));
    expect(fused.optimizer.step[0]).toBe(3 * p.n);
    expect(general.optimizer.step[0]).toBe(3 * p.n);
  });

  // A linear net whose second input is always 0: the weight w on it never
  // moves, so w near float32's limit keeps every loss and update finite.
  // At w = 2^127 the bounds cannot prove the update finite and the general
  // path decides (filling ws.grads); one float32 below, the fused update runs
  // (ws.grads untouched). Both give the general path's weights.
  it.each([
    ['at the bound (w = 2^127): the general path', 2 ** 127, true],
    ['just below it: the fused update', 2 ** 127 - 2 ** 103, false],
  ] as const)('bounds %s', (_, w, fallback) => {
    const rng = new Rng(4);
    const net = makeNet(rng, [2, 1], [], Loss.mse) as NetworkSpec;
    net.params[0]![1] = w;
    const x = Float32Array.from([0.5, 0]);
    const y = Float32Array.from([0.25]);
    const order = Uint32Array.from([0]);
    const opt = plainTraining(0.1, 0).optimizer;
    const ws = allocBatchWorkspace('train', net, 1);
    expect(whole(batchDeltas(ws, net, x, y, order, 0, 1))).toBeLessThan(Infinity);
    expect(whole(new Rank1Sgd(net).step(net, ws, opt, 0.1))).toBe('applied');
    expect(ws.grads.some((g) => g.some((v) => v !== 0))).toBe(fallback);

    // The general path from the same start.
    const fresh = makeNet(new Rng(4), [2, 1], [], Loss.mse) as NetworkSpec;
    fresh.params[0]![1] = w;
    const gws = allocBatchWorkspace('train', fresh, 1);
    whole(batchGradient(gws, fresh, x, y, order, 0, 1));
    expect(whole(optimizerStep(fresh, gws.grads, 0, plainTraining(0.1, 0).optimizer, 0.1))).toBe('applied');
    fresh.params.forEach((p, i) => expect(net.params[i]).toEqual(p));
    expect(net.params[0]![1]).toBe(Math.fround(w));
    expect(opt.step[0]).toBe(1);
  });

  it('a refused fallback writes nothing and does not count the step', () => {
    const rng = new Rng(4);
    const net = makeNet(rng, [2, 1], [], Loss.mse) as NetworkSpec;
    const x = Float32Array.from([0.5, 0.5]);
    const ws = allocBatchWorkspace('train', net, 1);
    whole(batchDeltas(ws, net, x, Float32Array.from([3]), Uint32Array.from([0]), 0, 1));
    const before = cloneNet(net);
    const opt = plainTraining(1e300, 0).optimizer;
    expect(whole(new Rank1Sgd(net).step(net, ws, opt, 1e300))).toBe('update');
    net.params.forEach((p, i) => expect(p).toEqual(before.params[i]));
    expect(opt.step[0]).toBe(0);
  });

  it("takes native's dispatch: one row, plain SGD, no clipping, tied weights, frozen layer, dropout or normalisation", () => {
    const p = problem(6, [4, 3, 4], Activation.tanh, Loss.mse);
    const net = p.net as NetworkSpec;
    const opt = plainTraining(0.1, 0).optimizer;
    expect(Rank1Sgd.applies(net, opt, 1)).toBe(true);
    expect(Rank1Sgd.applies(net, opt, 2)).toBe(false);
    expect(Rank1Sgd.applies(net, { ...opt, clipNorm: 1 }, 1)).toBe(false);
    expect(Rank1Sgd.applies(net, { ...opt, type: Optimizer.momentum }, 1)).toBe(false);
    expect(Rank1Sgd.applies(net, { ...opt, type: Optimizer.adam }, 1)).toBe(false);
    expect(Rank1Sgd.applies(net, { ...opt, type: Optimizer.adamw }, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, tiedPairs: Int32Array.from([0, 1]) }, opt, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, frozen: Uint8Array.from([1, 0]) }, opt, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, dropout: Float64Array.from([0.5]) }, opt, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, norm: Uint8Array.from([Norm.layer]) }, opt, 1)).toBe(false);
    // Native reads a present array as the feature on (an empty one as absent), whatever its entries.
    expect(Rank1Sgd.applies({ ...net, frozen: Uint8Array.from([0, 0]) }, opt, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, dropout: Float64Array.from([0]) }, opt, 1)).toBe(false);
    expect(Rank1Sgd.applies({ ...net, tiedPairs: new Int32Array(0), frozen: null, dropout: null, norm: null }, opt, 1)).toBe(true);
    // The sparsity penalty and input noise only change the deltas: they stay fused, as natively.
    expect(Rank1Sgd.applies({ ...net, sparsity: { layer: 0, rho: 0.1, beta: 1 } }, opt, 1)).toBe(true);
  });

  it('the trainer takes the fused update for every one-row batch and only then (batch 3 of 7 rows: the last)', async () => {
    const p = problem(7, [3, 4, 2], Activation.tanh, Loss.mse, 7);
    const step = vi.spyOn(Rank1Sgd.prototype, 'stepWhole');
    const j = job(p, { batchSize: 3, epochs: 2 });
    await jsBackend.train(j, null);
    expect(step).toHaveBeenCalledTimes(2);
    // The general updates in between move the weights: the fused step measures them again, and still agrees.
    const general = generalTwin(j, p);
    await jsBackend.train(general, null);
    j.net.params.forEach((w, i) => expect(w).toEqual(general.net.params[i]));
    expect(j.history).toEqual(general.history);
  });
});

describe('trainer clock interval', () => {
  it('looks at the clock every batch from CLOCK_WORK batch rows × parameters up, and at most every CLOCK_BATCHES', () => {
    const cap = CLOCK_WORK / CLOCK_BATCHES;
    expect(clockInterval(1, cap - 1)).toBe(CLOCK_BATCHES);
    expect(clockInterval(1, cap)).toBe(CLOCK_BATCHES);
    expect(clockInterval(1, cap + 1)).toBe(CLOCK_BATCHES - 1);
    expect(clockInterval(1, 1)).toBe(CLOCK_BATCHES);
    expect(clockInterval(1, CLOCK_WORK / 2 - 1)).toBe(2);
    expect(clockInterval(1, CLOCK_WORK / 2)).toBe(2);
    expect(clockInterval(1, CLOCK_WORK / 2 + 1)).toBe(1);
    expect(clockInterval(1, CLOCK_WORK - 1)).toBe(1);
    expect(clockInterval(1, CLOCK_WORK)).toBe(1);
    expect(clockInterval(1, CLOCK_WORK + 1)).toBe(1);
    // Rows count as much as parameters: a batch of 4 rows on XOR's 17 parameters.
    expect(clockInterval(4, 17)).toBe(clockInterval(1, 68));
    expect(clockInterval(64, 235_146)).toBe(1);
  });
});
