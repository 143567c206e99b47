/**
 * The optimizers, clipping and learning-rate schedules inside Backend.train,
 * against the update rules of backend.ts written out here in float64 from the
 * backend's own lossGradient, plus early stopping, validation columns and
 * reproducibility of whole histories.
 */
import { describe, expect, it } from 'vitest';
import {
  Activation,
  HISTORY_FIELDS,
  Loss,
  Metric,
  Monitor,
  Optimizer,
  optimizerStateCount,
  Schedule,
  StepOutcome,
  type Backend,
  type FitJob,
  type ScheduleSpec,
} from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

const backends = backendsUnderTest();
const FIELDS = HISTORY_FIELDS.length;
const col = (job: FitJob, field: (typeof HISTORY_FIELDS)[number]) =>
  Array.from({ length: job.history.length / FIELDS }, (_, e) => job.history[e * FIELDS + HISTORY_FIELDS.indexOf(field)]!);

interface Problem {
  net: ReturnType<typeof makeNet>;
  x: Float32Array;
  y: Float32Array;
  n: number;
}

function problem(seed: number, n = 12, loss: number = Loss.softmaxCrossEntropy, sizes = [4, 6, 3]): Problem {
  const rng = new Rng(seed);
  const net = makeNet(rng, sizes, [Activation.tanh], loss);
  const [inputs, outputs] = [sizes[0]!, sizes[sizes.length - 1]!];
  return { net, x: randomF32(rng, n * inputs, -1, 1), y: makeTargets(rng, n, outputs, loss), n };
}

function job(p: Problem, opt: Partial<FitJob['optimizer']>, over: Partial<FitJob> = {}): FitJob {
  const net = cloneNet(p.net);
  const base = plainTraining(0.05, 0);
  const type = opt.type ?? Optimizer.sgd;
  const state = Array.from({ length: optimizerStateCount(type, net.params.length) }, (_, j) => new Float32Array(net.params[j % net.params.length]!.length));
  const epochs = over.epochs ?? 3;
  return {
    ...base,
    net,
    x: p.x,
    y: p.y,
    n: p.n,
    epochs,
    batchSize: p.n,
    shuffle: false,
    rngState: Uint32Array.of(1, 2, 3, 4),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * FIELDS),
    optimizer: { ...base.optimizer, ...opt, type, state },
    ...over,
  };
}

/** Full-batch steps of the documented rules in float64 (weights decay, biases do not). */
function reference(be: Backend, p: Problem, j: FitJob, lrs: number[]): Float32Array[] {
  const net = cloneNet(p.net);
  const o = j.optimizer;
  const P = net.params.length;
  const m = net.params.map((w) => new Float64Array(w.length));
  const v = net.params.map((w) => new Float64Array(w.length));
  lrs.forEach((lr, s) => {
    const t = s + 1;
    const grads = net.params.map((w) => new Float32Array(w.length));
    be.lossGradient(grads, net, p.x, p.y, p.n);
    let sq = 0;
    grads.forEach((g) => g.forEach((x) => (sq += x * x)));
    const scale = o.clipNorm > 0 && Math.sqrt(sq) > o.clipNorm ? o.clipNorm / Math.sqrt(sq) : 1;
    for (let k = 0; k < P; k++) {
      const w = net.params[k]!;
      const decay = k % 2 === 0 ? o.weightDecay : 0;
      for (let i = 0; i < w.length; i++) {
        let wi = w[i]!;
        let g = Math.fround(grads[k]![i]! * scale);
        if (o.type === Optimizer.adamw) wi -= lr * decay * wi;
        else g += decay * wi;
        if (o.type === Optimizer.sgd) wi -= lr * g;
        else if (o.type === Optimizer.momentum) {
          v[k]![i] = o.momentum * v[k]![i]! + g;
          wi -= lr * (o.nesterov ? g + o.momentum * v[k]![i]! : v[k]![i]!);
        } else {
          m[k]![i] = o.beta1 * m[k]![i]! + (1 - o.beta1) * g;
          v[k]![i] = o.beta2 * v[k]![i]! + (1 - o.beta2) * g * g;
          wi -= (lr * m[k]![i]!) / (1 - o.beta1 ** t) / (Math.sqrt(v[k]![i]! / (1 - o.beta2 ** t)) + o.eps);
        }
        w[i] = wi;
      }
    }
  });
  return net.params;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((p, i) => p.forEach((x, j) => (d = Math.max(d, Math.abs(x - b[i]![j]!)))));
  return d;
}

