/**
 * The sigmoid output's losses (squared error, cross-entropy) run in float32
 * around sigmoid32's exponential (native/core/sigmoid_loss32.h, losses.ts
 * laneLoss, log1p32): close to the float64 loss and gradient, finite and
 * right when saturated, and the same bits on both backends, at every vector
 * width's head and tail, across the kernel's chunks, in place and without a
 * gradient, and on every kernel path.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Activation, defaultLossParams, Loss, type Backend, type LossCode } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { log1p32 } from '../../src/backend/js/losses.js';
import { loadNativeAddon } from '../../src/backend/native.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest, nativeAddonPath } from '../helpers/backends.js';
import { mismatches, randomF32, refSigmoid, SIGMOID_EDGES, U32 } from '../helpers/reference.js';

const P = defaultLossParams();
const LOSSES: [string, LossCode][] = [
  ['sigmoidMse', Loss.sigmoidMse],
  ['sigmoidCrossEntropy', Loss.sigmoidCrossEntropy],
];
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** Each loss in float64: one element's loss, its ∂/∂z (not divided by rows), and the size
 * of the gradient's cancelling σ − r term (σ's error, 2.5 ulp ≤ 5u·σ, times this). */
const exact: Record<number, { loss(z: number, r: number): number; grad(z: number, r: number): number; cancel(z: number): number }> = {
  [Loss.sigmoidMse]: {
    loss: (z, r) => 0.5 * (refSigmoid(z) - r) ** 2,
    grad: (z, r) => (refSigmoid(z) - r) * refSigmoid(z) * refSigmoid(-z),
    cancel: (z) => refSigmoid(z) * refSigmoid(-z),
  },
  [Loss.sigmoidCrossEntropy]: {
    loss: (z, r) => Math.max(z, 0) - z * r + Math.log1p(Math.exp(-Math.abs(z))),
    grad: (z, r) => refSigmoid(z) - r,
    cancel: (z) => refSigmoid(z),
  },
};

/** The gradient's absolute error where σ − r cancels, with a margin. */
const gradAtol =
  (loss: number, z: Float32Array, rows: number) =>
  (i: number): number =>
    (8 * U32 * exact[loss]!.cancel(z[i]!)) / rows;

// Saturated logits against both targets, and z = ±20, where σ(z) rounds to
// 1 in float32 but σ(−z) = 2e−9 still carries the squared error's gradient.
const SATURATED_Z = [100, 100, -100, -100, 1e30, -1e30, 1e30, -1e30, 20, -20, 20, -20];
const SATURATED_R = [0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0];

/** One unit in the last place of the float32 |v|. */
function ulp32(v: number): number {
  const f = new Float32Array([Math.abs(v)]);
  const u = new Uint32Array(f.buffer);
  u[0]! += 1;
  return f[0]! - Math.abs(v);
}

