/**
 * Backend.train, the whole-job trainer: equal to the per-epoch primitive it
 * is built from, identical across runs, equal across backends within
 * float32 rounding, progress, non-finite guards, and the never-blocking,
 * always-cancellable contract (event-loop delay and abort latency are the
 * only timed assertions in the suite, with margins for a loaded 2-core box).
 */
import { promises as fsp } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Monitor, Schedule, type Backend, type FitJob, type TrainProgress } from '../../src/backend/backend.js';
import { NonFiniteError } from '../../src/backend/errors.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { busyLoopBaselineP99, inSomeTry, loopDelayP99 } from '../helpers/timing.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

const backends = backendsUnderTest();

function problem(seed: number, sizes = [6, 12, 3], n = 50, loss: number = Loss.softmaxCrossEntropy) {
  const rng = new Rng(seed);
  const net = makeNet(
    rng,
    sizes,
    sizes.slice(2).map(() => Activation.tanh),
    loss,
  );
  const x = randomF32(rng, n * sizes[0]!, -1, 1);
  const y = makeTargets(rng, n, sizes[sizes.length - 1]!, loss);
  return { net, x, y, n };
}

function fitJob(p: ReturnType<typeof problem>, over: Partial<FitJob> = {}): FitJob {
  const epochs = over.epochs ?? 3;
  return {
    net: cloneNet(p.net),
    x: p.x,
    y: p.y,
    n: p.n,
    ...plainTraining(0.1, 1e-3),
    epochs,
    batchSize: 4,
    shuffle: true,
    rngState: new Rng(77).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * HISTORY_FIELDS.length),
    ...over,
  };
}

