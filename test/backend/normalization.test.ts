/**
 * Layer normalisation (NetworkSpec.norm): the TS kernels against the float64
 * textbook form and its finite differences, the network gradient (weights
 * and [γ, β]) against finite differences on both backends, training that
 * moves γ and β, and native against TS.
 */
import { describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Optimizer, type Backend, type NetworkSpec } from '../../src/backend/backend.js';
import { layerNormBackward, layerNormForward } from '../../src/backend/js/normalization.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { centralDiff, cloneNet, makeNet, makeTargets, mismatches, plainTraining, randomF32, refLayerNorm, refNetLoss } from '../helpers/reference.js';

const backends = backendsUnderTest();
const SIZES = [5, 8, 6, 3];

/** A net with both hidden layers normalised: their biases become [γ, β], γ around 1. */
function normNet(seed: number): NetworkSpec {
  const rng = new Rng(seed);
  const net = makeNet(rng, SIZES, [Activation.tanh, Activation.sigmoid], Loss.softmaxCrossEntropy);
  for (const l of [0, 1]) {
    const w = SIZES[l + 1]!;
    net.params[2 * l + 1] = Float32Array.from({ length: 2 * w }, (_, j) => (j < w ? 1 + 0.3 * (rng.uniform() - 0.5) : 0.2 * (rng.uniform() - 0.5)));
  }
  return { ...net, norm: Uint8Array.of(1, 1) };
}

describe('layer normalisation kernels (TS) against the float64 reference', () => {
  it('forward is the textbook formula; backward is its gradient', () => {
    const rows = 4;
    const cols = 6;
    const rng = new Rng(3);
    // A large common offset per row: the two-pass variance must not cancel.
    const z = Float32Array.from({ length: rows * cols }, (_, i) => 100 * Math.floor(i / cols) + 2 * (rng.uniform() - 0.5));
    const gb = randomF32(rng, 2 * cols, -1.5, 1.5);
    const out = new Float32Array(rows * cols);
    const xhat = new Float32Array(rows * cols);
    const inv = new Float32Array(rows);
    layerNormForward(out, xhat, inv, z, gb, rows, cols);
    const ref = new Float64Array(rows * cols);
    refLayerNorm(ref, z, gb, rows, cols);
    expect(mismatches(out, ref, 1e-5, 1e-5)).toBeNull();
    const dy = randomF32(rng, rows * cols, -1, 1);
    const loss = (zz: ArrayLike<number>, g: ArrayLike<number>) => {
      const o = new Float64Array(rows * cols);
      refLayerNorm(o, zz, g, rows, cols);
      return o.reduce((s, v, i) => s + v * dy[i]!, 0);
    };
    const dz = new Float32Array(rows * cols);
    const dgb = new Float32Array(2 * cols);
    layerNormBackward(dz, dgb, dy, xhat, inv, gb, rows, cols);
    expect(mismatches(dz, centralDiff((v) => loss(v, gb), z), 1e-4, 1e-3)).toBeNull();
    expect(mismatches(dgb, centralDiff((v) => loss(z, v), gb), 1e-5, 1e-4)).toBeNull();
  });
});

describe.each(backends)('layer normalisation on $name', (be: Backend) => {
  it('lossGradient (weights and [γ, β]) matches float64 finite differences', () => {
    const net = normNet(1);
    const rng = new Rng(2);
    const n = 6;
    const x = randomF32(rng, n * SIZES[0]!, -1, 1);
    const y = makeTargets(rng, n, 3, Loss.softmaxCrossEntropy);
    const grads = net.params.map((p) => new Float32Array(p.length));
    const loss = be.lossGradient(grads, net, x, y, n);
    expect(Math.abs(loss - refNetLoss(net, x, y, n))).toBeLessThan(1e-5);
    const fds = net.params.map((p, i) => centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, n), p));
    const scale = Math.max(...fds.flatMap((fd) => Array.from(fd, Math.abs)));
    grads.forEach((g, i) => expect(mismatches(g, fds[i]!, 2e-5 * scale, 1e-4), `params[${i}]`).toBeNull());
  });

  it('training moves γ and β with every optimizer; forward uses them', async () => {
    for (const type of [Optimizer.sgd, Optimizer.momentum, Optimizer.adam, Optimizer.adamw]) {
      const net = normNet(3);
      const rng = new Rng(4);
      const n = 30;
      const x = randomF32(rng, n * SIZES[0]!, -1, 1);
      const y = makeTargets(rng, n, 3, Loss.softmaxCrossEntropy);
      const before = net.params[1]!.slice();
      const base = plainTraining(0.05, 0);
      const state = type === Optimizer.sgd ? [] : [...net.params, ...(type >= Optimizer.adam ? net.params : [])].map((p) => new Float32Array(p.length));
      await be.train({
        net, x, y, n, ...base, optimizer: { ...base.optimizer, type, state }, epochs: 2, batchSize: 5, shuffle: true,
        rngState: new Rng(1).getState(), skipNonFinite: false, progressEvery: 0, history: new Float64Array(2 * HISTORY_FIELDS.length),
      }, null);
      expect(net.params[1], `optimizer ${type}`).not.toEqual(before);
    }
  });
});

describe.runIf(backends.length === 2)('layer normalisation: native and TS agree', () => {
  it('forward and training agree within float32 rounding', async () => {
    const net = normNet(5);
    const rng = new Rng(6);
    const n = 40;
    const x = randomF32(rng, n * SIZES[0]!, -1, 1);
    const y = makeTargets(rng, n, 3, Loss.softmaxCrossEntropy);
    const outs = backends.map((be) => {
      const out = new Float32Array(n * 3);
      be.forward(out, net, x, n);
      return out;
    });
    outs[1]!.forEach((v, i) => expect(Math.abs(v - outs[0]![i]!)).toBeLessThan(1e-5));
    const trained = await Promise.all(backends.map(async (be) => {
      const job = { net: cloneNet(net), x, y, n, ...plainTraining(0.1, 1e-3), epochs: 3, batchSize: 8, shuffle: true,
        rngState: new Rng(2).getState(), skipNonFinite: false, progressEvery: 0, history: new Float64Array(3 * HISTORY_FIELDS.length) };
      await be.train(job, null);
      return job.net.params;
    }));
    trained[0]!.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - trained[1]![i]![j]!)).toBeLessThan(1e-4)));
  });
});