/** Three full-batch steps of `be.optimizerStep` on `be.lossGradient`'s gradients: what train does, by hand. */
async function byOptimizerStep(be: Backend, j: FitJob): Promise<FitJob> {
  for (let s = 0; s < 3; s++) {
    const grads = j.net.params.map((w) => new Float32Array(w.length));
    be.lossGradient(grads, j.net, j.x, j.y, j.n);
    expect(be.optimizerStep(j.net, grads, j.optimizer, j.schedule.lr)).toBe(StepOutcome.applied);
  }
  return j;
}

const STEP_CASES = [
  ['sgd + L2', { type: Optimizer.sgd, weightDecay: 0.01 }],
  ['Nesterov momentum', { type: Optimizer.momentum, momentum: 0.8, nesterov: true }],
  ['adam + clipping', { type: Optimizer.adam, clipNorm: 0.1 }],
  ['adamw', { type: Optimizer.adamw, weightDecay: 0.1 }],
] as const;

describe.each(backends)('optimizerStep on $name', (be: Backend) => {
  it.each(STEP_CASES)('%s: the update train applies, step count and state included', async (_name, opt) => {
    const p = problem(31);
    const trained = job(p, opt);
    await be.train(trained, null);
    const stepped = await byOptimizerStep(be, job(p, opt));
    expect(stepped.optimizer.step[0]).toBe(3);
    expect(maxAbsDiff(stepped.net.params, trained.net.params)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(stepped.optimizer.state, trained.optimizer.state)).toBeLessThanOrEqual(1e-6);
  });

  // SGD stores its update as it checks it and undoes a refused one; Adam checks first.
  it.each([
    ['sgd', Optimizer.sgd],
    ['adam', Optimizer.adam],
  ])('refuses a non-finite gradient and an overflowing update, writing nothing (%s)', (_, type) => {
    const p = problem(32);
    const j = job(p, { type });
    const before = cloneNet(j.net);
    const grads = () => j.net.params.map((w) => new Float32Array(w.length).fill(0.5));
    const nanBias = grads();
    nanBias[1]![0] = NaN;
    expect(be.optimizerStep(j.net, nanBias, j.optimizer, 0.1)).toBe(StepOutcome.nonFiniteGradient);
    expect(be.optimizerStep(j.net, grads(), j.optimizer, 1e39)).toBe(StepOutcome.nonFiniteUpdate);
    expect(maxAbsDiff(j.net.params, before.params)).toBe(0);
    expect(j.optimizer.step[0]).toBe(0);
  });

  // Over 2¹⁵ parameters, so native updates them on the pool, every thread its
  // part of each; only the last parameters are bad, after all the others were updated.
  it('refuses an SGD update of a wide network whose last entries are bad, writing nothing', () => {
    const j = job(problem(33, 12, Loss.softmaxCrossEntropy, [300, 120, 3]), { type: Optimizer.sgd });
    const before = cloneNet(j.net);
    const last = j.net.params.length - 1;
    const grads = () => j.net.params.map((w) => new Float32Array(w.length).fill(0.5));
    const nanBias = grads();
    nanBias[last]![2] = NaN;
    expect(be.optimizerStep(j.net, nanBias, j.optimizer, 0.1)).toBe(StepOutcome.nonFiniteGradient);
    const overflow = grads();
    overflow[last - 1]![overflow[last - 1]!.length - 1] = 3e38;
    expect(be.optimizerStep(j.net, overflow, j.optimizer, 10)).toBe(StepOutcome.nonFiniteUpdate);
    expect(maxAbsDiff(j.net.params, before.params)).toBe(0);
    expect(be.optimizerStep(j.net, grads(), j.optimizer, 0.1)).toBe(StepOutcome.applied);
    expect(maxAbsDiff(j.net.params, before.params)).toBeGreaterThan(0);
  });
});