/** Equal within rtol (1 + |a|)-scaled, NaN matching NaN (absent fields). */
function closeHistories(a: Float64Array, b: Float64Array, tol: number): boolean {
  return a.length === b.length && a.every((v, i) => (Number.isNaN(v) ? Number.isNaN(b[i]!) : Math.abs(v - b[i]!) <= tol * (1 + Math.abs(v))));
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((p, i) => p.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

// One-row steps that the general path refuses, by the quantity it names: [quantity, sizes, x, lr, weightDecay].
const PER_SAMPLE_NON_FINITE = [
  // x = ∞ reaches a tanh unit: finite loss, gradient 0·∞ = NaN.
  ['gradient', [1, 3, 1], Infinity, 0.1, 0],
  // A linear net on x = 3e19: finite loss and deltas, but dz·x overflows float32.
  ['gradient', [1, 1], 3e19, 0.1, 0],
  // A finite gradient times lr = 1e300 overflows every new weight.
  ['update', [1, 3, 1], 0.5, 1e300, 0],
  // λ·w overflows float32 (λ beyond its range), though the new weight
  // w − lr·(g + λ·w) at lr 1e-30 would be finite in float64: the rule is float32.
  ['update', [1, 3, 1], 0.5, 1e-30, 1e39],
] as const;

describe.each(backends)('train on $name', (be: Backend) => {
  it('equals shuffling with Rng and running trainEpoch per epoch, and advances the rng state', async () => {
    const p = problem(1);
    for (const batchSize of [1, 4, 50, 64]) {
      const job = fitJob(p, { batchSize });
      const result = await be.train(job, null);
      expect(result).toEqual({ epochs: 3, samples: 150, bestEpoch: 0, best: 0, steps: 3 * Math.ceil(50 / batchSize), stoppedEarly: false, cancelled: false });
      const rng = new Rng(77);
      const net = cloneNet(p.net);
      const order = new Uint32Array(p.n);
      for (let e = 0; e < 3; e++) {
        order.forEach((_, i) => (order[i] = i));
        rng.shuffle(order);
        const sum = be.trainEpoch({ net, x: p.x, y: p.y, n: p.n, order, batchSize, learningRate: 0.1, weightDecay: 1e-3 });
        expect(job.history[e * HISTORY_FIELDS.length]).toBeCloseTo(sum / p.n, 12);
      }
      expect(maxAbsDiff(job.net.params, net.params), `batchSize ${batchSize}`).toBe(0);
      expect(job.rngState).toEqual(rng.getState());
    }
  });

  it('shuffle: false visits the samples in order', async () => {
    const p = problem(2);
    const job = fitJob(p, { shuffle: false, epochs: 2 });
    await be.train(job, null);
    const net = cloneNet(p.net);
    const order = Uint32Array.from({ length: p.n }, (_, i) => i);
    for (let e = 0; e < 2; e++) be.trainEpoch({ net, x: p.x, y: p.y, n: p.n, order, batchSize: 4, learningRate: 0.1, weightDecay: 1e-3 });
    expect(maxAbsDiff(job.net.params, net.params)).toBe(0);
    expect(job.rngState).toEqual(new Rng(77).getState());
  });

  it('is deterministic: the same job twice gives the same history and weights', async () => {
    const p = problem(3);
    const [a, b] = [fitJob(p), fitJob(p)];
    await be.train(a, null);
    await be.train(b, null);
    expect(a.history).toEqual(b.history);
    a.net.params.forEach((w, i) => expect(w).toEqual(b.net.params[i]));
  });

  it('reports monotonic progress that ends at exactly the epochs and samples processed', async () => {
    const p = problem(4, [6, 12, 3], 103);
    const seen: TrainProgress[] = [];
    const job = fitJob(p, { epochs: 4, batchSize: 5, progressEvery: 3 });
    const result = await be.train(job, (q) => seen.push(q));
    expect(result).toEqual({ epochs: 4, samples: 412, bestEpoch: 0, best: 0, steps: 4 * 21, stoppedEarly: false, cancelled: false });
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.samples).toBeGreaterThanOrEqual(seen[i - 1]!.samples);
      expect(seen[i]!.epochs).toBeGreaterThanOrEqual(seen[i - 1]!.epochs);
    }
    expect(seen.at(-1)).toEqual({ epochs: 4, batches: 0, samples: 412, loss: job.history[3 * HISTORY_FIELDS.length] });
  });

  // A tanh unit fed +∞ saturates to a finite output, so the loss is finite,
  // but its weight gradient is 0·∞ = NaN: the gradient guard must catch it.
  it.each([
    ['loss', NaN],
    ['gradient', Infinity],
  ] as const)('non-finite %s: rejects naming epoch and batch, weights untouched by that batch; or skips it', async (what, bad) => {
    const p = problem(5, [1, 3, 1], 12, Loss.mse);
    p.x[9] = bad;
    const job = fitJob(p, { shuffle: false, batchSize: 4, epochs: 2 });
    const before = cloneNet(p.net);
    be.trainEpoch({ net: before, x: p.x, y: p.y, n: p.n, order: Uint32Array.of(0, 1, 2, 3, 4, 5, 6, 7), batchSize: 4, learningRate: 0.1, weightDecay: 1e-3 });
    const failure = await be.train(job, null).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NonFiniteError);
    expect(failure).toMatchObject({
      code: 'ERR_FASTNN_NON_FINITE',
      quantity: what,
      epoch: 1,
      batch: 2,
      message: `train: non-finite ${what} at epoch 1, batch 2; that batch was not applied`,
    });
    expect(maxAbsDiff(job.net.params, before.params)).toBe(0);

    const skipping = fitJob(p, { shuffle: false, batchSize: 4, epochs: 2, skipNonFinite: true });
    expect(await be.train(skipping, null)).toEqual({ epochs: 2, samples: 24, bestEpoch: 0, best: 0, steps: 4, stoppedEarly: false, cancelled: false });
    expect(skipping.history[HISTORY_FIELDS.indexOf('skipped')]).toBe(1);
    expect(skipping.net.params.every((w) => w.every(Number.isFinite))).toBe(true);
  });

  it('an update that would overflow float32 is refused before any weight or state is written', async () => {
    const p = problem(12);
    for (const type of [0, 1] as const) {
      // A finite learning rate of 1e300 overflows float32 wherever the gradient is not 0.
      const base = fitJob(p, { shuffle: false, epochs: 2 });
      const job = {
        ...base,
        schedule: { ...base.schedule, lr: 1e300 },
        optimizer: { ...base.optimizer, type, state: type === 1 ? p.net.params.map((w) => new Float32Array(w.length)) : [] },
      };
      await expect(be.train(job, null)).rejects.toThrow(NonFiniteError);
      await expect(be.train(job, null)).rejects.toMatchObject({ quantity: 'update', epoch: 1, batch: 0 });
      expect(maxAbsDiff(job.net.params, p.net.params)).toBe(0);
      expect(job.optimizer.step[0]).toBe(0);
      job.optimizer.state.forEach((s) => expect(s.every((v) => v === 0)).toBe(true));
      const skipping = { ...job, skipNonFinite: true, net: cloneNet(p.net) };
      await be.train(skipping, null);
      expect(skipping.history[HISTORY_FIELDS.indexOf('skipped')]).toBe(Math.ceil(p.n / 4));
      expect(skipping.history[HISTORY_FIELDS.indexOf('loss')]).toBeNaN();
      expect(maxAbsDiff(skipping.net.params, p.net.params)).toBe(0);
    }
  });

  // One-row SGD batches take a fused update natively (sgd_rank1.h); clipping
  // with a norm never reached takes the general path. Both must agree bit for
  // bit, and refuse the same batches for the same reasons.
  it('per-sample SGD: the fused update equals the general path bit for bit', async () => {
    const p = problem(13, [6, 12, 8, 3], 40);
    const fused = fitJob(p, { batchSize: 1, epochs: 2 });
    const general = fitJob(p, { batchSize: 1, epochs: 2 });
    general.optimizer = { ...general.optimizer, clipNorm: 1e30 };
    await be.train(fused, null);
    await be.train(general, null);
    expect(fused.history).toEqual(general.history);
    expect(maxAbsDiff(fused.net.params, general.net.params)).toBe(0);
    expect(fused.optimizer.step[0]).toBe(general.optimizer.step[0]);
  });

  // Per-sample SGD of nets no wider than 32 units takes the tiny step
  // (native/core/tiny_step.h, js/tiny-step.ts): one pass and one update per
  // sample, which must give the general path's bits for every activation and
  // loss; 33 inputs are past the limit. Sigmoid outputs past 16 units use
  // more than one term per loss lane.
  it.each([
    ['sigmoid', Loss.sigmoidMse, [2, 4, 1]],
    ['sigmoid', Loss.sigmoidCrossEntropy, [3, 5, 2]],
    ['sigmoid', Loss.sigmoidCrossEntropy, [4, 20, 18]],
    ['tanh', Loss.softmaxCrossEntropy, [6, 12, 8, 3]],
    ['relu', Loss.mse, [5, 7, 7, 2]],
    ['leakyRelu', Loss.huber, [2, 3, 1]],
    ['identity', Loss.l1, [3, 3, 2]],
    ['sigmoid', Loss.mse, [4, 1]],
    ['sigmoid', Loss.sigmoidMse, [32, 32, 32]],
    ['sigmoid', Loss.sigmoidMse, [33, 4, 1]],
  ] as const)('per-sample SGD of tiny nets (%s hidden, loss %d, %j): the tiny step equals the general path bit for bit', async (hidden, loss, sizes) => {
    const rng = new Rng(sizes.reduce((a, b) => 31 * a + b, loss));
    const net = makeNet(
      rng,
      [...sizes],
      sizes.slice(2).map(() => Activation[hidden]),
      loss,
    );
    const n = 9;
    const p = { net, x: randomF32(rng, n * sizes[0]!, -2, 2), y: makeTargets(rng, n, sizes[sizes.length - 1]!, loss), n };
    const tiny = fitJob(p, { batchSize: 1, epochs: 3 });
    // Clipping at a norm never reached takes the general path (gradients, dry run, copy).
    const general = fitJob(p, { batchSize: 1, epochs: 3 });
    general.optimizer = { ...general.optimizer, clipNorm: 1e30 };
    await be.train(tiny, null);
    await be.train(general, null);
    expect(tiny.history).toEqual(general.history);
    tiny.net.params.forEach((w, i) => expect(new Uint32Array(w.buffer), `params[${i}]`).toEqual(new Uint32Array(general.net.params[i]!.buffer)));
    expect(tiny.optimizer.step[0]).toBe(general.optimizer.step[0]);
  });

  // A tiny fit nobody listens to, without validation data, runs whole
  // epochs in a loop of its own (js/trainer.ts tinyEpochs); with a listener
  // or validation data, epoch by epoch in fit's loop. Each, with a per-step
  // schedule, shuffles, early stopping and the best weights restored, must
  // give the general path's bits, and stop at the same epoch.
  it.each(['nobody listening', 'a listener', 'validation data'] as const)(
    'per-sample SGD of a tiny net, %s, stopping early: the tiny step equals the general path bit for bit',
    async (setting) => {
      const p = problem(15, [2, 4, 1], 6, Loss.sigmoidMse);
      const val = problem(16, [2, 4, 1], 3, Loss.sigmoidMse);
      const validating = setting === 'validation data';
      const over: Partial<FitJob> = {
        batchSize: 1,
        epochs: 60,
        schedule: { type: Schedule.exponential, lr: 2, perStep: true, stepSize: 1, gamma: 0.97, minLr: 0, total: 1, warmup: 3 },
        earlyStopping: { monitor: validating ? Monitor.valLoss : Monitor.loss, patience: 2, minDelta: 1e-3, restoreBest: true },
        ...(validating ? { xVal: val.x, yVal: val.y, nVal: val.n } : {}),
      };
      const tiny = fitJob(p, over);
      // Clipping at a norm never reached takes the general path.
      const general = fitJob(p, over);
      general.optimizer = { ...general.optimizer, clipNorm: 1e30 };
      const listener = setting === 'a listener' ? () => {} : null;
      const result = await be.train(tiny, listener);
      expect(result).toEqual(await be.train(general, listener));
      expect(result.stoppedEarly).toBe(true);
      expect(tiny.history).toEqual(general.history);
      tiny.net.params.forEach((w, i) => expect(new Uint32Array(w.buffer), `params[${i}]`).toEqual(new Uint32Array(general.net.params[i]!.buffer)));
      expect(tiny.optimizer.step[0]).toBe(general.optimizer.step[0]);
      expect(Array.from(tiny.rngState)).toEqual(Array.from(general.rngState));
    },
  );

  it('per-sample SGD of a tiny net: a job of 0 epochs trains nothing', async () => {
    const p = problem(15, [2, 4, 1], 6, Loss.sigmoidMse);
    const job = fitJob(p, { batchSize: 1, epochs: 0 });
    const rngState = Array.from(job.rngState);
    expect(await be.train(job, null)).toMatchObject({ epochs: 0, samples: 0, steps: 0 });
    expect(maxAbsDiff(job.net.params, p.net.params)).toBe(0);
    expect(Array.from(job.rngState)).toEqual(rngState);
  });

  it.each(PER_SAMPLE_NON_FINITE)(
    'per-sample SGD: non-finite %s in %j (x = %d, lr %d, weightDecay %d) refused before any write, as the general path does',
    async (what, sizes, bad, lr, weightDecay) => {
      const p = problem(14, [...sizes], 6, Loss.mse);
      p.x[2] = bad;
      for (const clipNorm of [0, 1e30]) {
        const base = fitJob(p, { shuffle: false, batchSize: 1, epochs: 1 });
        const job = { ...base, schedule: { ...base.schedule, lr }, optimizer: { ...base.optimizer, clipNorm, weightDecay } };
        const before = cloneNet(job.net);
        // A finite x fails at the first batch; a bad x (row 2) at the third.
        const batch = bad === 0.5 ? 0 : 2;
        await expect(be.train(job, null), `clipNorm ${clipNorm}`).rejects.toThrow(
          `train: non-finite ${what} at epoch 1, batch ${batch}; that batch was not applied`,
        );
        if (batch === 0) expect(maxAbsDiff(job.net.params, before.params)).toBe(0);
        expect(job.net.params.every((w) => w.every(Number.isFinite))).toBe(true);
        expect(job.optimizer.step[0]).toBe(batch);
      }
    },
  );

  // Skipping those steps, the tiny step (each weight written at once, the
  // old ones put back when a new one is not finite) must leave
  // the general path's weights, history and step count, bit for bit, on
  // the steps it applies around them.
  it.each(PER_SAMPLE_NON_FINITE)(
    'per-sample SGD of a tiny net skipping non-finite %s steps (%j, x = %d, lr %d, weightDecay %d) equals the general path',
    async (_what, sizes, bad, lr, weightDecay) => {
      const p = problem(16, [...sizes], 7, Loss.mse);
      p.x[2] = bad;
      const jobs = [0, 1e30].map((clipNorm) => {
        const base = fitJob(p, { batchSize: 1, epochs: 2, skipNonFinite: true });
        return { ...base, schedule: { ...base.schedule, lr }, optimizer: { ...base.optimizer, clipNorm, weightDecay } };
      });
      const [tiny, general] = [jobs[0]!, jobs[1]!];
      expect(await be.train(tiny, null)).toEqual(await be.train(general, null));
      expect(tiny.history[HISTORY_FIELDS.indexOf('skipped')]).toBeGreaterThan(0);
      expect(tiny.history).toEqual(general.history);
      tiny.net.params.forEach((w, i) => expect(new Uint32Array(w.buffer), `params[${i}]`).toEqual(new Uint32Array(general.net.params[i]!.buffer)));
      expect(tiny.optimizer.step[0]).toBe(general.optimizer.step[0]);
    },
  );

  // A job whose batches are 3, 3, 1 rows takes the fused update only for
  // the last; the bound it keeps on |w| must be measured again after the
  // general updates in between, or a weight that grew there overflows
  // unchecked. Here x = 0 and λ = 7 at lr 1 make every step w ← −6w: the
  // fused step of epoch 16 would take |w| from 1.9e38 past float32's range.
  it('per-sample SGD between larger batches: the fused update re-measures the weights the general updates changed', async () => {
    const p = problem(15, [1, 1], 7, Loss.mse);
    p.x.fill(0);
    p.net.params[0]!.fill(50);
    const base = fitJob(p, { shuffle: false, batchSize: 3, epochs: 20 });
    const job = { ...base, schedule: { ...base.schedule, lr: 1 }, optimizer: { ...base.optimizer, weightDecay: 7 } };
    await expect(be.train(job, null)).rejects.toThrow('train: non-finite update at epoch 16, batch 2; that batch was not applied');
    expect(job.net.params.every((w) => w.every(Number.isFinite))).toBe(true);
    expect(Math.abs(job.net.params[0]![0]!)).toBeGreaterThan(1e38);
  });

  it('keeps the event loop responsive during a long fit, and file reads complete meanwhile', async () => {
    const p = problem(6, [32, 128, 128, 8], 2000);
    const self = fileURLToPath(import.meta.url);
    // p99 delay < 50 ms beyond what the machine's load alone causes (the
    // baseline: a never-blocking busy loop in this process, just before); a
    // fit that held the loop for a batch of epochs fails every try by far.
    await inSomeTry(3, async () => {
      const baseline = await busyLoopBaselineP99(600);
      const controller = new AbortController();
      const job = fitJob(p, { epochs: 10_000, batchSize: 16 });
      let reads = 0;
      let training = true;
      const reader = (async () => {
        while (training) {
          await fsp.readFile(self);
          reads++;
        }
      })();
      const timer = setTimeout(() => controller.abort(new Error('enough')), 1200);
      const p99 = await loopDelayP99(async () => expect(await be.train(job, () => {}, controller.signal)).toMatchObject({ cancelled: true }));
      clearTimeout(timer);
      const readsDuringTraining = reads;
      training = false;
      await reader;
      // ~100 idle, 6–9 with both cores busy; a loop blocked for the whole fit
      // completes at most the read already under way.
      expect(readsDuringTraining).toBeGreaterThan(2);
      expect(p99, `baseline p99 ${baseline.toFixed(1)} ms`).toBeLessThan(50 + baseline);
    });
  });

  it('stops at random moments promptly when aborted, with no callback afterwards, leaving a usable model', async () => {
    const p = problem(7, [16, 64, 4], 1000);
    const rng = new Rng(8);
    const settleMs: number[] = [];
    for (let trial = 0; trial < 5; trial++) {
      const controller = new AbortController();
      const job = fitJob(p, { epochs: 100_000, batchSize: 1, progressEvery: 10 });
      let settled = false;
      let late = 0;
      const fitting = be.train(
        job,
        () => {
          if (settled) late++;
        },
        controller.signal,
      );
      await new Promise((resolve) => setTimeout(resolve, 5 + 60 * rng.uniform()));
      const started = performance.now();
      controller.abort(new Error(`stop ${trial}`));
      const stopped = await fitting;
      expect(stopped.cancelled).toBe(true);
      expect(stopped.epochs).toBeLessThan(100_000);
      settled = true;
      settleMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(late).toBe(0);
      expect(job.net.params.every((w) => w.every(Number.isFinite))).toBe(true);
      // Usable: a forward pass and another job both work on the same weights.
      be.forward(new Float32Array(4 * 2), job.net, p.x.subarray(0, 32), 2);
      await be.train({ ...job, epochs: 1, history: new Float64Array(HISTORY_FIELDS.length) }, null);
    }
    // Promptly: the median abort settles within 250 ms, and every one within
    // 2 s (a loaded 2-core machine may stall one try; a job that ignored the
    // abort would run its 100 000 epochs).
    settleMs.sort((a, b) => a - b);
    expect(settleMs[2], `settle times ${settleMs.map((t) => t.toFixed(0)).join(', ')} ms`).toBeLessThan(250);
    expect(settleMs[4]).toBeLessThan(2000);
  });

  it('an already-aborted signal resolves at once without training', async () => {
    const p = problem(9);
    const job = fitJob(p);
    expect(await be.train(job, null, AbortSignal.abort(new Error('never')))).toEqual({
      epochs: 0,
      samples: 0,
      bestEpoch: 0,
      best: 0,
      steps: 0,
      stoppedEarly: false,
      cancelled: true,
    });
    expect(maxAbsDiff(job.net.params, p.net.params)).toBe(0);
  });
});

