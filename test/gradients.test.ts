/**
 * Gradient checks against central finite differences computed entirely in
 * float64 on the reference (test/reference.ts), at the float32 point the
 * backend sees. With step h the central difference has truncation error
 * O(h²·f''') and rounding error O(ε₆₄·|f|/h); h = 1e-5 keeps both below
 * ~1e-9, far under the float32 error of the backend's gradient, so the
 * tolerances below are set by float32 arithmetic alone.
 */
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type Backend } from '../src/backend/backend.js';
import { Rng } from '../src/rng.js';
import { backendsUnderTest } from './backends.js';
import { makeNet, makeTargets, mismatches, randomF32, refForwardLayers, refLoss, refNetLoss } from './reference.js';

const H = 1e-5;

function centralDiff(f: (v: Float64Array) => number, at: ArrayLike<number>): Float64Array {
  const v = Float64Array.from(at);
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const v0 = v[i]!;
    v[i] = v0 + H;
    const up = f(v);
    v[i] = v0 - H;
    const down = f(v);
    v[i] = v0;
    g[i] = (up - down) / (2 * H);
  }
  return g;
}

describe.each(backendsUnderTest())('gradients on $name', (be: Backend) => {
  describe('loss gradients with respect to the logits', () => {
    const cases = [
      { name: 'mse (identity output)', loss: Loss.mse, k: 3 },
      { name: 'binary sigmoid cross-entropy', loss: Loss.sigmoidCrossEntropy, k: 1 },
      { name: 'multilabel sigmoid cross-entropy', loss: Loss.sigmoidCrossEntropy, k: 5 },
      { name: 'softmax cross-entropy', loss: Loss.softmaxCrossEntropy, k: 4 },
      { name: 'softmax cross-entropy, soft targets', loss: Loss.softmaxCrossEntropy, k: 4, soft: true },
    ];
    // The backend's dlogits are float32 values of size ≲ 1/rows, computed
    // with a few float32 operations, some cancelling (σ(z) − r, p·Σr − r):
    // error ≲ 8u/rows ≈ 5e-7/rows. atol 1e-6/rows and rtol 1e-5 leave
    // a 2× margin over that and still catch any wrong factor or sign.
    it.each(cases)('$name', ({ loss, k, soft }) => {
      const rng = new Rng(101 + k);
      for (const rows of [1, 3, 8]) {
        const z = randomF32(rng, rows * k, -3, 3);
        const r = soft ? randomF32(rng, rows * k, 0, 1) : makeTargets(rng, rows, k, loss);
        const g = new Float32Array(rows * k);
        const value = be.lossForwardBackward(g, z, r, rows, k, loss);
        expect(Math.abs(value - refLoss(z, r, rows, k, loss))).toBeLessThan(1e-5 * k);
        const fd = centralDiff((v) => refLoss(v, r, rows, k, loss), z);
        expect(mismatches(g, fd, 1e-6 / rows, 1e-5), `rows=${rows}`).toBeNull();
      }
    });
  });

  describe('full MLP gradient from lossGradient', () => {
    const acts = Object.entries(Activation);
    const losses = Object.entries(Loss);
    const sizes = [4, 5, 3, 2];
    const n = 6;

    /** A seeded net and batch whose hidden pre-activations all keep |z| > 1e-3,
     * so no finite-difference step (which moves z by < 1e-4) crosses the
     * relu/leakyRelu kink. */
    function setup(actCode: number, lossCode: number) {
      for (let seed = 200; ; seed++) {
        const rng = new Rng(seed * 8 + actCode);
        const net = makeNet(rng, sizes, [actCode, actCode], lossCode, 0.1);
        const x = randomF32(rng, n * sizes[0]!, -2, 2);
        const y = makeTargets(rng, n, sizes[sizes.length - 1]!, lossCode);
        const { pre } = refForwardLayers(net, x, n);
        if (pre.every((z) => z.every((v) => Math.abs(v) > 1e-3))) return { net, x, y };
      }
    }

    // The backend runs forward and backward in float32 storage through 3
    // layers of ≤ 5-term sums: each stored value carries a relative error of
    // ~(width + 2)·u, compounding to ≲ 50u ≈ 3e-6 of the gradient's scale.
    // Entries that are small by cancellation only get that absolute error,
    // so atol = 2e-5·max|∇| (≈ 6× margin) and rtol = 1e-4. A wrong transpose,
    // derivative or scaling errs by O(max|∇|) and fails.
    describe.each(losses)('loss %s', (_lossName, lossCode) => {
      it.each(acts)('hidden activation %s', (_actName, actCode) => {
        const { net, x, y } = setup(actCode, lossCode);
        const grads = net.params.map((p) => new Float32Array(p.length).fill(NaN));
        const before = net.params.map((p) => p.slice());
        const value = be.lossGradient(grads, net, x, y, n);
        // lossGradient must not touch the parameters.
        net.params.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(before[i]!)));
        expect(Math.abs(value - refNetLoss(net, x, y, n))).toBeLessThan(1e-5 * (1 + Math.abs(value)));
        const fds = net.params.map((p, i) =>
          centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, n), p));
        let scale = 0;
        for (const fd of fds) for (const v of fd) scale = Math.max(scale, Math.abs(v));
        expect(scale).toBeGreaterThan(1e-3); // the check is not vacuous
        grads.forEach((g, i) => {
          expect(mismatches(g, fds[i]!, 2e-5 * scale, 1e-4), `params[${i}]`).toBeNull();
        });
      });
    });

    it('no hidden layer (logistic/softmax regression) and a deeper net', () => {
      for (const [layerSizes, hidden] of [[[3, 4], []], [[6, 7, 5, 4, 3], [Activation.tanh, Activation.sigmoid, Activation.leakyRelu]]] as const) {
        const rng = new Rng(300 + layerSizes.length);
        const net = makeNet(rng, [...layerSizes], [...hidden], Loss.softmaxCrossEntropy, 0.2);
        const x = randomF32(rng, 5 * layerSizes[0]!, -1, 1);
        const y = makeTargets(rng, 5, layerSizes[layerSizes.length - 1]!, Loss.softmaxCrossEntropy);
        const grads = net.params.map((p) => new Float32Array(p.length));
        be.lossGradient(grads, net, x, y, 5);
        const fds = net.params.map((p, i) =>
          centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, 5), p));
        let scale = 0;
        for (const fd of fds) for (const v of fd) scale = Math.max(scale, Math.abs(v));
        grads.forEach((g, i) => expect(mismatches(g, fds[i]!, 2e-5 * scale, 1e-4), `params[${i}]`).toBeNull());
      }
    });

    it('n = 0: loss 0 and all-zero gradients', () => {
      const net = makeNet(new Rng(5), sizes, [Activation.relu, Activation.relu], Loss.mse);
      const grads = net.params.map((p) => new Float32Array(p.length).fill(NaN));
      expect(be.lossGradient(grads, net, new Float32Array(0), new Float32Array(0), 0)).toBe(0);
      for (const g of grads) expect(g.every((v) => v === 0)).toBe(true);
    });
  });
});
