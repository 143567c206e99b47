/**
 * Training on the thread pool gives the bits of one thread, and agrees with
 * the TS backend, at and around every threshold that shares work:
 * - the optimizer update (optimizers.h kParallelUpdateElements): every
 *   element updated exactly once (a single SGD step equals its float32 rule);
 * - per-sample SGD's first layer (the same threshold, sgd_rank1.cc);
 * - the batch gather (network.h kParallelGatherElements);
 * - the element-wise passes fused into shared products (gemm.h GemmEpilogue).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, Norm, Optimizer, optimizerStateCount, type Backend, type FitJob } from '../../src/backend/backend.js';
import { createNativeBackend, loadNativeAddon, type NativeAddon } from '../../src/backend/native.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { cloneNet, makeNet, makeTargets, plainTraining, randomF32, refTargetCols } from '../helpers/reference.js';

const backends = backendsUnderTest();
const hasNative = backends.some((b) => b.name === 'native');
// The agreement check runs wherever both backends load (CI's native run included).
const js = backendPair()?.js ?? null;
// optimizers.h kParallelUpdateElements: networks with this many parameters or more update on the pool.
const THRESHOLD = 1 << 15;

/** Sizes [inputs, hidden, outputs] of a net with exactly `total` parameters (h·(in+1) + out·(h+1)). */
function sizesFor(total: number): number[] {
  for (let out = 1; out <= 16; out++) {
    for (let h = 48; h <= 64; h++) {
      const rest = total - out * (h + 1);
      if (rest % h === 0) return [rest / h - 1, h, out];
    }
  }
  throw new Error(`no sizes for ${total} parameters`);
}

/** A minibatch job on net: n samples of inputs and targets suited to its loss drawn from rng, shuffled
 * from rngState, plain SGD. */
function batchJob(rng: Rng, net: FitJob['net'], n: number, batchSize: number, epochs: number, rngState: Uint32Array): FitJob {
  const sizes = Array.from(net.sizes);
  const base = plainTraining(0.05, 1e-3);
  return {
    ...base,
    net,
    x: randomF32(rng, n * sizes[0]!, -1, 1),
    y: makeTargets(rng, n, sizes[sizes.length - 1]!, net.loss),
    n,
    epochs,
    batchSize,
    shuffle: true,
    rngState,
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(epochs * HISTORY_FIELDS.length),
    optimizer: { ...base.optimizer, state: [] },
  };
}

/** Batches of 8 on a net of exactly `total` parameters, with the optimizer `type` and its zeroed state. */
function job(total: number, type: number): FitJob {
  const rng = new Rng(total);
  const net = makeNet(rng, sizesFor(total), [Activation.tanh], Loss.softmaxCrossEntropy);
  const j = batchJob(rng, net, 16, 8, 2, Uint32Array.of(1, 2, 3, 4));
  const state = Array.from(
    { length: optimizerStateCount(type as never, net.params.length) },
    (_, i) => new Float32Array(net.params[i % net.params.length]!.length),
  );
  return { ...j, optimizer: { ...j.optimizer, type: type as never, state } };
}

function copyJob(j: FitJob): FitJob {
  return {
    ...j,
    net: cloneNet(j.net),
    rngState: j.rngState.slice(),
    history: j.history.slice(),
    optimizer: { ...j.optimizer, state: j.optimizer.state.map((s) => s.slice()), step: j.optimizer.step.slice() },
  };
}

/** Copies of j trained natively on each thread count in turn (1, then 2 by
 * default): one after the other, since the pool's size is read while a job runs. */
async function trainOnThreads(addon: NativeAddon, native: Backend, j: FitJob, threadCounts = [1, 2]): Promise<FitJob[]> {
  const runs: FitJob[] = [];
  for (const threads of threadCounts) {
    addon.setThreads(threads);
    const k = copyJob(j);
    await native.train(k, null);
    runs.push(k);
  }
  return runs;
}

/** Where two lists of arrays first differ in any bit ("array 2 [37]: … vs …"), or null. A message rather
 * than toEqual on the arrays, whose diff of 10⁵ elements would take minutes to print. */
