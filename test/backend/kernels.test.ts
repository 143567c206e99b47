/**
 * Kernel conformance: every single-kernel method of the Backend contract
 * against the float64 reference (test/helpers/reference.ts), once per backend.
 *
 * Tolerances are stated in units of the float32 unit roundoff u = 2⁻²⁴
 * (≈ 6e-8): one correctly rounded float32 operation is off by at most u
 * relative. Backends may accumulate in float32 (native SIMD) or float64 (TS),
 * so each bound below covers float32 accumulation in any order.
 */
import { describe, expect, it } from 'vitest';
import { Activation, defaultLossParams, Loss, type Backend, type LossCode } from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { checkGemm, offsetCopy } from '../helpers/gemm-check.js';
import {
  kind,
  mismatches,
  randomF32,
  refActivation,
  refActivationGrad,
  refGemm,
  refLoss,
  refLossGrad,
  refSoftmaxRows,
  TINY32,
  U32,
} from '../helpers/reference.js';

const ACTS = Object.entries(Activation);
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 1e-40, 20, -20, 88, -88, 100, -100, 3e38, -3e38];

describe.each(backendsUnderTest())('kernels on $name', (be: Backend) => {
  describe('gemm', () => {
    // Tolerances: see test/helpers/gemm-check.ts.
    const check = (
      rng: Rng,
      m: number,
      n: number,
      k: number,
      transA: boolean,
      transB: boolean,
      alpha: number,
      beta: number,
      opts: { nanC?: boolean; offset?: boolean } = {},
    ): void => checkGemm(be, rng, m, n, k, transA, transB, alpha, beta, opts);

    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 1, 7],
      [3, 1, 1],
      [1, 5, 1],
      [3, 7, 17],
      [17, 3, 7],
      [7, 17, 3],
      [33, 65, 17],
      [65, 33, 7],
      [16, 16, 16],
      [8, 32, 64],
      [1, 65, 33],
      [65, 1, 33],
      [33, 17, 1],
      [31, 15, 63],
    ];
    const combos: [boolean, boolean][] = [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ];

    it.each(combos)('fixed odd shapes, transA=%s transB=%s, alpha/beta variants', (tA, tB) => {
      const rng = new Rng(11);
      for (const [m, n, k] of shapes) {
        check(rng, m, n, k, tA, tB, 1, 0);
        check(rng, m, n, k, tA, tB, 0.7, 0, { nanC: true }); // beta 0 overwrites NaN
        check(rng, m, n, k, tA, tB, 1, 1);
        check(rng, m, n, k, tA, tB, -1.5, 0.25);
        check(rng, m, n, k, tA, tB, 1, -1, { offset: true });
      }
    });

    it.each(combos)('random shapes, transA=%s transB=%s', (tA, tB) => {
      const rng = new Rng(12 + Number(tA) * 2 + Number(tB));
      for (let t = 0; t < 25; t++) {
        const m = 1 + rng.below(70);
        const n = 1 + rng.below(70);
        const k = 1 + rng.below(70);
        check(rng, m, n, k, tA, tB, rng.uniform() * 4 - 2, t % 3 === 0 ? 0 : rng.uniform() * 2 - 1, { nanC: t % 3 === 0 });
      }
    });

    it.each(combos)('large enough to cross cache blocks, transA=%s transB=%s', (tA, tB) => {
      const rng = new Rng(13);
      check(rng, 129, 263, 300, tA, tB, 1, 0, { nanC: true });
      check(rng, 67, 130, 515, tA, tB, 0.5, 2);
    });

    it.each(combos)('zero sizes, transA=%s transB=%s', (tA, tB) => {
      const rng = new Rng(14);
      for (const [m, n, k] of [
        [0, 0, 0],
        [0, 3, 5],
        [3, 0, 5],
        [0, 0, 5],
        [3, 5, 0],
        [1, 1, 0],
      ] as const) {
        check(rng, m, n, k, tA, tB, 1, 0, { nanC: true }); // k = 0, beta 0: c becomes exactly 0
        check(rng, m, n, k, tA, tB, 2, 0.5);
      }
      const c = new Float32Array(6).fill(NaN);
      be.gemm(c, new Float32Array(0), new Float32Array(0), 2, 3, 0, tA, tB, 1, 0);
      expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it.each(combos)('NaN and Inf propagate to the right places, transA=%s transB=%s', (tA, tB) => {
      const rng = new Rng(15);
      const m = 5,
        n = 6,
        k = 7;
      // Entries drawn from [0.5, 1) so no product is 0·∞.
      const a = randomF32(rng, m * k, 0.5, 1);
      const b = randomF32(rng, k * n, 0.5, 1);
      // op(a)[1,2] = NaN, op(b)[4,3] = +∞, op(b)[5,0] = −∞.
      a[tA ? 2 * m + 1 : 1 * k + 2] = NaN;
      b[tB ? 3 * k + 4 : 4 * n + 3] = Infinity;
      b[tB ? 0 * k + 5 : 5 * n + 0] = -Infinity;
      for (const beta of [0, 1]) {
        const c0 = randomF32(rng, m * n);
        c0[m * n - 1] = NaN; // kept only when beta ≠ 0
        const c = c0.slice();
        be.gemm(c, a, b, m, n, k, tA, tB, 1, beta);
        const ref = refGemm(c0, a, b, m, n, k, tA, tB, 1, beta);
        expect(Array.from(c, kind)).toEqual(Array.from(ref.c, kind));
        expect(kind(c[m * n - 1]!)).toBe(beta === 0 ? 'finite' : 'nan');
      }
    });
  });

  describe('biasAdd and colSum', () => {
    it('biasAdd is one float32 add per element (exact)', () => {
      const rng = new Rng(21);
      for (const [rows, cols] of [
        [1, 1],
        [3, 7],
        [17, 33],
        [65, 1],
        [1, 65],
        [0, 5],
        [5, 0],
      ] as const) {
        const out = randomF32(rng, rows * cols, -4, 4);
        const bias = randomF32(rng, cols);
        const expected = out.map((v, i) => Math.fround(v + bias[i % cols]!));
        const outView = offsetCopy(out);
        be.biasAdd(outView, offsetCopy(bias, 1), rows, cols);
        // A sum of two floats correctly rounded to float32 has one right answer.
        expect(Array.from(outView)).toEqual(Array.from(expected));
      }
    });

    it('colSum matches the float64 sum', () => {
      const rng = new Rng(22);
      for (const [rows, cols] of [
        [1, 1],
        [3, 7],
        [17, 33],
        [65, 1],
        [1, 65],
        [300, 5],
        [5, 0],
        [0, 5],
      ] as const) {
        const inp = randomF32(rng, rows * cols);
        const out = new Float32Array(cols).fill(NaN); // overwritten, even with rows = 0
        be.colSum(out, offsetCopy(inp), rows, cols);
        const ref = new Float64Array(cols);
        const mag = new Float64Array(cols);
        for (let i = 0; i < rows * cols; i++) {
          ref[i % cols]! += inp[i]!;
          mag[i % cols]! += Math.abs(inp[i]!);
        }
        // Summation of `rows` floats in any order: error ≤ rows·u·Σ|x| (+1 u for the store).
        expect(
          mismatches(out, ref, (j) => (rows + 1) * U32 * mag[j]!, U32),
          `rows=${rows} cols=${cols}`,
        ).toBeNull();
      }
    });
  });

  describe('activations', () => {
    function inputs(rng: Rng, n: number): Float32Array {
      const x = randomF32(rng, n, -6, 6);
      x.set(SPECIAL.map(Math.fround), 0);
      return x;
    }

    // Forward: a few float32 roundings of exp/tanh/division (libm's expf and
    // tanhf are within 1–2 ulp), so rtol = 8u. Results below the smallest
    // normal float32 (sigmoid(−100) ≈ 4e-44) may be flushed: atol = TINY32.
    it.each(ACTS)('%s forward, including NaN/±Inf/denormals and in place', (_name, code) => {
      const rng = new Rng(31 + code);
      for (const n of [0, 1, 7, 16, 17, 33, 65, 1000]) {
        const x = inputs(rng, Math.max(n, SPECIAL.length)).subarray(0, n);
        const slope = code === Activation.leakyRelu ? 0.01 : 0.25;
        const ref = Array.from(x, (v) => refActivation(v, code, slope));
        const out = new Float32Array(n).fill(NaN);
        be.activationForward(out, x, n, code, slope);
        expect(mismatches(out, ref, TINY32, 8 * U32), `n=${n}`).toBeNull();
        // out may be inp (misaligned too; SIMD heads/tails may round differently, hence not bitwise).
        const inPlace = offsetCopy(x);
        be.activationForward(inPlace, inPlace, n, code, slope);
        expect(mismatches(inPlace, ref, TINY32, 8 * U32), `in place n=${n}`).toBeNull();
      }
    });

    it('relu and leakyRelu: signs and NaN exactly', () => {
      const x = Float32Array.from([-2, -0, 0, 3, NaN, -Infinity, Infinity]);
      const out = new Float32Array(x.length);
      be.activationForward(out, x, x.length, Activation.relu, 0);
      // `x < 0 ? 0 : x` keeps −0 as −0 (toEqual tells them apart).
      expect(Array.from(out)).toEqual([0, -0, 0, 3, NaN, 0, Infinity]);
      be.activationForward(out, x, x.length, Activation.leakyRelu, 0.5);
      expect(Array.from(out)).toEqual([-1, -0, 0, 3, NaN, -Infinity, Infinity]);
    });

    // Backward: dout·f'(y) with f' through y. For tanh, 1 − y² near |y| = 1
    // cancels, so the error is absolute: ≤ 4u·|dout|·(1 + y²); the product
    // with dout adds a relative 4u.
    it.each(ACTS)('%s backward through the output, and with dinp = dout', (_name, code) => {
      const rng = new Rng(41 + code);
      for (const n of [0, 1, 7, 17, 33, 65, 1000]) {
        const slope = 0.1;
        const s = randomF32(rng, n, -6, 6);
        const y = Float32Array.from(s, (v) => refActivation(v, code, slope));
        const dout = randomF32(rng, n, -2, 2);
        const ref = Array.from(dout, (d, i) => d * refActivationGrad(y[i]!, code, slope));
        const dinp = new Float32Array(n).fill(NaN);
        be.activationBackward(dinp, dout, y, n, code, slope);
        const atol = (i: number): number => 4 * U32 * Math.abs(dout[i]!) * (1 + y[i]! * y[i]!);
        expect(mismatches(dinp, ref, atol, 4 * U32), `n=${n}`).toBeNull();
        const inPlace = offsetCopy(dout);
        be.activationBackward(inPlace, inPlace, offsetCopy(y, 1), n, code, slope);
        expect(mismatches(inPlace, ref, atol, 4 * U32), `in place n=${n}`).toBeNull();
      }
    });

    it('backward propagates NaN in dout and uses y > 0 for relu/leaky', () => {
      const y = Float32Array.from([0, 0, 2, -0.5, 0.5]);
      const dout = Float32Array.from([NaN, 3, 3, 3, 3]);
      const dinp = new Float32Array(5);
      be.activationBackward(dinp, dout, y, 5, Activation.relu, 0);
      expect(Number.isNaN(dinp[0])).toBe(true);
      expect(Array.from(dinp.subarray(1))).toEqual([0, 3, 0, 3]);
      be.activationBackward(dinp, dout, y, 5, Activation.leakyRelu, 0.5);
      expect(Array.from(dinp.subarray(1))).toEqual([1.5, 3, 1.5, 3]);
      be.activationBackward(dinp, dout, y, 5, Activation.identity, 0);
      expect(Array.from(dinp.subarray(1))).toEqual([3, 3, 3, 3]);
    });
  });

  describe('softmaxRows', () => {
    // exp of (z − max) and a division: a few ulp, rtol 8u; plus the rounding
    // of z − max in float32 (absolute u·|z − max|), which exp turns into a
    // relative error u·|z − max| on each term and on the row sum, hence
    // rtol = (8 + 2·range)·u with range = max − min of the row.
    it('matches the reference on random shapes, in place too', () => {
      const rng = new Rng(51);
      for (const [rows, cols] of [
        [1, 1],
        [1, 7],
        [3, 17],
        [17, 3],
        [5, 33],
        [2, 65],
        [40, 10],
        [0, 4],
        [4, 0],
      ] as const) {
        const x = randomF32(rng, rows * cols, -10, 10);
        const ref = refSoftmaxRows(x, rows, cols);
        const out = new Float32Array(rows * cols).fill(NaN);
        be.softmaxRows(out, x, rows, cols);
        const rtol = 8 + 2 * 20;
        expect(mismatches(out, ref, TINY32, rtol * U32), `${rows}x${cols}`).toBeNull();
        for (let i = 0; i < rows && cols > 0; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += out[i * cols + j]!;
          expect(Math.abs(s - 1)).toBeLessThan((cols + rtol) * U32);
        }
        const inPlace = offsetCopy(x);
        be.softmaxRows(inPlace, inPlace, rows, cols);
        expect(mismatches(inPlace, ref, TINY32, rtol * U32), `in place ${rows}x${cols}`).toBeNull();
      }
    });

    it('subtracts the max (no overflow), handles −∞ and NaN rows', () => {
      const x = Float32Array.from([1000, 999, 998, /**/ -Infinity, 0, 0, /**/ 1, NaN, 2, /**/ 5, 5, 5]);
      const out = new Float32Array(12);
      be.softmaxRows(out, x, 4, 3);
      const ref = refSoftmaxRows(Float64Array.from([0, -1, -2, -Infinity, 0, 0]), 2, 3);
      expect(mismatches(out.subarray(0, 6), ref, TINY32, 16 * U32)).toBeNull();
      expect(Array.from(out.subarray(6, 9), kind)).toEqual(['nan', 'nan', 'nan']);
      expect(mismatches(out.subarray(9), [1 / 3, 1 / 3, 1 / 3], 0, 4 * U32)).toBeNull();
    });
  });

  describe('lossForwardBackward', () => {
    const P = defaultLossParams();
    type Case = { name: string; loss: LossCode; target: (rng: Rng, rows: number, cols: number) => Float32Array };
    const oneHot = (rng: Rng, rows: number, cols: number): Float32Array => {
      const t = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) t[i * cols + rng.below(cols)] = 1;
      return t;
    };
    const softRows = (rng: Rng, rows: number, cols: number): Float32Array => {
      const t = randomF32(rng, rows * cols, 0, 1);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += t[i * cols + j]!;
        for (let j = 0; j < cols; j++) t[i * cols + j] = t[i * cols + j]! / s;
      }
      return t;
    };
    const cases: Case[] = [
      { name: 'mse', loss: Loss.mse, target: (rng, r, c) => randomF32(rng, r * c, -2, 2) },
      {
        name: 'sigmoidCE 0/1 labels',
        loss: Loss.sigmoidCrossEntropy,
        target: (rng, r, c) => Float32Array.from(randomF32(rng, r * c, 0, 1), (v) => (v < 0.5 ? 0 : 1)),
      },
      { name: 'sigmoidCE soft labels', loss: Loss.sigmoidCrossEntropy, target: (rng, r, c) => randomF32(rng, r * c, 0, 1) },
      { name: 'softmaxCE one-hot', loss: Loss.softmaxCrossEntropy, target: oneHot },
      { name: 'softmaxCE soft rows', loss: Loss.softmaxCrossEntropy, target: softRows },
      // Targets that do not sum to 1: the gradient is p·Σr − r, not p − r.
      { name: 'softmaxCE unnormalised', loss: Loss.softmaxCrossEntropy, target: (rng, r, c) => randomF32(rng, r * c, 0, 1) },
    ];

    // Loss: every per-element term is ≥ 0 and built from components of size
    // ≤ 1 + |z| ≤ 5 with a few float32 roundings each if the backend works in
    // float32, so |error| ≤ 16u·5 per element: atol = 1e-5·cols on the row
    // mean, rtol 1e-6. Gradient: (σ(z) − r)/rows and (p·Σr − r)/rows cancel,
    // so the bound is absolute, 64u·(1 + |z| + |r| + Σr)/rows, with
    // rtol 16u; a wrong sign, factor or missing 1/rows fails by orders.
    it.each(cases)('$name: loss and dlogits vs reference', ({ loss, target }) => {
      const rng = new Rng(61 + loss);
      for (const [rows, cols] of [
        [1, 1],
        [1, 5],
        [3, 1],
        [7, 3],
        [17, 10],
        [64, 4],
        [5, 33],
      ] as const) {
        if (loss === Loss.softmaxCrossEntropy && cols === 1 && target === oneHot) continue;
        const z = randomF32(rng, rows * cols, -4, 4);
        const r = target(rng, rows, cols);
        const refL = refLoss(z, r, rows, cols, loss);
        const refG = refLossGrad(z, r, rows, cols, loss);
        const g = new Float32Array(rows * cols).fill(NaN);
        const value = be.lossForwardBackward(g, z, r, rows, cols, loss, P);
        expect(typeof value).toBe('number');
        expect(Math.abs(value - refL), `${rows}x${cols} loss ${value} vs ${refL}`).toBeLessThanOrEqual(1e-5 * cols + 1e-6 * Math.abs(refL));
        const sumR = (i: number): number => {
          let s = 0;
          const row = Math.floor(i / cols);
          for (let j = 0; j < cols; j++) s += Math.abs(r[row * cols + j]!);
          return s;
        };
        const atol = (i: number): number => (64 * U32 * (1 + Math.abs(z[i]!) + Math.abs(r[i]!) + sumR(i))) / rows;
        expect(mismatches(g, refG, atol, 16 * U32), `${rows}x${cols}`).toBeNull();
        // Without dlogits: the same loss, nothing written.
        const noGrad = be.lossForwardBackward(null, z, r, rows, cols, loss, P);
        expect(Math.abs(noGrad - refL)).toBeLessThanOrEqual(1e-5 * cols + 1e-6 * Math.abs(refL));
      }
    });

    it.each(cases)('$name: rows = 0 gives 0 and cols = 0 gives 0', ({ loss }) => {
      const empty = new Float32Array(0);
      expect(be.lossForwardBackward(empty, empty, empty, 0, 5, loss, P)).toBe(0);
      expect(be.lossForwardBackward(null, empty, empty, 0, 0, loss, P)).toBe(0);
      expect(be.lossForwardBackward(empty, empty, empty, 3, 0, loss, P)).toBe(0);
    });

    it('batch of one: dlogits is exactly output − target', () => {
      const z = Float32Array.from([0.5, -1, 2]);
      const r = Float32Array.from([0, 1, 0]);
      const g = new Float32Array(3);
      be.lossForwardBackward(g, z, r, 1, 3, Loss.mse, P);
      expect(Array.from(g)).toEqual([0.5, -2, 2]);
      be.lossForwardBackward(g, z, r, 1, 3, Loss.softmaxCrossEntropy, P);
      const p = refSoftmaxRows(z, 1, 3);
      expect(mismatches(g, [p[0]!, p[1]! - 1, p[2]!], 2 * U32, 8 * U32)).toBeNull();
    });

    it('stable for large logits (softplus and log-sum-exp forms)', () => {
      const z = Float32Array.from([80, -80, 1000, -1000]);
      const r = Float32Array.from([0, 1, 1, 0]);
      const g = new Float32Array(4);
      // Per element max(z,0) − z·r + log1p(e^−|z|): 80, 80, ~0, ~0 → total 160.
      const value = be.lossForwardBackward(g, z, r, 1, 4, Loss.sigmoidCrossEntropy, P);
      expect(Math.abs(value - 160)).toBeLessThan(1e-4);
      expect(mismatches(g, [1, -1, 0, 0], 2 * U32, 2 * U32)).toBeNull();
      const zs = Float32Array.from([1000, 990]);
      const rs = Float32Array.from([0, 1]);
      const gs = new Float32Array(2);
      const ls = be.lossForwardBackward(gs, zs, rs, 1, 2, Loss.softmaxCrossEntropy, P);
      expect(Math.abs(ls - (10 + Math.log1p(Math.exp(-10))))).toBeLessThan(1e-4);
      expect(Array.from(gs, kind)).toEqual(['finite', 'finite']);
    });
  });

  describe('sgdUpdate', () => {
    // w − lr·(g + λw): at most 4 roundings, each relative to the size of the
    // terms involved: |err| ≤ 4u·(|w| + |lr|·(|g| + |λ·w|)).
    it.each([
      [0.1, 0],
      [0.05, 1e-3],
      [-0.5, 0.2],
      [0, 0.5],
    ])('lr=%s weightDecay=%s', (lr, wd) => {
      const rng = new Rng(71);
      for (const n of [0, 1, 7, 17, 33, 65, 1001]) {
        const w = randomF32(rng, n, -3, 3);
        const g = randomF32(rng, n, -3, 3);
        const ref = Array.from(w, (wi, i) => wi - lr * (g[i]! + wd * wi));
        const mag = (i: number): number => 4 * U32 * (Math.abs(w[i]!) + Math.abs(lr) * (Math.abs(g[i]!) + Math.abs(wd * w[i]!)));
        const wView = offsetCopy(w);
        be.sgdUpdate(wView, offsetCopy(g, 2), n, lr, wd);
        expect(mismatches(wView, ref, mag, 0), `n=${n}`).toBeNull();
      }
    });

    // The rule is float32 arithmetic: η and λ rounded first, every operation
    // rounded (no fused multiply-add), so both backends give the same bits.
    it.each([
      [0.1, 0],
      [0.05, 1e-3],
      [-0.5, 0.2],
      [3, 1e-40],
    ])('lr=%s weightDecay=%s is the float32 rule bit for bit', (lr, wd) => {
      const f32 = Math.fround;
      const rng = new Rng(72);
      const n = 1001;
      const w = randomF32(rng, n, -3, 3);
      const g = randomF32(rng, n, -3, 3);
      const [lr32, wd32] = [f32(lr), f32(wd)];
      const want = Float32Array.from(w, (wi, i) => f32(wi - f32(lr32 * (wd32 === 0 ? g[i]! : f32(g[i]! + f32(wd32 * wi))))));
      be.sgdUpdate(w, g, n, lr, wd);
      expect(w).toEqual(want);
    });
  });
});
