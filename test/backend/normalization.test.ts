/**
 * Layer and batch normalisation (NetworkSpec.norm): the TS kernels against
 * the float64 textbook forms and their finite differences, the network
 * gradient (weights and [γ, β]) against finite differences on both backends
 * (batch normalisation in both modes: running statistics in lossGradient,
 * the batch's in a training step), training that moves γ and β (and batch
 * normalisation's running statistics, unless frozen), and native against TS.
 */
import { describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Optimizer, type Backend, type NetworkSpec } from '../../src/backend/backend.js';
import { batchNormBackward, batchNormForward, batchNormUpdateRunning, layerNormBackward, layerNormForward } from '../../src/backend/js/normalization.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import {
  centralDiff,
  cloneNet,
  makeNet,
  makeTargets,
  mismatches,
  plainTraining,
  randomF32,
  refBatchNorm,
  refLayerNorm,
  refNetLoss,
} from '../helpers/reference.js';

const backends = backendsUnderTest();
// The agreement suites compare native with TS, in every run that loads the addon.
const pair = backendPair();
const agreeing = pair ? [pair.js, pair.native] : [];
const SIZES = [5, 8, 6, 3];

/** A net with both hidden layers normalised (layer: code 1, batch: 2): their biases become [γ, β] with γ
 * around 1, and for batch normalisation running statistics (mean around 0, variance around 1). */
function normNet(seed: number, code = 1): NetworkSpec {
  const rng = new Rng(seed);
  const net = makeNet(rng, SIZES, [Activation.tanh, Activation.sigmoid], Loss.softmaxCrossEntropy);
  for (const l of [0, 1]) {
    const w = SIZES[l + 1]!;
    const around = [1, 0, 0, 1];
    net.params[2 * l + 1] = Float32Array.from({ length: (code === 2 ? 4 : 2) * w }, (_, j) => around[Math.floor(j / w)]! + 0.3 * (rng.uniform() - 0.5));
  }
  return { ...net, norm: Uint8Array.of(code, code) };
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
    expect(
      mismatches(
        dz,
        centralDiff((v) => loss(v, gb), z),
        1e-4,
        1e-3,
      ),
    ).toBeNull();
    expect(
      mismatches(
        dgb,
        centralDiff((v) => loss(z, v), gb),
        1e-5,
        1e-4,
      ),
    ).toBeNull();
  });
});

describe('batch normalisation kernels (TS) against the float64 reference', () => {
  it('training and inference forward are the textbook formulas; backward is their gradient; running statistics move by momentum 0.1', () => {
    const rows = 7;
    const cols = 4;
    const rng = new Rng(8);
    const z = Float32Array.from({ length: rows * cols }, (_, i) => 50 * (i % cols) + 2 * (rng.uniform() - 0.5));
    const params = Float32Array.from({ length: 4 * cols }, (_, j) =>
      j < cols ? 1 + rng.uniform() : j < 2 * cols ? rng.uniform() - 0.5 : j < 3 * cols ? 50 * (j % cols) : 0.5 + rng.uniform(),
    );
    const dy = randomF32(rng, rows * cols, -1, 1);
    for (const training of [true, false]) {
      const out = new Float32Array(rows * cols);
      const xhat = new Float32Array(rows * cols);
      const inv = new Float32Array(cols);
      const mean = new Float32Array(cols);
      const variance = new Float32Array(cols);
      batchNormForward(out, xhat, inv, mean, variance, z, params, rows, cols, training);
      const ref = new Float64Array(rows * cols);
      refBatchNorm(ref, z, params, rows, cols, training);
      expect(mismatches(out, ref, 1e-5, 1e-5), `training ${training}`).toBeNull();
      const loss = (zz: ArrayLike<number>, p: ArrayLike<number>) => {
        const o = new Float64Array(rows * cols);
        refBatchNorm(o, zz, p, rows, cols, training);
        return o.reduce((s2, v, i) => s2 + v * dy[i]!, 0);
      };
      const dz = new Float32Array(rows * cols);
      const dp = new Float32Array(4 * cols);
      batchNormBackward(dz, dp, dy, xhat, inv, params, rows, cols, training);
      expect(
        mismatches(
          dz,
          centralDiff((v) => loss(v, params), z),
          1e-4,
          1e-3,
        ),
        `dz, training ${training}`,
      ).toBeNull();
      // The running statistics' gradient is zero by construction (they are not trained), whatever they feed in inference.
      const fd = centralDiff((v) => loss(z, v), params);
      expect(mismatches(dp.subarray(0, 2 * cols), fd.subarray(0, 2 * cols), 1e-5, 1e-4)).toBeNull();
      expect(Array.from(dp.subarray(2 * cols))).toEqual(new Array(2 * cols).fill(0));
      if (!training) continue;
      const p2 = params.slice();
      batchNormUpdateRunning(p2, mean, variance, cols);
      for (let j = 0; j < cols; j++) {
        const col = Array.from({ length: rows }, (_, r) => z[r * cols + j]!);
        const m = col.reduce((a, v) => a + v, 0) / rows;
        const unbiased = col.reduce((a, v) => a + (v - m) ** 2, 0) / (rows - 1);
        expect(p2[2 * cols + j]).toBeCloseTo(0.9 * params[2 * cols + j]! + 0.1 * m, 4);
        expect(p2[3 * cols + j]).toBeCloseTo(0.9 * params[3 * cols + j]! + 0.1 * unbiased, 4);
      }
    }
  });
});