function bitDifference(got: Float32Array[], want: Float32Array[]): string | null {
  if (got.length !== want.length) return `${got.length} arrays vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = new Uint32Array(got[i]!.buffer, got[i]!.byteOffset, got[i]!.length);
    const w = new Uint32Array(want[i]!.buffer, want[i]!.byteOffset, want[i]!.length);
    if (g.length !== w.length) return `array ${i}: ${g.length} elements vs ${w.length}`;
    const e = g.findIndex((v, k) => v !== w[k]);
    if (e >= 0) return `array ${i} [${e}]: ${got[i]![e]} vs ${want[i]![e]}`;
  }
  return null;
}

/** The largest |a − b| over every element of two lists of arrays of the same shapes. */
function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((x, i) =>
    x.forEach((v, e) => {
      max = Math.max(max, Math.abs(v - b[i]![e]!));
    }),
  );
  return max;
}

/** Expects every run to match the first bit for bit (weights, optimizer state, history), and the TS
 * backend, when it loads, to land within tol of it. */
async function expectSameTraining(runs: FitJob[], j: FitJob, tol: number): Promise<void> {
  for (const run of runs.slice(1)) {
    expect(bitDifference(run.net.params, runs[0]!.net.params)).toBeNull();
    expect(bitDifference(run.optimizer.state, runs[0]!.optimizer.state)).toBeNull();
    expect(run.history).toEqual(runs[0]!.history);
  }
  if (js) {
    const t = copyJob(j);
    await js.train(t, null);
    expect(maxDifference(t.net.params, runs[0]!.net.params)).toBeLessThanOrEqual(tol);
  }
}

describe.runIf(hasNative)('optimizer update on the pool', () => {
  const addon = hasNative ? loadNativeAddon() : null;
  const native = addon ? createNativeBackend(addon) : null!;
  const before = addon?.getThreads() ?? 1;
  afterAll(() => addon?.setThreads(before));
  const totals = [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1];
  const types = [Optimizer.sgd, Optimizer.momentum, Optimizer.adam];

  it.each(totals.flatMap((t) => types.map((o) => [t, o])))('%d parameters, optimizer %d: 1 and 2 threads bit-identical', async (total, type) => {
    const j = job(total, type);
    expect(j.net.params.reduce((s, p) => s + p.length, 0)).toBe(total);
    // The TS backend's gradients round differently; the updates are the same rules.
    // Adam divides by √v, so a gradient near zero turns its rounding into a larger step difference.
    await expectSameTraining(await trainOnThreads(addon!, native, j), j, type === Optimizer.adam ? 1e-4 : 1e-5);
  });

  it.each(totals)('%d parameters: one SGD step on 2 threads is the float32 rule on every element', async (total) => {
    addon!.setThreads(2);
    const j = { ...job(total, Optimizer.sgd), epochs: 1, batchSize: 16, shuffle: false, history: new Float64Array(HISTORY_FIELDS.length) };
    const start = cloneNet(j.net);
    const grads = start.params.map((p) => new Float32Array(p.length));
    native.lossGradient(grads, start, j.x, j.y, j.n);
    await native.train(j, null);
    // The float32 rule: η and λ rounded first, then each operation (f32).
    const f32 = Math.fround;
    const lr = f32(j.schedule.lr);
    j.net.params.forEach((p, i) => {
      const decay = f32(i % 2 === 0 ? j.optimizer.weightDecay : 0);
      const want = start.params[i]!.map((w, e) => {
        const g = grads[i]![e]!;
        return f32(w - f32(lr * (decay === 0 ? g : f32(g + f32(decay * w)))));
      });
      expect(Array.from(p)).toEqual(Array.from(want));
    });
  });
});

/**
 * Per-sample SGD shares its first layer over the pool (network.cc
 * forward_layers, sgd_rank1.cc Rank1Sgd::step, where the calling thread's
 * task takes fewer rows and updates the later layers too) once that layer
 * has kParallelUpdateElements weights: first layers of threshold − 1,
 * threshold and threshold + 1 weights train bit-identically on 1, 2 and 3
 * threads (3: two workers share the rows the caller leaves), the fused
 * update still equals the general path bit for bit, and native agrees with
 * the TS backend.
 */
describe.runIf(hasNative)('per-sample SGD on the pool', () => {
  const addon = hasNative ? loadNativeAddon() : null;
  const native = addon ? createNativeBackend(addon) : null!;
  const before = addon?.getThreads() ?? 1;
  afterAll(() => addon?.setThreads(before));
  // [inputs, first hidden layer]: 1057·31 = THRESHOLD − 1, 512·64 = THRESHOLD, 3641·9 = THRESHOLD + 1.
  const firstLayers = [
    [1057, 31],
    [512, 64],
    [3641, 9],
  ] as const;

  function perSampleJob(inputs: number, hidden: number): FitJob {
    const rng = new Rng(inputs);
    const net = makeNet(rng, [inputs, hidden, 3], [Activation.relu], Loss.softmaxCrossEntropy);
    return batchJob(rng, net, 12, 1, 2, Uint32Array.of(5, 6, 7, 8));
  }

  it.each(firstLayers)('first layer %d × %d: 1, 2 and 3 threads bit-identical, fused = general path', async (inputs, hidden) => {
    const j = perSampleJob(inputs, hidden);
    expect(Math.abs(inputs * hidden - THRESHOLD)).toBeLessThanOrEqual(1);
    const runs = await trainOnThreads(addon!, native, j, [1, 2, 3]);
    // Clipping at a norm never reached takes the general path (gradients, dry run, copy).
    const general = copyJob(j);
    general.optimizer = { ...general.optimizer, clipNorm: 1e30 };
    await native.train(general, null);
    expect(bitDifference(general.net.params, runs[0]!.net.params)).toBeNull();
    // The TS backend sums the forward products in float64; the updates are the same float32 rule.
    await expectSameTraining(runs, j, 1e-5);
  });
});

/**
 * Per-sample SGD of nets no wider than 32 units runs the tiny step
 * (tiny_step.h), whose products are those of the kernel path in use: on
 * every path, with 1 and 2 threads, it trains bit-identically to the general
 * path (clipping at a norm never reached), with inputs wider than a vector
 * (the products' lanes) and narrower, and native agrees with TS.
 */
describe.runIf(hasNative)('tiny per-sample steps on every kernel path', () => {
  const addon = hasNative ? loadNativeAddon() : null;
  const native = addon ? createNativeBackend(addon) : null!;
  const before = { threads: addon?.getThreads() ?? 1, path: addon?.gemmPath() ?? 'portable' };
  afterAll(() => {
    addon?.setThreads(before.threads);
    addon?.setGemmPath(before.path);
  });
  const shapes = [
    [2, 4, 1],
    [19, 9, 3],
    [32, 17, 32],
  ] as const;

  it.each(shapes)('%d-%d-%d on every path: 1 and 2 threads bit-identical, tiny = general path', async (...sizes) => {
    const rng = new Rng(sizes[0] * sizes[1]);
    const net = makeNet(rng, [...sizes], [Activation.sigmoid], Loss.sigmoidCrossEntropy);
    const j = batchJob(rng, net, 12, 1, 2, Uint32Array.of(1, 2, 3, 4));
    for (const path of addon!.gemmPaths()) {
      addon!.setGemmPath(path);
      const runs = await trainOnThreads(addon!, native, j);
      const general = copyJob(j);
      general.optimizer = { ...general.optimizer, clipNorm: 1e30 };
      await native.train(general, null);
      expect(bitDifference(general.net.params, runs[0]!.net.params), path).toBeNull();
      expect(general.history, path).toEqual(runs[0]!.history);
      await expectSameTraining(runs, j, 1e-5);
    }
  });
});

/**
 * The batch gather shares its rows over the pool (network.cc gather_batch)
 * from kParallelGatherElements input and target floats: batches of
 * threshold − 1, threshold and threshold + 1 floats train bit-identically on
 * 1 and 2 threads (a row copied to the wrong place would change the model),
 * and native agrees with TS.
 */
describe.runIf(hasNative)('batch gather on the pool', () => {
  const addon = hasNative ? loadNativeAddon() : null;
  const native = addon ? createNativeBackend(addon) : null!;
  const before = addon?.getThreads() ?? 1;
  afterAll(() => addon?.setThreads(before));
  // network.h kParallelGatherElements.
  const GATHER = 1 << 15;
  // [batch rows, floats per row (inputs + the one target column)]: 7·4681 = GATHER − 1, 8·4096 = GATHER, 3·10923 = GATHER + 1.
  const batches = [
    [7, 4681],
    [8, 4096],
    [3, 10923],
  ] as const;

  it.each(batches)('batches of %d rows × %d floats: 1 and 2 threads bit-identical', async (rows, floats) => {
    const rng = new Rng(floats);
    const net = makeNet(rng, [floats - refTargetCols(Loss.mse, 1), 4, 1], [Activation.tanh], Loss.mse);
    expect(Math.abs(rows * floats - GATHER)).toBeLessThanOrEqual(1);
    // Two full batches and a one-row remainder, in shuffled order.
    const j = batchJob(rng, net, 2 * rows + 1, rows, 2, Uint32Array.of(rows, 2, 3, 4));
    await expectSameTraining(await trainOnThreads(addon!, native, j), j, 1e-5);
  });
});

/**
 * Products shared over the pool run their layer's element-wise passes on
 * each part as the part is stored (gemm.h GemmEpilogue, network.cc): bias
 * and activation after the forward product, dropout's mask and f' after
 * backward's da = dz·W, the bias gradient beside the weight gradient. The
 * first two layers of these nets have products above the threading
 * threshold, cut by columns and by rows on 2 and 3 threads; with the
 * sparsity penalty or normalisation the passes run after the product
 * instead. Each trains bit-identically on 1, 2 and 3 threads and agrees with
 * TS; a remainder batch of 5 rows takes the unshared products.
 */
describe.runIf(hasNative)('element-wise passes fused into shared products', () => {
  const addon = hasNative ? loadNativeAddon() : null;
  const native = addon ? createNativeBackend(addon) : null!;
  const before = addon?.getThreads() ?? 1;
  afterAll(() => addon?.setThreads(before));
  const sizes = [300, 256, 128, 5];

  type Variant = [string, (net: FitJob['net']) => void];
  const variants: Variant[] = [
    ['relu', () => {}],
    [
      'sigmoid',
      (net) => {
        net.hiddenActivations = Int32Array.of(Activation.sigmoid, Activation.sigmoid);
      },
    ],
    [
      'tanh, mse output',
      (net) => {
        net.hiddenActivations = Int32Array.of(Activation.tanh, Activation.tanh);
        net.loss = Loss.mse;
      },
    ],
    [
      'leaky ReLU',
      (net) => {
        net.hiddenActivations = Int32Array.of(Activation.leakyRelu, Activation.leakyRelu);
      },
    ],
    [
      'dropout',
      (net) => {
        net.dropout = Float64Array.of(0.2, 0.1);
      },
    ],
    [
      'sparsity penalty',
      (net) => {
        net.hiddenActivations = Int32Array.of(Activation.sigmoid, Activation.sigmoid);
        net.sparsity = { layer: 1, rho: 0.1, beta: 0.5 };
      },
    ],
    [
      'layer normalisation',
      (net) => {
        net.norm = Uint8Array.of(Norm.layer, Norm.none);
        net.params[1] = Float32Array.from({ length: 2 * sizes[1]! }, (_, i) => (i < sizes[1]! ? 1 : 0));
      },
    ],
  ];

  it.each(variants)('%s: 1, 2 and 3 threads bit-identical', async (_name, configure) => {
    const rng = new Rng(7);
    const net = makeNet(rng, sizes, [Activation.relu, Activation.relu], Loss.softmaxCrossEntropy);
    configure(net);
    const j = batchJob(rng, net, 2 * 64 + 5, 64, 1, Uint32Array.of(11, 2, 3, 4));
    // The TS backend sums products in float64: a few float32 roundings apart after three steps.
    await expectSameTraining(await trainOnThreads(addon!, native, j, [1, 2, 3]), j, 2e-5);
  });
});