describe.each(backends)('optimizers and schedules on $name', (be: Backend) => {
  // Three full-batch steps; the backend stores state in float32 where the
  // reference keeps float64, a relative 6e-8 per step: 1e-6 on weights O(1).
  it.each([
    ['sgd + L2', { type: Optimizer.sgd, weightDecay: 0.01 }],
    ['momentum', { type: Optimizer.momentum, momentum: 0.9 }],
    ['Nesterov momentum + L2', { type: Optimizer.momentum, momentum: 0.8, nesterov: true, weightDecay: 0.05 }],
    ['adam', { type: Optimizer.adam }],
    ['adam + L2 (coupled)', { type: Optimizer.adam, weightDecay: 0.1, beta1: 0.5, beta2: 0.9 }],
    ['adamw (decoupled)', { type: Optimizer.adamw, weightDecay: 0.1 }],
    ['sgd, clipped to norm 0.05', { type: Optimizer.sgd, clipNorm: 0.05 }],
    ['adam, clipped to norm 0.01', { type: Optimizer.adam, clipNorm: 0.01 }],
  ] as const)('%s follows the documented rule', async (_name, opt) => {
    const p = problem(1);
    const j = job(p, opt);
    await be.train(j, null);
    expect(j.optimizer.step[0]).toBe(3);
    expect(maxAbsDiff(j.net.params, reference(be, p, j, [0.05, 0.05, 0.05]))).toBeLessThan(1e-6);
    expect(maxAbsDiff(j.net.params, p.net.params)).toBeGreaterThan(1e-4);
  });

  it('optimizer state carries over: 2 + 1 epochs equal 3 epochs', async () => {
    const p = problem(2);
    const whole = job(p, { type: Optimizer.adam });
    await be.train(whole, null);
    const first = job(p, { type: Optimizer.adam }, { epochs: 2 });
    await be.train(first, null);
    const second = { ...first, epochs: 1, history: new Float64Array(FIELDS) };
    await be.train(second, null);
    expect(first.optimizer.step[0]).toBe(3);
    expect(maxAbsDiff(second.net.params, whole.net.params)).toBe(0);
  });

  it('clipping leaves small gradients alone', async () => {
    const p = problem(3);
    const [a, b] = [job(p, { clipNorm: 1e6 }), job(p, {})];
    await be.train(a, null);
    await be.train(b, null);
    expect(maxAbsDiff(a.net.params, b.net.params)).toBe(0);
  });

  const lrOf =
    (s: Partial<ScheduleSpec>, epochs: number) =>
    async (perStep = false) => {
      const p = problem(4, 12);
      const j = job(
        p,
        {},
        { epochs, batchSize: perStep ? 4 : 12, schedule: { ...plainTraining(0.1, 0).schedule, ...s, perStep }, history: new Float64Array(epochs * FIELDS) },
      );
      await be.train(j, null);
      return col(j, 'lr');
    };
  it.each([
    ['constant', { type: Schedule.constant }, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]],
    ['step every 2 by 0.5', { type: Schedule.step, stepSize: 2, gamma: 0.5 }, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]],
    ['exponential 0.9', { type: Schedule.exponential, gamma: 0.9 }, [0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049]],
    [
      'cosine over 5 to 0.01',
      { type: Schedule.cosine, total: 5, minLr: 0.01 },
      [0, 1, 2, 3, 4, 5].map((t) => 0.01 + 0.09 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, 5)) / 5))),
    ],
    ['warm-up 3 then constant', { type: Schedule.constant, warmup: 3 }, [0.1 / 3, 0.2 / 3, 0.1, 0.1, 0.1, 0.1]],
    [
      'warm-up 2 then cosine over 6',
      { type: Schedule.cosine, warmup: 2, total: 6 },
      [0.05, 0.1, ...[0, 1, 2, 3].map((u) => 0.05 * (1 + Math.cos((Math.PI * u) / 4)))],
    ],
  ] as const)('per-epoch schedule: %s', async (_name, s, expected) => {
    const lrs = await lrOf(s, 6)();
    lrs.forEach((lr, e) => expect(lr).toBeCloseTo(expected[e]!, 12));
  });

  it("per-step schedules run inside the epoch loop: the rate of each epoch's last step", async () => {
    // 3 steps per epoch; last steps are 2, 5, 8, 11.
    expect(await lrOf({ type: Schedule.exponential, gamma: 0.9 }, 4)(true)).toEqual([2, 5, 8, 11].map((t) => 0.1 * 0.9 ** t));
    const warm = await lrOf({ type: Schedule.constant, warmup: 6 }, 3)(true);
    expect(warm.map((x) => +x.toFixed(12))).toEqual([0.05, 0.1, 0.1]);
    // Every step advances the clock and the optimizer's step count.
    const p = problem(5, 4);
    const perStep = job(
      p,
      { type: Optimizer.momentum },
      { epochs: 3, batchSize: 1, schedule: { ...plainTraining(0.1, 0).schedule, type: Schedule.exponential, gamma: 0.8, perStep: true } },
    );
    await be.train(perStep, null);
    expect(perStep.optimizer.step[0]).toBe(12);
  });

  it('validation columns and accuracy, early stopping with patience, restore-best', async () => {
    const rng = new Rng(6);
    const p = problem(6, 40);
    const xVal = randomF32(rng, 20 * 4, -1, 1);
    const yVal = makeTargets(rng, 20, 3, Loss.softmaxCrossEntropy);
    const base = { xVal, yVal, nVal: 20, metric: Metric.categoricalAccuracy, epochs: 200, history: new Float64Array(200 * FIELDS) };
    // Random labels: validation loss falls, then rises as the net memorises the training rows.
    const j = job(p, { type: Optimizer.adam }, { ...base, batchSize: 8, schedule: { ...plainTraining(0.05, 0).schedule } });
    const result = await be.train(j, null);
    expect(result.stoppedEarly).toBe(false);
    const valLoss = col(j, 'valLoss');
    const acc = col(j, 'metric');
    expect(valLoss.every(Number.isFinite)).toBe(true);
    expect(acc.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(acc.at(-1)!).toBeGreaterThan(acc[0]!);
    const best = valLoss.indexOf(Math.min(...valLoss));
    expect(best).toBeLessThan(150);

    const stopping = job(
      p,
      { type: Optimizer.adam },
      {
        ...base,
        batchSize: 8,
        schedule: { ...plainTraining(0.05, 0).schedule },
        earlyStopping: { monitor: Monitor.valLoss, patience: 5, minDelta: 0, restoreBest: true },
        history: new Float64Array(200 * FIELDS),
      },
    );
    const stopped = await be.train(stopping, null);
    expect(stopped.stoppedEarly).toBe(true);
    expect(stopped.bestEpoch).toBe(best + 1);
    expect(stopped.epochs).toBe(best + 1 + 5);
    // Restored: the weights score the best epoch's validation loss again.
    const grads = stopping.net.params.map((w) => new Float32Array(w.length));
    expect(be.lossGradient(grads, stopping.net, xVal, yVal, 20)).toBeCloseTo(valLoss[best]!, 5);
  });

  it('is reproducible: the same job gives the same history (adam, per-step cosine, validation, shuffles)', async () => {
    const p = problem(7, 30);
    const make = () =>
      job(
        p,
        { type: Optimizer.adamw, weightDecay: 0.01, clipNorm: 1 },
        {
          xVal: p.x.subarray(0, 8 * 4),
          yVal: p.y.subarray(0, 8 * 3),
          nVal: 8,
          metric: Metric.categoricalAccuracy,
          batchSize: 7,
          shuffle: true,
          schedule: { ...plainTraining(0.01, 0).schedule, type: Schedule.cosine, perStep: true, total: 15, warmup: 2 },
        },
      );
    const [a, b] = [make(), make()];
    await be.train(a, null);
    await be.train(b, null);
    expect(Array.from(a.history)).toEqual(Array.from(b.history));
    expect(maxAbsDiff(a.net.params, b.net.params)).toBe(0);
  });
});

