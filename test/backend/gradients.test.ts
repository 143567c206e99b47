/**
 * Gradient checks against central finite differences computed entirely in
 * float64 on the reference (test/helpers/reference.ts), at the float32 point the
 * backend sees. With step h the central difference has truncation error
 * O(h²·f''') and rounding error O(ε₆₄·|f|/h); h = 1e-5 keeps both below
 * ~1e-9, far under the float32 error of the backend's gradient, so the
 * tolerances below are set by float32 arithmetic alone.
 */
import { describe, expect, it } from 'vitest';
import { Activation, defaultLossParams, Loss, type Backend, type LossCode, type LossParams } from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { centralDiff, makeNet, makeTargets, mismatches, randomF32, refForwardLayers, refLoss, refNetLoss, refTargetCols } from '../helpers/reference.js';

/** True when some logit is within 1e-3 of a kink of the loss, where a
 * central difference with step 1e-5 could straddle it. */
function nearKink(loss: number, z: ArrayLike<number>, r: Float32Array, rows: number, k: number, delta: number): boolean {
  const close = (v: number) => Math.abs(v) < 1e-3;
  for (let i = 0; i < rows * k; i++) {
    const d = z[i]! - r[i]!;
    if (loss === Loss.l1 && close(d)) return true;
    if (loss === Loss.huber && close(Math.abs(d) - delta)) return true;
    if (loss === Loss.hinge && close(1 - (2 * r[i]! - 1) * z[i]!)) return true;
  }
  if (loss === Loss.multiclassHinge) {
    for (let i = 0; i < rows; i++) {
      const y = Array.from(r.subarray(i * k, (i + 1) * k)).indexOf(1);
      for (let j = 0; j < k; j++) if (j !== y && close(1 + z[i * k + j]! - z[i * k + y]!)) return true;
    }
  }
  return false;
}
describe.each(backendsUnderTest())('gradients on $name', (be: Backend) => {
  describe('loss gradients with respect to the logits', () => {
    const P = defaultLossParams();
    const cases: { name: string; loss: LossCode; k: number; soft?: boolean; params?: Partial<LossParams> }[] = [
      { name: 'mse (identity output)', loss: Loss.mse, k: 3 },
      { name: 'binary sigmoid cross-entropy', loss: Loss.sigmoidCrossEntropy, k: 1 },
      { name: 'multilabel sigmoid cross-entropy', loss: Loss.sigmoidCrossEntropy, k: 5 },
      { name: 'softmax cross-entropy', loss: Loss.softmaxCrossEntropy, k: 4 },
      { name: 'softmax cross-entropy, soft targets', loss: Loss.softmaxCrossEntropy, k: 4, soft: true },
      { name: 'softmax CE, class weights', loss: Loss.softmaxCrossEntropy, k: 4, params: { classWeights: Float32Array.of(0.5, 2, 1, 3) } },
      { name: 'softmax CE, label smoothing 0.1', loss: Loss.softmaxCrossEntropy, k: 4, params: { smoothing: 0.1 } },
      { name: 'softmax CE, weights and smoothing', loss: Loss.softmaxCrossEntropy, k: 3, params: { smoothing: 0.3, classWeights: Float32Array.of(1, 0, 4) } },
      { name: 'l1', loss: Loss.l1, k: 3 },
      { name: 'huber δ=1', loss: Loss.huber, k: 3 },
      { name: 'huber δ=0.3', loss: Loss.huber, k: 2, params: { delta: 0.3 } },
      { name: 'gaussian NLL, one target', loss: Loss.gaussianNll, k: 2 },
      { name: 'gaussian NLL, three targets', loss: Loss.gaussianNll, k: 6 },
      { name: 'poisson NLL', loss: Loss.poissonNll, k: 2 },
      { name: 'focal γ=2 α=0.25', loss: Loss.focal, k: 3 },
      { name: 'focal γ=0.5 α=0.8, soft targets', loss: Loss.focal, k: 2, soft: true, params: { gamma: 0.5, alpha: 0.8 } },
      { name: 'focal γ=0 α=0.5 is half of BCE', loss: Loss.focal, k: 2, params: { gamma: 0, alpha: 0.5 } },
      { name: 'binary hinge', loss: Loss.hinge, k: 1 },
      { name: 'multiclass hinge', loss: Loss.multiclassHinge, k: 4 },
      { name: 'sigmoid output with squared error', loss: Loss.sigmoidMse, k: 3 },
    ];
    // The backend's dlogits are float32 values of size ≲ 1/rows (times the
    // class weights, up to 4, or e^−s ≤ e^3 for gaussianNll, or e^z for
    // poissonNll), computed with a few float32 operations, some cancelling
    // (σ(z) − r, p·Σc − c): error ≲ 8u·scale/rows. atol 1e-6·scale/rows and
    // rtol 1e-5 leave a 2× margin and still catch any wrong factor or sign.
    it.each(cases)('$name', ({ loss, k, soft, params }) => {
      const lp = { ...P, ...params };
      const scale = Math.max(1, ...Array.from(lp.classWeights)) * (loss === Loss.gaussianNll || loss === Loss.poissonNll ? 30 : 1);
      const rng = new Rng(101 + k + 13 * loss);
      for (const rows of [1, 3, 8]) {
        let z: Float32Array;
        let r: Float32Array;
        do {
          z = randomF32(rng, rows * k, -3, 3);
          r = soft ? randomF32(rng, rows * refTargetCols(loss, k), 0, 1) : makeTargets(rng, rows, k, loss);
        } while (nearKink(loss, z, r, rows, k, lp.delta));
        const g = new Float32Array(rows * k);
        const value = be.lossForwardBackward(g, z, r, rows, k, loss, lp);
        const ref = refLoss(z, r, rows, k, loss, lp);
        expect(Math.abs(value - ref)).toBeLessThan(1e-5 * k * scale);
        const fd = centralDiff((v) => refLoss(v, r, rows, k, loss, lp), z);
        expect(mismatches(g, fd, (1e-6 * scale) / rows, 1e-5), `rows=${rows}`).toBeNull();
      }
    });

    it('focal with γ = 0, α = ½ is half the binary cross-entropy', () => {
      const z = Float32Array.of(-2, 0.5, 3, -0.1);
      const r = Float32Array.of(1, 0, 1, 0);
      const [gf, gb] = [new Float32Array(4), new Float32Array(4)];
      const focal = be.lossForwardBackward(gf, z, r, 1, 4, Loss.focal, { ...P, gamma: 0, alpha: 0.5 });
      const bce = be.lossForwardBackward(gb, z, r, 1, 4, Loss.sigmoidCrossEntropy, P);
      expect(focal).toBeCloseTo(bce / 2, 6);
      gf.forEach((v, i) => expect(v).toBeCloseTo(gb[i]! / 2, 6));
    });

    // Why cross-entropy goes with sigmoid outputs: at a confidently wrong
    // output (y = σ(−10) ≈ 4.5e−5 for target r = 1) the gradient with respect to
    // the pre-activation is y − r ≈ −1 for CE, but (y − r)·y(1 − y) ≈ −4.5e−5
    // for MSE on the sigmoid output: MSE barely learns from its worst mistakes.
    it('at a confidently wrong sigmoid output CE keeps a gradient of (y − r), MSE loses it', () => {
      const z = Float32Array.of(-10);
      const r = Float32Array.of(1);
      const dce = new Float32Array(1);
      be.lossForwardBackward(dce, z, r, 1, 1, Loss.sigmoidCrossEntropy, P);
      const y = new Float32Array(1);
      be.activationForward(y, z, 1, Activation.sigmoid, 0);
      const dy = new Float32Array(1);
      be.lossForwardBackward(dy, y, r, 1, 1, Loss.mse, P); // ∂/∂y ½(y − r)² = y − r
      const dmse = new Float32Array(1);
      be.activationBackward(dmse, dy, y, 1, Activation.sigmoid, 0); // × y(1 − y)
      const yv = y[0]!;
      expect(dce[0]).toBeCloseTo(yv - 1, 6);
      expect(dmse[0]).toBeCloseTo((yv - 1) * yv * (1 - yv), 9);
      expect(Math.abs(dce[0]!)).toBeGreaterThan(0.99);
      expect(Math.abs(dmse[0]!)).toBeLessThan(1e-4);
    });
  });

  describe('full MLP gradient from lossGradient', () => {
    const acts = Object.entries(Activation);
    const losses = Object.entries(Loss);
    const sizes = [4, 5, 3, 2];
    const n = 6;

    /** A seeded net and batch whose hidden pre-activations all keep |z| > 1e-3,
     * so no finite-difference step (which moves z by < 1e-4) crosses the
     * relu/leakyRelu kink, and whose logits keep as far from the loss's kinks. */
    function setup(actCode: number, lossCode: number) {
      for (let seed = 200; ; seed++) {
        const rng = new Rng(seed * 8 + actCode);
        const net = makeNet(rng, sizes, [actCode, actCode], lossCode, 0.1);
        const x = randomF32(rng, n * sizes[0]!, -2, 2);
        const y = makeTargets(rng, n, sizes[sizes.length - 1]!, lossCode);
        const { pre, acts: layerOut } = refForwardLayers(net, x, n);
        const logits = layerOut[layerOut.length - 1]!;
        if (nearKink(lossCode, logits, y, n, sizes[sizes.length - 1]!, net.lossParams.delta)) continue;
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
        const fds = net.params.map((p, i) => centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, n), p));
        let scale = 0;
        for (const fd of fds) for (const v of fd) scale = Math.max(scale, Math.abs(v));
        expect(scale).toBeGreaterThan(1e-3); // the check is not vacuous
        grads.forEach((g, i) => {
          expect(mismatches(g, fds[i]!, 2e-5 * scale, 1e-4), `params[${i}]`).toBeNull();
        });
      });
    });

    it('no hidden layer (logistic/softmax regression) and a deeper net', () => {
      for (const [layerSizes, hidden] of [
        [[3, 4], []],
        [
          [6, 7, 5, 4, 3],
          [Activation.tanh, Activation.sigmoid, Activation.leakyRelu],
        ],
      ] as const) {
        const rng = new Rng(300 + layerSizes.length);
        const net = makeNet(rng, [...layerSizes], [...hidden], Loss.softmaxCrossEntropy, 0.2);
        const x = randomF32(rng, 5 * layerSizes[0]!, -1, 1);
        const y = makeTargets(rng, 5, layerSizes[layerSizes.length - 1]!, Loss.softmaxCrossEntropy);
        const grads = net.params.map((p) => new Float32Array(p.length));
        be.lossGradient(grads, net, x, y, 5);
        const fds = net.params.map((p, i) => centralDiff((v) => refNetLoss({ ...net, params: net.params.map((q, j) => (j === i ? v : q)) }, x, y, 5), p));
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
