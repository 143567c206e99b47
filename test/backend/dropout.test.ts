/**
 * Inverted dropout (NetworkSpec.dropout) in the fused training step: the TS
 * kernel against a naive reference, the gradient a training step applies
 * against float64 finite differences of the loss under the same masks (drawn
 * here independently from the job's generator state), determinism, rate 0
 * equal to no dropout, and native against TS.
 */
import { describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, type Backend, type FitJob, type NetworkSpec } from '../../src/backend/backend.js';
import { dropoutBackward, dropoutForward } from '../../src/backend/js/dropout.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { centralDiff, cloneNet, makeNet, makeTargets, mismatches, plainTraining, randomF32, refNetLoss } from '../helpers/reference.js';

const backends = backendsUnderTest();
// The agreement suites compare native with TS, in every run that loads the addon.
const pair = backendPair();
const agreeing = pair ? [pair.js, pair.native] : [];
const SIZES = [4, 7, 6, 3];
const RATES = [0.3, 0.5];
const N = 8;

/** The factors dropout draws, the textbook way: per entry one uniform u, kept (×1/(1 − rate)) when u ≥ rate. */
function refMasks(rng: Rng, rates: number[], rows: number): Float64Array[] {
  return rates.map((rate, l) => Float64Array.from({ length: rows * SIZES[l + 1]! }, () => (rng.uniform() < rate ? 0 : Math.fround(1 / (1 - rate)))));
}

function problem(seed: number) {
  const rng = new Rng(seed);
  const net = makeNet(rng, SIZES, [Activation.tanh, Activation.sigmoid], Loss.softmaxCrossEntropy);
  return { net, x: randomF32(rng, N * SIZES[0]!, -1, 1), y: makeTargets(rng, N, 3, Loss.softmaxCrossEntropy) };
}

/** One full-batch SGD step at rate 1 in input order: the weights move by exactly minus the gradient. */
function stepJob(net: NetworkSpec, p: ReturnType<typeof problem>, state: Uint32Array, over: Partial<FitJob> = {}): FitJob {
  return {
    net,
    x: p.x,
    y: p.y,
    n: N,
    ...plainTraining(1, 0),
    epochs: 1,
    batchSize: N,
    shuffle: false,
    rngState: state.slice(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(HISTORY_FIELDS.length),
    ...over,
  };
}

describe('dropout kernels (TS) against the naive reference', () => {
  it('forward keeps and scales as the reference draws; backward applies the same mask', () => {
    for (const rate of [0, 0.1, 0.5, 0.9]) {
      const n = 1000;
      const a = randomF32(new Rng(1), n, -2, 2);
      const out = new Float32Array(n);
      const mask = new Float32Array(n);
      dropoutForward(out, mask, a, n, rate, new Rng(7));
      const ref = new Rng(7);
      const scale = Math.fround(1 / (1 - rate));
      for (let i = 0; i < n; i++) {
        const keep = ref.uniform() >= rate;
        expect(mask[i]).toBe(keep ? scale : 0);
        expect(out[i]).toBe(Math.fround(a[i]! * (keep ? scale : 0)));
      }
      const kept = mask.filter((m) => m > 0).length / n;
      expect(Math.abs(kept - (1 - rate))).toBeLessThan(0.05);
      const dx = new Float32Array(n);
      dropoutBackward(dx, a, mask, n);
      dx.forEach((v, i) => expect(v).toBe(Math.fround(a[i]! * mask[i]!)));
    }
  });
});

describe.each(backends)('dropout in train on $name', (be: Backend) => {
  it('a training step applies the gradient of the loss under the drawn masks (finite differences)', async () => {
    const p = problem(1);
    const state = new Rng(5).getState();
    const net = { ...cloneNet(p.net), dropout: Float64Array.from(RATES) };
    const job = stepJob(net, p, state);
    await be.train(job, null);
    const masks = refMasks(new Rng(5), RATES, N);
    expect(masks.some((m) => m.includes(0))).toBe(true); // the masks do drop something
    expect(Math.abs(job.history[0]! - refNetLoss(p.net, p.x, p.y, N, masks))).toBeLessThan(1e-5);
    p.net.params.forEach((w, i) => {
      const applied = w.map((v, j) => v - net.params[i]![j]!);
      const fd = centralDiff((v) => refNetLoss({ ...p.net, params: p.net.params.map((q, k) => (k === i ? v : q)) }, p.x, p.y, N, masks), w);
      const scale = Math.max(...fd.map(Math.abs));
      expect(mismatches(applied, fd, 2e-5 * scale + 1e-7, 1e-4), `params[${i}]`).toBeNull();
    });
  });

  it('is deterministic, depends on the generator, and rate 0 is no dropout', async () => {
    const p = problem(2);
    const run = async (dropout: Float64Array | null, seed: number) => {
      const job = stepJob({ ...cloneNet(p.net), dropout }, p, new Rng(seed).getState(), {
        epochs: 3,
        batchSize: 3,
        shuffle: true,
        history: new Float64Array(3 * HISTORY_FIELDS.length),
      });
      await be.train(job, null);
      return job.net.params;
    };
    const a = await run(Float64Array.from(RATES), 1);
    expect(await run(Float64Array.from(RATES), 1)).toEqual(a);
    expect(await run(Float64Array.from(RATES), 2)).not.toEqual(a);
    expect(await run(Float64Array.of(0, 0), 1)).toEqual(await run(null, 1));
  });

  it('forward and lossGradient ignore it: inference runs without dropout', () => {
    const p = problem(3);
    const withDrop = { ...p.net, dropout: Float64Array.from(RATES) };
    const [o1, o2] = [new Float32Array(N * 3), new Float32Array(N * 3)];
    be.forward(o1, p.net, p.x, N);
    be.forward(o2, withDrop, p.x, N);
    expect(o2).toEqual(o1);
    const g = () => p.net.params.map((w) => new Float32Array(w.length));
    const [g1, g2] = [g(), g()];
    expect(be.lossGradient(g2, withDrop, p.x, p.y, N)).toBe(be.lossGradient(g1, p.net, p.x, p.y, N));
    expect(g2).toEqual(g1);
  });
});

describe.runIf(pair !== null)('dropout: native and TS agree', () => {
  it('the same job draws the same masks: weights within float32 rounding', async () => {
    const p = problem(4);
    const nets = await Promise.all(
      agreeing.map(async (be) => {
        const job = stepJob({ ...cloneNet(p.net), dropout: Float64Array.from(RATES) }, p, new Rng(9).getState(), {
          epochs: 4,
          batchSize: 3,
          shuffle: true,
          history: new Float64Array(4 * HISTORY_FIELDS.length),
        });
        await be.train(job, null);
        return { params: job.net.params, state: job.rngState };
      }),
    );
    expect(nets[0]!.state).toEqual(nets[1]!.state);
    nets[0]!.params.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - nets[1]!.params[i]![j]!)).toBeLessThan(1e-5)));
  });
});