describe.each(backends)('batch normalisation on $name', (be: Backend) => {
  const n = 6;
  const data = () => {
    const rng = new Rng(12);
    return { x: randomF32(rng, n * SIZES[0]!, -1, 1), y: makeTargets(rng, n, 3, Loss.softmaxCrossEntropy) };
  };

  it('lossGradient uses the running statistics, and its gradient matches finite differences', () => {
    const net = normNet(11, 2);
    const { x, y } = data();
    const grads = net.params.map((p) => new Float32Array(p.length));
    const loss = be.lossGradient(grads, net, x, y, n);
    expect(Math.abs(loss - refNetLoss(net, x, y, n))).toBeLessThan(1e-5);
    const fds = net.params.map((p, i) => centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, n), p));
    const scale = Math.max(...fds.flatMap((fd) => Array.from(fd, Math.abs)));
    // Running statistics: a zero gradient (not trained), so not compared with their finite differences.
    grads.forEach((g, i) => {
      const trained = i === 1 || i === 3 ? g.subarray(0, 2 * SIZES[(i >> 1) + 1]!) : g;
      expect(mismatches(trained, fds[i]!.subarray(0, trained.length), 2e-5 * scale, 1e-4), `params[${i}]`).toBeNull();
      expect(g.subarray(trained.length).every((v) => v === 0)).toBe(true);
    });
  });

  it('a training step uses the batch statistics: it applies their gradient and moves the running statistics', async () => {
    const net = normNet(13, 2);
    const { x, y } = data();
    const before = net.params.map((p) => p.slice());
    const job = {
      net,
      x,
      y,
      n,
      ...plainTraining(1, 0),
      epochs: 1,
      batchSize: n,
      shuffle: false,
      rngState: new Rng(1).getState(),
      skipNonFinite: false,
      progressEvery: 0,
      history: new Float64Array(HISTORY_FIELDS.length),
    };
    await be.train(job, null);
    const ref = { ...net, params: before, batchStats: true };
    expect(Math.abs(job.history[0]! - refNetLoss(ref, x, y, n))).toBeLessThan(1e-5);
    before.forEach((w, i) => {
      const trained = i === 1 || i === 3 ? 2 * SIZES[(i >> 1) + 1]! : w.length;
      const applied = w.subarray(0, trained).map((v, j) => v - net.params[i]![j]!);
      const fd = centralDiff((v) => refNetLoss({ ...ref, params: before.map((q, k) => (k === i ? v : q)) }, x, y, n), w).subarray(0, trained);
      const scale = Math.max(...Array.from(fd, Math.abs));
      expect(mismatches(applied, fd, 2e-5 * scale + 1e-7, 1e-4), `params[${i}]`).toBeNull();
      // The hidden layers' running statistics moved toward the batch's.
      if (i === 1 || i === 3) expect(net.params[i]!.subarray(trained)).not.toEqual(w.subarray(trained));
    });
  });

  it('a frozen batch-normalised layer keeps its running statistics and normalises with them', async () => {
    const net = { ...normNet(14, 2), frozen: Uint8Array.of(1, 0, 0) };
    const { x, y } = data();
    const before = net.params[1]!.slice();
    await be.train(
      {
        net,
        x,
        y,
        n,
        ...plainTraining(0.1, 0),
        epochs: 2,
        batchSize: 3,
        shuffle: true,
        rngState: new Rng(1).getState(),
        skipNonFinite: false,
        progressEvery: 0,
        history: new Float64Array(2 * HISTORY_FIELDS.length),
      },
      null,
    );
    expect(net.params[1]).toEqual(before);
    expect(net.params[3]!.subarray(2 * SIZES[2]!)).not.toEqual(normNet(14, 2).params[3]!.subarray(2 * SIZES[2]!));
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
      await be.train(
        {
          net,
          x,
          y,
          n,
          ...base,
          optimizer: { ...base.optimizer, type, state },
          epochs: 2,
          batchSize: 5,
          shuffle: true,
          rngState: new Rng(1).getState(),
          skipNonFinite: false,
          progressEvery: 0,
          history: new Float64Array(2 * HISTORY_FIELDS.length),
        },
        null,
      );
      expect(net.params[1], `optimizer ${type}`).not.toEqual(before);
    }
  });
});

describe.runIf(pair !== null)('normalisation: native and TS agree', () => {
  it.each([
    ['layer', 1],
    ['batch', 2],
  ])('%s: forward and training agree within float32 rounding', async (_, code) => {
    const net = normNet(5, code);
    const rng = new Rng(6);
    const n = 40;
    const x = randomF32(rng, n * SIZES[0]!, -1, 1);
    const y = makeTargets(rng, n, 3, Loss.softmaxCrossEntropy);
    const outs = agreeing.map((be) => {
      const out = new Float32Array(n * 3);
      be.forward(out, net, x, n);
      return out;
    });
    outs[1]!.forEach((v, i) => expect(Math.abs(v - outs[0]![i]!)).toBeLessThan(1e-5));
    const trained = await Promise.all(
      agreeing.map(async (be) => {
        const job = {
          net: cloneNet(net),
          x,
          y,
          n,
          ...plainTraining(0.1, 1e-3),
          epochs: 3,
          batchSize: 8,
          shuffle: true,
          rngState: new Rng(2).getState(),
          skipNonFinite: false,
          progressEvery: 0,
          history: new Float64Array(3 * HISTORY_FIELDS.length),
        };
        await be.train(job, null);
        return job.net.params;
      }),
    );
    trained[0]!.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - trained[1]![i]![j]!)).toBeLessThan(1e-4)));
  });
});
