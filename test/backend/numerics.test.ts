/**
 * Numbers at the edges, on every backend: losses stable for huge logits,
 * activations at ±1e30, ±∞ and NaN, and long sums that keep float64-like
 * accuracy (1e-6 relative over 10⁶ float32 terms).
 */
import { describe, expect, it } from 'vitest';
import { Activation, defaultLossParams, Loss } from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('edge numbers on %s', (_name, backend) => {
  const loss = (logits: number[], target: number[], code: number, cols = logits.length) => {
    const d = new Float32Array(logits.length);
    const value = backend.lossForwardBackward(
      d,
      Float32Array.from(logits),
      Float32Array.from(target),
      logits.length / cols,
      cols,
      code as never,
      defaultLossParams(),
    );
    return { value, grad: Array.from(d) };
  };

  it('softmax cross-entropy stays exact for huge equal or opposite logits', () => {
    const equal = loss([1e8, 1e8], [1, 0], Loss.softmaxCrossEntropy);
    expect(equal.value).toBeCloseTo(Math.LN2, 6);
    expect(equal.grad).toEqual([-0.5, 0.5]);
    const opposite = loss([1e4, -1e4], [0, 1], Loss.softmaxCrossEntropy);
    expect(opposite.value).toBeCloseTo(2e4, 0);
    expect(opposite.grad).toEqual([1, -1]);
    // A row of all −∞ is no distribution: the loss is NaN, which training reports as non-finite.
    expect(loss([-Infinity, -Infinity], [1, 0], Loss.softmaxCrossEntropy).value).toBeNaN();
  });

  it('sigmoid cross-entropy is finite and saturates cleanly at ±1e30', () => {
    const high = loss([1e30, -1e30], [0, 1], Loss.sigmoidCrossEntropy, 2);
    expect(high.value).toBeCloseTo(2e30, -25);
    expect(high.grad).toEqual([1, -1]);
    const right = loss([1e30, -1e30], [1, 0], Loss.sigmoidCrossEntropy, 2);
    expect(right.value).toBe(0);
    expect(right.grad).toEqual([0, 0]);
  });

  it('activations at ±1e30, ±∞ and NaN', () => {
    const inp = Float32Array.of(1e30, -1e30, Infinity, -Infinity, NaN);
    const at = (act: number) => {
      const out = new Float32Array(inp.length);
      backend.activationForward(out, inp, inp.length, act as never, 0.1);
      return Array.from(out);
    };
    expect(at(Activation.sigmoid)).toEqual([1, 0, 1, 0, NaN]);
    expect(at(Activation.tanh)).toEqual([1, -1, 1, -1, NaN]);
    expect(at(Activation.relu)).toEqual([1e30 as number, 0, Infinity, 0, NaN].map(Math.fround));
    expect(at(Activation.leakyRelu)).toEqual([1e30, -1e29, Infinity, -Infinity, NaN].map(Math.fround));
    const softmax = new Float32Array(3);
    backend.softmaxRows(softmax, Float32Array.of(1e30, 0, -1e30), 1, 3);
    expect(Array.from(softmax)).toEqual([1, 0, 0]);
  });

  it('sums and dot products of 10⁶ float32 values agree with float64 to 1e-6', () => {
    const n = 1_000_000;
    const rng = new Rng(1);
    // Positive values with a wide spread: the worst case for a naive float32 running sum.
    const a = Float32Array.from({ length: n }, () => rng.uniform() * 10 + 1e-3);
    const b = Float32Array.from({ length: n }, () => rng.uniform());
    let sum = 0;
    let dot = 0;
    for (let i = 0; i < n; i++) {
      sum += a[i]!;
      dot += a[i]! * b[i]!;
    }
    const colSum = new Float32Array(1);
    backend.colSum(colSum, a, n, 1);
    expect(Math.abs(colSum[0]! - sum) / sum).toBeLessThan(1e-6);
    const c = new Float32Array(1);
    backend.gemm(c, a, b, 1, 1, n, false, false, 1, 0); // (1,n)·(n,1)
    expect(Math.abs(c[0]! - dot) / dot).toBeLessThan(1e-6);
    backend.gemm(c, a, b, 1, 1, n, true, true, 1, 0); // the same dot through the transposed layouts
    expect(Math.abs(c[0]! - dot) / dot).toBeLessThan(1e-6);
    const mse = backend.lossForwardBackward(null, a, new Float32Array(n), n, 1, Loss.mse, defaultLossParams());
    let half = 0;
    for (let i = 0; i < n; i++) half += 0.5 * a[i]! * a[i]!;
    expect(Math.abs(mse - half / n) / (half / n)).toBeLessThan(1e-6);
  });
});