describe('log1p32', () => {
  it('is within 1 ulp of log(1 + e) on [0, 1], and e itself for tiny e', () => {
    let worst = 0;
    const grid = Array.from({ length: 1_000_001 }, (_, i) => Math.fround(i / 1_000_000));
    const powers = Array.from({ length: 149 }, (_, k) => [2 ** -(k + 1), Math.fround(1.37 * 2 ** -(k + 1))]).flat();
    for (const e of [...grid, ...powers, Math.fround(Math.SQRT2 - 1), 1]) {
      const want = Math.log1p(e);
      const got = log1p32(e);
      if (e < 2 ** -25) expect(got).toBe(e); // log(1 + e) = e − e²/2 rounds to e
      if (want > 0) worst = Math.max(worst, Math.abs(got - want) / ulp32(Math.fround(want)));
    }
    expect(log1p32(0)).toBe(0);
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe.each(backendsUnderTest())('sigmoid output losses on $name', (be: Backend) => {
  it.each(LOSSES)('%s: float32 loss and gradient within a few ulp of float64', (_name, loss) => {
    const rng = new Rng(17 + loss);
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [64, 33],
    ] as const) {
      const z = randomF32(rng, rows * cols, -12, 12);
      const r = randomF32(rng, rows * cols, 0, 1);
      const g = new Float32Array(rows * cols);
      const value = be.lossForwardBackward(g, z, r, rows, cols, loss, P);
      let want = 0;
      for (let i = 0; i < rows * cols; i++) want += exact[loss]!.loss(z[i]!, r[i]!);
      want /= rows;
      // Per element: ½d² with d = σ − r off by ≲ 6u; log(1 + e) within 1 ulp of a value ≤ ln 2
      // after e's 2 ulp; the float64 parts exact or rounded once: ≤ 16u.
      expect(Math.abs(value - want), `${rows}x${cols}`).toBeLessThanOrEqual(16 * U32 * cols);
      // Relative: σ, σ(−z) within 2.5 ulp each, up to three float32 products and the float32 1/rows.
      const grad = Array.from(z, (zi, i) => exact[loss]!.grad(zi, r[i]!) / rows);
      expect(mismatches(g, grad, gradAtol(loss, z, rows), 16 * U32), `${rows}x${cols}`).toBeNull();
    }
  });

  it.each(LOSSES)('%s: finite and right at saturation (logits ±100, ±1e30; targets 0 and 1)', (_name, loss) => {
    for (const rows of [1, 2]) {
      const z = Float32Array.from(SATURATED_Z);
      const r = Float32Array.from(SATURATED_R);
      const cols = z.length / rows;
      const g = new Float32Array(z.length).fill(NaN);
      const value = be.lossForwardBackward(g, z, r, rows, cols, loss, P);
      const want = SATURATED_Z.reduce((sum, zi, i) => sum + exact[loss]!.loss(zi, SATURATED_R[i]!), 0) / rows;
      expect(Number.isFinite(value)).toBe(true);
      expect(Math.abs(value - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, want));
      const grad = SATURATED_Z.map((zi, i) => exact[loss]!.grad(zi, SATURATED_R[i]!) / rows);
      // As above, and below 2⁻¹²⁶ the float32 exponential flushes to 0.
      const atol = gradAtol(loss, z, rows);
      expect(
        mismatches(g, grad, (i) => atol(i) + 2 ** -126, 16 * U32),
        `rows=${rows}`,
      ).toBeNull();
      // z = 20, r = 0 and z = −20, r = 1: no gradient lost (squared error's is σ(−20) ≈ 2e−9; 1 − σ(20) would be 0).
      for (const i of [8, 9]) expect(Math.abs(g[i]!)).toBeGreaterThan(1e-9 / rows);
    }
  });

  it.each(LOSSES)('%s: NaN logits give a NaN loss and NaN gradients there only', (_name, loss) => {
    const g = new Float32Array(3);
    expect(be.lossForwardBackward(g, Float32Array.of(0.5, NaN, -2), Float32Array.of(1, 0, 0), 1, 3, loss, P)).toBeNaN();
    expect([Number.isNaN(g[0]!), Number.isNaN(g[1]!), Number.isNaN(g[2]!)]).toEqual([false, true, false]);
  });
});

// Every edge of sigmoid32 and saturated logits.
const EDGES = [...SIGMOID_EDGES, ...[100, -100, 20, -20].map(Math.fround)];

/** Logits with the edges at the front, targets in [0, 1] with exact 0s and 1s, misaligned by one float. */
function inputs(rng: Rng, n: number): { z: Float32Array; r: Float32Array } {
  const z = randomF32(rng, n + 1, -20, 20).subarray(1);
  z.set(EDGES.slice(0, Math.min(n, EDGES.length)));
  const r = randomF32(rng, n + 1, 0, 1).subarray(1);
  for (let i = 0; i < n; i += 3) r[i] = i % 2;
  return { z, r };
}

const pair = backendPair();
describe.runIf(pair)('sigmoid output losses: native and TS give the same bits', () => {
  // Lengths: every vector head and tail up to 70, and around the kernel's chunks of 256.
  const lengths = [...Array.from({ length: 71 }, (_, n) => n), 255, 256, 257, 511, 512, 513, 1000];
  it.each(LOSSES)('%s: every length, in place and without a gradient', (_name, loss) => {
    const rng = new Rng(29 + loss);
    for (const n of lengths) {
      const { z, r } = inputs(rng, n);
      const rows = n % 3 === 0 && n > 0 ? 3 : 1; // 1/3 is inexact in float32
      const [nat, ts] = [pair!.native, pair!.js].map((be) => {
        const g = new Float32Array(n).fill(NaN);
        const value = be.lossForwardBackward(g, z, r, rows, n / rows, loss, P);
        const inPlace = z.slice();
        expect(be.lossForwardBackward(inPlace, inPlace, r, rows, n / rows, loss, P), `in place, n=${n}`).toBe(value);
        expect(bits(inPlace), `in place, n=${n}`).toEqual(bits(g));
        expect(be.lossForwardBackward(null, z, r, rows, n / rows, loss, P), `no gradient, n=${n}`).toBe(value);
        return { value, g };
      });
      expect(nat!.value, `n=${n}`).toBe(ts!.value);
      expect(bits(nat!.g), `n=${n}`).toEqual(bits(ts!.g));
    }
  });

  // Over 4 096 elements (one chunk, sigmoid_loss32.h kLossChunk) the native
  // loss shares its chunks over the pool: the same bits as one thread and
  // as TS, whatever the pool's size, at a chunk's edges, with a last chunk
  // that fills no group of lanes, and past a block of 64 chunks.
  it.each(LOSSES)('%s: the same bits on 1, 2 and 3 threads', (_name, loss) => {
    const addon = loadNativeAddon();
    const before = addon.getThreads();
    try {
      const rng = new Rng(41 + loss);
      for (const n of [4095, 4096, 4097, 8192 + 7, 64 * 784, 65 * 4096 + 9]) {
        const { z, r } = inputs(rng, n);
        const g = new Float32Array(n);
        const value = jsBackend.lossForwardBackward(g, z, r, 1, n, loss, P);
        for (const threads of [1, 2, 3]) {
          addon.setThreads(threads);
          const gn = new Float32Array(n).fill(NaN);
          expect(pair!.native.lossForwardBackward(gn, z, r, 1, n, loss, P), `n=${n}, ${threads} threads`).toBe(value);
          expect(bits(gn), `n=${n}, ${threads} threads`).toEqual(bits(g));
          expect(pair!.native.lossForwardBackward(null, z, r, 1, n, loss, P), `no gradient, n=${n}`).toBe(value);
        }
      }
    } finally {
      addon.setThreads(before);
    }
  });

  // The element-wise kernels take the path chosen at load (FASTNN_CPU), so
  // each path runs in a child process of its own.
  it('on every kernel path, sigmoid units and the losses', () => {
    const rng = new Rng(37);
    const n = 1000;
    const { z, r } = inputs(rng, n);
    // Finite logits only, so that the sums compare: a NaN logit, or ∞ in
    // cross-entropy (∞ − ∞·r), makes the sum NaN, whose sign bit differs
    // between V8 and C++ (the lengths test above covers them).
    z.forEach((v, i) => {
      if (!Number.isFinite(v)) z[i] = 0.5;
    });
    const codes = LOSSES.map(([, code]) => code);
    const child = `
      const addon = require(process.argv[1]);
      const codes = JSON.parse(process.argv[2]);
      const input = new Float32Array(Uint8Array.from(require('node:fs').readFileSync(0)).buffer);
      const n = input.length / 2, z = input.subarray(0, n), r = input.subarray(n);
      const params = { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: new Float32Array(0) };
      const out = [new Float32Array(n)];
      addon.activationForward(out[0], z, n, ${Activation.sigmoid}, 0);
      for (const code of codes) {
        const g = new Float32Array(n);
        const value = addon.lossForwardBackward(g, z, r, 8, n / 8, code, params);
        out.push(g, new Float32Array(Float64Array.of(value).buffer));
      }
      process.stdout.write(Buffer.concat(out.map((a) => Buffer.from(a.buffer))));`;
    const want = [new Float32Array(n)];
    jsBackend.activationForward(want[0]!, z, n, Activation.sigmoid, 0);
    for (const code of codes) {
      const g = new Float32Array(n);
      const value = jsBackend.lossForwardBackward(g, z, r, 8, n / 8, code, P);
      want.push(g, new Float32Array(Float64Array.of(value).buffer));
    }
    const expected = want.flatMap(bits);
    const input = Buffer.concat([Buffer.from(z.slice().buffer), Buffer.from(r.slice().buffer)]);
    for (const path of loadNativeAddon().gemmPaths()) {
      const out = execFileSync(process.execPath, ['-e', child, nativeAddonPath(), JSON.stringify(codes)], { input, env: { ...process.env, FASTNN_CPU: path } });
      expect(bits(new Float32Array(Uint8Array.from(out).buffer)), path).toEqual(expected);
    }
  });
});