const pair = backendPair();

describe.runIf(pair)('native and TS agree with every optimizer', () => {
  it.each(Object.entries(Optimizer))('%s, per-step cosine with warm-up, validation, early stopping', async (_name, type) => {
    const p = problem(8, 48);
    const make = () =>
      job(
        p,
        { type, weightDecay: 0.01, clipNorm: 2, nesterov: true },
        {
          xVal: p.x.subarray(0, 10 * 4),
          yVal: p.y.subarray(0, 10 * 3),
          nVal: 10,
          metric: Metric.categoricalAccuracy,
          batchSize: 5,
          shuffle: true,
          epochs: 6,
          history: new Float64Array(6 * FIELDS),
          schedule: { ...plainTraining(0.02, 0).schedule, type: Schedule.cosine, perStep: true, total: 60, warmup: 5 },
          earlyStopping: { monitor: Monitor.valLoss, patience: 3, minDelta: 0, restoreBest: true },
        },
      );
    const [a, b] = [make(), make()];
    const ra = await pair!.js.train(a, null);
    const rb = await pair!.native.train(b, null);
    // The best monitored value is a validation loss: equal to float32 rounding, like the history.
    expect({ ...ra, best: 0 }).toEqual({ ...rb, best: 0 });
    expect(Math.abs(ra.best - rb.best)).toBeLessThanOrEqual(1e-6);
    a.history.forEach((v, i) => expect(Math.abs(v - b.history[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v))));
    expect(maxAbsDiff(a.net.params, b.net.params)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(a.optimizer.state, b.optimizer.state)).toBeLessThanOrEqual(1e-5);
  });
});