const native = backends.find((b) => b.name === 'native');
const pair = backendPair();

describe.runIf(pair)('train: native and TS agree', () => {
  // As in network.test.ts: per-step differences are float32 rounding only.
  it.each([[1], [8]])('batch size %d', async (batchSize) => {
    const p = problem(10, [8, 16, 8, 3], 64);
    const a = fitJob(p, { batchSize, epochs: 4 });
    const b = fitJob(p, { batchSize, epochs: 4 });
    await pair!.js.train(a, null);
    await pair!.native.train(b, null);
    expect(a.rngState).toEqual(b.rngState);
    expect(closeHistories(a.history, b.history, 1e-5)).toBe(true);
    expect(maxAbsDiff(a.net.params, b.net.params)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(a.net.params, p.net.params)).toBeGreaterThan(1e-3);
  });
});

describe.runIf(native)('native training in Workers', () => {
  it('survives Workers terminated in the middle of a training job, 50 times', async () => {
    const { Worker } = await import('node:worker_threads');
    const path = new URL('../../build/Release/fastnn.node', import.meta.url).pathname;
    // A plain-JS FitJob (no imports in eval'd code): 64-128-4 relu net, 20 000 epochs.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      const f32 = (n, v = 0.01) => new Float32Array(n).fill(v);
      const job = {
        net: { sizes: Int32Array.of(64, 128, 4), hiddenActivations: Int32Array.of(3), leakySlope: 0, loss: 2,
               lossParams: { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: new Float32Array(0) },
               params: [f32(8192), f32(128), f32(512), f32(4)] },
        x: f32(64 * 256, 0.5), y: f32(256 * 4, 0.25), n: 256, xVal: f32(0), yVal: f32(0), nVal: 0,
        epochs: 20000, batchSize: 8, shuffle: true, rngState: Uint32Array.of(1, 2, 3, 4),
        optimizer: { type: 2, weightDecay: 0, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8,
                     clipNorm: 0, state: [f32(8192, 0), f32(128, 0), f32(512, 0), f32(4, 0), f32(8192, 0), f32(128, 0), f32(512, 0), f32(4, 0)],
                     step: new Float64Array(1) },
        schedule: { type: 0, lr: 0.01, perStep: false, stepSize: 1, gamma: 0.1, minLr: 0, total: 1, warmup: 0 },
        metric: 2, earlyStopping: { monitor: 0, patience: 0, minDelta: 0, restoreBest: false },
        skipNonFinite: false, progressEvery: 1, history: new Float64Array(20000 * 6),
      };
      addon.train(job, () => {});
      parentPort.postMessage('started');
    `;
    for (let i = 0; i < 50; i++) {
      const worker = new Worker(source, { eval: true, workerData: { path } });
      await new Promise((resolve) => worker.once('message', resolve));
      await new Promise((resolve) => setTimeout(resolve, (i * 7) % 15));
      await worker.terminate();
    }
    // Still alive, and training still works here.
    const p = problem(11);
    expect((await native!.train(fitJob(p, { epochs: 1, history: new Float64Array(HISTORY_FIELDS.length) }), null)).epochs).toBe(1);
  });
});

describe.runIf(native)('native passes on the instance thread pool', () => {
  it('forward, lossGradient and train give bit-identical results on 1 and 2 threads', async () => {
    const { loadNativeAddon } = await import('../../src/backend/native.js');
    const addon = loadNativeAddon();
    const before = addon.getThreads();
    // Products around the 300-wide layer (2·256·96·300 ≈ 1.5e7 flops in forward's
    // 256-row blocks, 2·300·300·128 ≈ 2.3e7 in a batch of 300) pass gemm's 1e7
    // threading threshold; the others stay on one thread. Results must not differ.
    const rng = new Rng(13);
    const net = makeNet(rng, [96, 300, 128, 4], [Activation.relu, Activation.tanh], Loss.softmaxCrossEntropy);
    const n = 600;
    const x = randomF32(rng, n * 96, -1, 1);
    const y = makeTargets(rng, n, 4, Loss.softmaxCrossEntropy);
    const run = async (threads: number) => {
      addon.setThreads(threads);
      const out = new Float32Array(n * 4);
      native!.forward(out, net, x, n);
      const grads = net.params.map((w) => new Float32Array(w.length));
      const loss = native!.lossGradient(grads, net, x, y, n);
      const job = fitJob({ net, x, y, n }, { batchSize: 300, epochs: 2, history: new Float64Array(2 * HISTORY_FIELDS.length) });
      await native!.train(job, null);
      return { out, grads, loss, params: job.net.params, history: job.history };
    };
    try {
      const [one, two] = [await run(1), await run(2)];
      expect(two.out).toEqual(one.out);
      expect(two.loss).toBe(one.loss);
      two.grads.forEach((g, i) => expect(g).toEqual(one.grads[i]));
      two.params.forEach((p, i) => expect(p).toEqual(one.params[i]));
      expect(two.history).toEqual(one.history);
    } finally {
      addon.setThreads(before);
    }
  });
});
