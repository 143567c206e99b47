/**
 * Whole-network methods: forward against the float64 reference, trainEpoch
 * against lossGradient + sgdUpdate composed by hand, the returned loss sum,
 * the non-finite-loss guard, and (when the addon loads) TS and native
 * training the same network to the same weights.
 */
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type Backend, type NetworkSpec, type TrainJob } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { cloneNet, lossesFor, makeNet, makeTargets, mismatches, randomF32, refForward } from '../helpers/reference.js';

const backends = backendsUnderTest();

/** Runs the documented per-batch algorithm with the backend's own
 * lossGradient and sgdUpdate: the expected result of trainEpoch. */
function manualEpoch(be: Backend, net: NetworkSpec, job: Omit<TrainJob, 'net'>): number {
  const k = net.sizes[net.sizes.length - 1]!;
  const d = net.sizes[0]!;
  let sum = 0;
  for (let start = 0; start < job.order.length; start += job.batchSize) {
    const idx = job.order.subarray(start, Math.min(start + job.batchSize, job.order.length));
    const xb = new Float32Array(idx.length * d);
    const yb = new Float32Array(idx.length * k);
    idx.forEach((s, r) => {
      xb.set(job.x.subarray(s * d, (s + 1) * d), r * d);
      yb.set(job.y.subarray(s * k, (s + 1) * k), r * k);
    });
    const grads = net.params.map((p) => new Float32Array(p.length));
    const loss = be.lossGradient(grads, net, xb, yb, idx.length);
    net.params.forEach((p, i) => be.sgdUpdate(p, grads[i]!, p.length, job.learningRate, i % 2 === 0 ? job.weightDecay : 0));
    sum += loss * idx.length;
  }
  return sum;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((p, i) => p.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

describe.each(backends)('network on $name', (be: Backend) => {
  describe('forward', () => {
    const archs: [string, number[], number[]][] = [
      ['no hidden layer', [5, 3], []],
      ['one hidden relu', [4, 7, 2], [Activation.relu]],
      ['4-5-3-2 sigmoid/tanh', [4, 5, 3, 2], [Activation.sigmoid, Activation.tanh]],
      ['deep, odd widths', [17, 33, 9, 65, 3], [Activation.leakyRelu, Activation.identity, Activation.tanh]],
      ['single unit everywhere', [1, 1, 1], [Activation.relu]],
    ];
    // Each layer stores its output in float32 after a ≤ 65-term sum
    // ((width + 4)·u relative to Σ|terms| by the GEMM bound); through ≤ 4
    // layers of bounded activations that stays below ~1e-5 absolute on
    // outputs of size O(1): atol 2e-5, rtol 1e-5.
    describe.each(archs)('%s', (_name, sizes, hidden) => {
      it.each(lossesFor(sizes[sizes.length - 1]!))('output for loss %s', (_lossName, loss) => {
        const rng = new Rng(400 + sizes.length * 3 + loss);
        const net = makeNet(rng, sizes, hidden, loss);
        for (const n of [0, 1, 9]) {
          const x = randomF32(rng, n * sizes[0]!, -1, 1);
          const out = new Float32Array(n * sizes[sizes.length - 1]!).fill(NaN);
          be.forward(out, net, x, n);
          expect(mismatches(out, refForward(net, x, n), 2e-5, 1e-5), `n=${n}`).toBeNull();
        }
      });

      it.each(lossesFor(sizes[sizes.length - 1]!))("forwardLoss: forward's outputs and lossGradient's loss in one pass, for loss %s", (_lossName, loss) => {
        const rng = new Rng(500 + sizes.length * 3 + loss);
        const net = makeNet(rng, sizes, hidden, loss);
        const k = sizes[sizes.length - 1]!;
        // 300 rows: more than one of the native pass's 256-row blocks.
        for (const n of [0, 1, 9, 300]) {
          const x = randomF32(rng, n * sizes[0]!, -1, 1);
          const y = makeTargets(rng, n, k, loss);
          const [out, expected] = [new Float32Array(n * k).fill(NaN), new Float32Array(n * k)];
          const loss1 = be.forwardLoss(out, net, x, y, n);
          be.forward(expected, net, x, n);
          expect(out, `n=${n}`).toEqual(expected);
          if (n === 0) {
            expect(loss1).toBe(0);
            continue;
          }
          const reference = be.lossGradient(
            net.params.map((p) => new Float32Array(p.length)),
            net,
            x,
            y,
            n,
          );
          expect(Math.abs(loss1 - reference), `n=${n}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(reference)));
        }
      });
    });
  });

  describe('trainEpoch', () => {
    const sizes = [4, 6, 3];
    const n = 10;

    function problem(loss: number, seed: number) {
      const rng = new Rng(seed);
      const net = makeNet(rng, sizes, [Activation.tanh], loss);
      const x = randomF32(rng, n * sizes[0]!, -1, 1);
      const y = makeTargets(rng, n, sizes[sizes.length - 1]!, loss);
      return { rng, net, x, y };
    }

    // The same operations in the same order should give bitwise-equal
    // results; a fused native step may order its float32 sums differently,
    // so allow a few ulp of the weights' size: 1e-6 absolute on weights O(1).
    it.each(lossesFor(3))('batch = n equals one lossGradient + sgdUpdate step (%s)', (_name, loss) => {
      const { net, x, y } = problem(loss, 500 + loss);
      const expectedNet = cloneNet(net);
      const grads = net.params.map((p) => new Float32Array(p.length));
      const lossValue = be.lossGradient(grads, expectedNet, x, y, n);
      const lr = 0.3;
      const wd = 0.01;
      expectedNet.params.forEach((p, i) => be.sgdUpdate(p, grads[i]!, p.length, lr, i % 2 === 0 ? wd : 0));
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      for (const batchSize of [n, n + 5, 2147483647]) {
        const trained = cloneNet(net);
        const sum = be.trainEpoch({ net: trained, x, y, n, order, batchSize, learningRate: lr, weightDecay: wd });
        expect(Math.abs(sum - lossValue * n)).toBeLessThanOrEqual(1e-6 * Math.abs(lossValue * n));
        expect(maxAbsDiff(trained.params, expectedNet.params), `batchSize=${batchSize}`).toBeLessThanOrEqual(1e-6);
      }
    });

    it('weight decay applies to weights only, not biases', () => {
      // One full-batch step with and without decay from the same start: the
      // gradients are identical, so the difference is exactly the decay term.
      const { net, x, y } = problem(Loss.mse, 510);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      const a = cloneNet(net);
      const b = cloneNet(net);
      const job = { x, y, n, order, batchSize: n, learningRate: 0.5 };
      be.trainEpoch({ ...job, net: a, weightDecay: 0 });
      be.trainEpoch({ ...job, net: b, weightDecay: 0.1 });
      net.params.forEach((p0, i) => {
        for (let j = 0; j < p0.length; j++) {
          // w_b − w_a = −lr·λ·w0 for weights, 0 for biases.
          const expected = i % 2 === 0 ? -0.5 * 0.1 * p0[j]! : 0;
          expect(Math.abs(b.params[i]![j]! - a.params[i]![j]! - expected), `params[${i}][${j}]`).toBeLessThan(1e-6);
        }
      });
    });

    it.each(lossesFor(3))('returns Σ batch loss × batch size, shuffled order with repeats, last batch smaller (%s)', (_name, loss) => {
      const { rng, net, x, y } = problem(loss, 520 + loss);
      const order = new Uint32Array(23);
      for (let i = 0; i < order.length; i++) order[i] = rng.below(n); // repeats allowed
      for (const batchSize of [1, 4, 7]) {
        const expectedNet = cloneNet(net);
        // Poisson's gradient e^z − r grows fast: a smaller step keeps 23 steps finite.
        const job = { x, y, n, order, batchSize, learningRate: loss === Loss.poissonNll ? 0.02 : 0.2, weightDecay: 1e-3 };
        const expectedSum = manualEpoch(be, expectedNet, job);
        const trained = cloneNet(net);
        const sum = be.trainEpoch({ ...job, net: trained });
        // Sums of up to 23 batch losses, each float64 from identical float32
        // data: agree to ~1e-6 relative unless the batches differ.
        expect(Math.abs(sum - expectedSum), `batchSize=${batchSize}`).toBeLessThanOrEqual(1e-6 * expectedSum + 1e-9);
        expect(maxAbsDiff(trained.params, expectedNet.params), `batchSize=${batchSize}`).toBeLessThanOrEqual(1e-6);
      }
    });

    it('empty order: returns 0 and changes nothing', () => {
      const { net, x, y } = problem(Loss.mse, 530);
      const trained = cloneNet(net);
      const sum = be.trainEpoch({ net: trained, x, y, n, order: new Uint32Array(0), batchSize: 4, learningRate: 0.1, weightDecay: 0.1 });
      expect(sum).toBe(0);
      expect(maxAbsDiff(trained.params, net.params)).toBe(0);
    });

    it('training lowers the loss', () => {
      const { net, x, y } = problem(Loss.softmaxCrossEntropy, 540);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      const job = { net, x, y, n, order, batchSize: 3, learningRate: 0.5, weightDecay: 0 };
      const first = be.trainEpoch(job);
      let last = first;
      for (let e = 0; e < 30; e++) last = be.trainEpoch(job);
      expect(last).toBeLessThan(0.5 * first);
    });

    // NaN in an input row, or an infinite mse target (an infinite input is
    // not used: tanh saturates it to a finite loss with non-finite gradients,
    // which the contract does not guard against).
    it.each([
      ['NaN input', 'x', NaN],
      ['infinite target', 'y', Infinity],
    ] as const)('%s: throws naming the batch, weights of that batch untouched', (_name, where, bad) => {
      const { net, x: x0, y: y0 } = problem(Loss.mse, 550);
      const x = x0.slice();
      const y = y0.slice();
      if (where === 'x')
        x[7 * sizes[0]! + 2] = bad; // row 7
      else y[7 * sizes[2]! + 1] = bad;
      // batchSize 3: batches [0,1,2] [3,4,5] [6,7,8] [9] → row 7 is in batch 2.
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      const expectedNet = cloneNet(net);
      const job = { x, y, n, batchSize: 3, learningRate: 0.1, weightDecay: 0.01 };
      manualEpoch(be, expectedNet, { ...job, order: order.subarray(0, 6) });
      const trained = cloneNet(net);
      let caught: unknown;
      try {
        be.trainEpoch({ ...job, net: trained, order });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).name).toBe('Error');
      expect((caught as Error).message).toBe('trainEpoch: non-finite loss at batch 2');
      // Batches 0 and 1 were applied; batch 2 changed nothing.
      expect(maxAbsDiff(trained.params, expectedNet.params)).toBeLessThanOrEqual(1e-6);
      trained.params.forEach((p) => expect(p.every(Number.isFinite)).toBe(true));
    });

    it('a non-finite loss in batch 0 leaves every weight exactly as it was', () => {
      const { net, y } = problem(Loss.sigmoidCrossEntropy, 560);
      const x = new Float32Array(n * sizes[0]!).fill(NaN);
      const trained = cloneNet(net);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      expect(() => be.trainEpoch({ net: trained, x, y, n, order, batchSize: 4, learningRate: 0.1, weightDecay: 0.1 })).toThrow(
        new Error('trainEpoch: non-finite loss at batch 0'),
      );
      expect(maxAbsDiff(trained.params, net.params)).toBe(0);
    });
  });
});

const native = backendPair()?.native;

describe.runIf(native)('native and TS train alike', () => {
  // The backends differ per step only by float32 rounding (float32 vs
  // float64 accumulation, libm vs SIMD exp): ≈ 1e-7 relative on each weight.
  // Simulating exactly that (this TS backend with a float32-accumulating
  // GEMM) gave max |Δw| ≈ 9e-8 and loss sums within 3e-8 relative after
  // these 5 epochs × 8 batches. 1e-5 absolute on weights of size O(1) leaves
  // 100× margin (e.g. for a rare relu pre-activation landing within an ulp
  // of 0), while a different batch order or update rule differs by O(lr).
  it.each([
    ['relu / softmaxCE', [Activation.relu, Activation.relu], Loss.softmaxCrossEntropy],
    ['tanh+sigmoid / sigmoidCE', [Activation.tanh, Activation.sigmoid], Loss.sigmoidCrossEntropy],
    ['leakyRelu+identity / mse', [Activation.leakyRelu, Activation.identity], Loss.mse],
  ] as const)('%s', (_name, hidden, loss) => {
    const sizes = [8, 16, 8, 3];
    const n = 64;
    const rng = new Rng(600 + loss);
    const net = makeNet(rng, sizes, [...hidden], loss, 0.05);
    const x = randomF32(rng, n * sizes[0]!, -1, 1);
    const y = makeTargets(rng, n, 3, loss);
    const tsNet = cloneNet(net);
    const nativeNet = cloneNet(net);
    const order = Uint32Array.from({ length: n }, (_, i) => i);
    for (let epoch = 0; epoch < 5; epoch++) {
      rng.shuffle(order);
      const job = { x, y, n, order, batchSize: 8, learningRate: 0.1, weightDecay: 1e-4 };
      const tsSum = jsBackend.trainEpoch({ ...job, net: tsNet });
      const nativeSum = native!.trainEpoch({ ...job, net: nativeNet });
      expect(Math.abs(tsSum - nativeSum), `epoch ${epoch}`).toBeLessThanOrEqual(1e-5 * Math.abs(tsSum));
    }
    expect(maxAbsDiff(tsNet.params, nativeNet.params)).toBeLessThanOrEqual(1e-5);
    // And the two are not trivially equal because nothing trained.
    expect(maxAbsDiff(tsNet.params, net.params)).toBeGreaterThan(1e-3);
    // Evaluating the trained network: the same outputs and loss, to float32 rounding.
    const [tsOut, nativeOut] = [new Float32Array(n * 3), new Float32Array(n * 3)];
    const tsLoss = jsBackend.forwardLoss(tsOut, nativeNet, x, y, n);
    const nativeLoss = native!.forwardLoss(nativeOut, nativeNet, x, y, n);
    expect(Math.abs(tsLoss - nativeLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(tsLoss));
    expect(maxAbsDiff([tsOut], [nativeOut])).toBeLessThanOrEqual(1e-5);
  });
});