describe.runIf(pair)('native and TS agree on optimizerStep', () => {
  it.each(STEP_CASES)('%s', async (_name, opt) => {
    const p = problem(33);
    const [a, b] = [await byOptimizerStep(pair!.js, job(p, opt)), await byOptimizerStep(pair!.native, job(p, opt))];
    expect(maxAbsDiff(a.net.params, b.net.params)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(a.optimizer.state, b.optimizer.state)).toBeLessThanOrEqual(1e-6);
  });
});

describe.runIf(pair)('native and TS agree with every loss', () => {
  // Four outputs fit every loss (gaussianNll: two targets). Same tolerance
  // as above: the backends differ by float32 rounding only.
  it.each(Object.entries(Loss))('%s', async (_name, loss) => {
    const rng = new Rng(20 + loss);
    const net = makeNet(rng, [5, 8, 4], [Activation.tanh], loss, 0.1, {
      delta: 0.5,
      gamma: 1.5,
      alpha: 0.3,
      smoothing: 0.1,
      classWeights: loss === Loss.softmaxCrossEntropy ? Float32Array.of(1, 2, 0.5, 3) : new Float32Array(0),
    });
    const n = 40;
    const p = { net, x: randomF32(rng, n * 5, -1, 1), y: makeTargets(rng, n, 4, loss), n };
    const make = () => job(p, { type: Optimizer.adam }, { batchSize: 4, shuffle: true, epochs: 3 });
    const [a, b] = [make(), make()];
    await pair!.js.train(a, null);
    await pair!.native.train(b, null);
    // NaN marks the absent columns (no metric, no validation) on both.
    a.history.forEach((v, i) => {
      if (Number.isNaN(v)) expect(b.history[i]).toBeNaN();
      else expect(Math.abs(v - b.history[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v)));
    });
    expect(maxAbsDiff(a.net.params, b.net.params)).toBeLessThanOrEqual(1e-5);
  });
});
