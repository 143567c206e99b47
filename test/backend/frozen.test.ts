/**
 * Frozen layers (NetworkSpec.frozen) in the fused training step: a frozen
 * layer's gradient is zero, its weights, bias and optimizer state come out
 * of training bit for bit as they went in, and the layers above train
 * exactly as a network fed the frozen layer's activations would. Native and
 * TS agree within float32 rounding, as for unfrozen training.
 */
import { describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Optimizer, type Backend, type FitJob, type NetworkSpec } from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

const backends = backendsUnderTest();
// The agreement suites compare native with TS, in every run that loads the addon.
const pair = backendPair();
const agreeing = pair ? [pair.js, pair.native] : [];
const SIZES = [5, 8, 6, 3];

function problem(seed: number) {
  const rng = new Rng(seed);
  const net = makeNet(rng, SIZES, [Activation.tanh, Activation.sigmoid], Loss.softmaxCrossEntropy);
  const n = 40;
  return { net, x: randomF32(rng, n * SIZES[0]!, -1, 1), y: makeTargets(rng, n, 3, Loss.softmaxCrossEntropy), n };
}

/** Adam with weight decay and clipping: every part of the update that could touch a frozen layer. */
function adamJob(net: NetworkSpec, p: ReturnType<typeof problem>, over: Partial<FitJob> = {}): FitJob {
  const base = plainTraining(0.05, 1e-2);
  const state = [...net.params, ...net.params].map((w) => randomF32(new Rng(w.length), w.length, 0, 0.01));
  const epochs = 3;
  return {
    net,
    x: p.x,
    y: p.y,
    n: p.n,
    ...base,
    optimizer: { ...base.optimizer, type: Optimizer.adamw, clipNorm: 0.5, state, step: Float64Array.of(4) },
    epochs,
    batchSize: 8,
    shuffle: true,
    rngState: new Rng(9).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * HISTORY_FIELDS.length),
    ...over,
  };
}

const copy = (a: Float32Array[]) => a.map((v) => v.slice());

describe.each(backends)('frozen layers on $name', (be: Backend) => {
  it('lossGradient: zero for a frozen layer, unchanged for the others', () => {
    const p = problem(1);
    const all = p.net.params.map((w) => new Float32Array(w.length));
    const loss = be.lossGradient(all, p.net, p.x, p.y, p.n);
    for (const frozen of [Uint8Array.of(1, 0, 0), Uint8Array.of(0, 1, 0), Uint8Array.of(1, 1, 0)]) {
      const g = p.net.params.map((w) => new Float32Array(w.length).fill(7));
      expect(be.lossGradient(g, { ...p.net, frozen }, p.x, p.y, p.n)).toBe(loss);
      g.forEach((gi, i) => expect(gi, `param ${i}`).toEqual(frozen[i >> 1] ? new Float32Array(gi.length) : all[i]));
    }
  });

  it('train: a frozen layer and its optimizer state stay bit for bit; the others train', async () => {
    const p = problem(2);
    for (const frozen of [Uint8Array.of(1, 0, 0), Uint8Array.of(0, 1, 0), Uint8Array.of(1, 1, 0)]) {
      const job = adamJob({ ...cloneNet(p.net), frozen }, p);
      const before = copy(job.net.params);
      const stateBefore = copy(job.optimizer.state);
      await be.train(job, null);
      const count = before.length;
      for (let i = 0; i < count; i++) {
        const same = (a: Float32Array, b: Float32Array) => a.every((v, j) => Object.is(v, b[j]));
        const moments = [job.optimizer.state[i]!, job.optimizer.state[count + i]!];
        const momentsBefore = [stateBefore[i]!, stateBefore[count + i]!];
        if (frozen[i >> 1]) {
          expect(same(job.net.params[i]!, before[i]!), `param ${i} frozen`).toBe(true);
          moments.forEach((m, k) => expect(same(m, momentsBefore[k]!), `state of param ${i}`).toBe(true));
        } else {
          expect(same(job.net.params[i]!, before[i]!), `param ${i} trains`).toBe(false);
        }
      }
    }
  });

  it('train: the layers above a frozen first layer learn as a network fed its activations', async () => {
    const p = problem(3);
    const job = adamJob({ ...cloneNet(p.net), frozen: Uint8Array.of(1, 0, 0) }, p);
    // The frozen layer's output, computed once: forward of the one-layer net, then its activation.
    const h = new Float32Array(p.n * SIZES[1]!);
    const first: NetworkSpec = {
      ...cloneNet(p.net),
      sizes: Int32Array.of(SIZES[0]!, SIZES[1]!),
      hiddenActivations: new Int32Array(0),
      loss: Loss.mse,
      params: p.net.params.slice(0, 2).map((w) => w.slice()),
    };
    be.forward(h, first, p.x, p.n);
    be.activationForward(h, h, h.length, Activation.tanh, 0);
    const upper: NetworkSpec = {
      ...cloneNet(p.net),
      sizes: Int32Array.from(SIZES.slice(1)),
      hiddenActivations: Int32Array.of(Activation.sigmoid),
      params: p.net.params.slice(2).map((w) => w.slice()),
    };
    const full = job.optimizer.state;
    const half = full.length / 2;
    const upperJob = adamJob(
      upper,
      { ...p, x: h },
      {
        optimizer: { ...job.optimizer, state: [...full.slice(2, half), ...full.slice(half + 2)].map((s) => s.slice()), step: Float64Array.of(4) },
      },
    );
    await be.train(job, null);
    await be.train(upperJob, null);
    expect(job.history).toEqual(upperJob.history);
    job.net.params.slice(2).forEach((w, i) => expect(w, `param ${i + 2}`).toEqual(upper.params[i]));
  });

  it('per-sample SGD (the fused rank-1 path otherwise) and trainEpoch honour frozen layers', async () => {
    const p = problem(4);
    const frozen = Uint8Array.of(0, 1, 0);
    const net = { ...cloneNet(p.net), frozen };
    const before = copy(net.params);
    await be.train({ ...adamJob(net, p), ...plainTraining(0.1, 1e-2), batchSize: 1 }, null);
    be.trainEpoch({ net, x: p.x, y: p.y, n: p.n, order: Uint32Array.from({ length: p.n }, (_, i) => i), batchSize: 4, learningRate: 0.1, weightDecay: 1e-2 });
    expect(net.params[2]).toEqual(before[2]);
    expect(net.params[3]).toEqual(before[3]);
    expect(net.params[0]).not.toEqual(before[0]);
  });
});

describe.runIf(pair !== null)('frozen layers: native and TS agree', () => {
  it('the same frozen job gives the same weights within float32 rounding', async () => {
    const p = problem(5);
    const nets = await Promise.all(
      agreeing.map(async (be) => {
        const job = adamJob({ ...cloneNet(p.net), frozen: Uint8Array.of(1, 0, 0) }, p);
        await be.train(job, null);
        return job.net.params;
      }),
    );
    expect(nets[0]![0]).toEqual(nets[1]![0]);
    nets[0]!.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - nets[1]![i]![j]!)).toBeLessThan(1e-5)));
  });
});
