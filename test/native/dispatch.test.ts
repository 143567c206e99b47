/**
 * Native GEMM under every kernel path this CPU supports (portable, AVX2+FMA,
 * AVX-512), at and around (±1) every size where the algorithm switches: the
 * register tile (mr, nr), the cache blocks (mc, kc, nc), the threading
 * crossover, the unpacked kernels (m·n·k ≤ directMnk, m = 1, 1×1). Plus: results do not depend on the thread count (bit for bit),
 * the FASTNN_CPU override, and argument checks of the dispatch exports.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createNativeBackend, loadNativeAddon, type NativeAddon } from '../../src/backend/native.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { checkGemm } from '../helpers/gemm-check.js';
import { randomF32 } from '../helpers/reference.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');
const addon: NativeAddon | null = hasNative ? loadNativeAddon() : null;
const paths = addon ? addon.gemmPaths() : [];
const combos: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** x − 1, x, x + 1, without sizes below 1. */
const around = (x: number): number[] => [x - 1, x, x + 1].filter((v) => v >= 1);

describe.runIf(hasNative)('native gemm dispatch', () => {
  // The body is collected even when skipped: touch the addon only in hooks and tests.
  const native = addon!;
  const be = addon ? createNativeBackend(addon) : null!;
  const initialPath = addon?.gemmPath() ?? 'portable';
  const initialThreads = addon?.getThreads() ?? 1;
  afterAll(() => {
    native.setGemmPath(initialPath);
    native.setThreads(initialThreads);
  });

  it('reports the supported paths, portable first, the active one among them', () => {
    expect(paths[0]).toBe('portable');
    expect(paths).toContain(initialPath);
    expect(native.getThreads()).toBeGreaterThanOrEqual(1);
  });

  describe.each(paths)('path %s', (path) => {
    it.each(combos)('at and around every block size, transA=%s transB=%s', (tA, tB) => {
      native.setGemmPath(path);
      native.setThreads(2);
      const { mr, nr, mc, kc, nc, threadedFlops, directMnk } = native.gemmBlocking();
      const rng = new Rng(81);
      const run = (m: number, n: number, k: number): void => {
        checkGemm(be, rng, m, n, k, tA, tB, 1, 0, { nanC: true, label: path });
        checkGemm(be, rng, m, n, k, tA, tB, -1.5, 0.25, { offset: true, label: path });
      };
      for (const m of [...around(mr), ...around(2 * mr), ...around(mc)]) run(m, nr + 3, 5);
      for (const n of [...around(nr), ...around(2 * nr), ...around(nc)]) run(mr + 1, n, 4);
      for (const k of [...around(kc), ...around(2 * kc)]) run(mr + 1, nr + 1, k);
      // The unpacked kernels: m·n·k = directMnk ± 1 exactly, and steps of 6
      // across it in each dimension; m = 1 (GEMV) beside m = 2, with n around
      // the vector groups and k across kc; the 1×1 dot beside 1×2.
      for (const p of around(directMnk)) run(p, 1, 1);
      const sixth = Math.floor(directMnk / 6);
      for (const v of around(sixth)) {
        run(2, 3, v);
        run(v, 2, 3);
        run(3, v, 2);
      }
      // nr is two vectors on every path; the GEMVs take 4 vectors of columns
      // (b stored (k,n)) or 8 rows of b (stored (n,k)) at a time.
      const lanes = nr / 2;
      for (const m of [1, 2]) {
        for (const n of [1, 2, ...around(8), ...around(lanes), ...around(4 * lanes), 5 * lanes + 3]) run(m, n, 7);
        for (const k of [...around(lanes), ...around(kc), ...around(2 * kc)]) run(m, 2 * nr + 3, k);
      }
      // The 4×4 transposes of the strided packs (a untransposed, b transposed):
      // slivers of 3–5 rows in both operands, depths 4q − 1, 4q, 4q + 1.
      for (const r of around(4)) for (const k of around(20)) run(mr + r, nr + r, k);
      // Several blocks in every dimension at once.
      run(mc + 1, 2 * nr + 1, kc + 1);
      // The threading crossover, 2·m·n·k = threadedFlops: k steps across it.
      const m = 2 * mr + 1,
        n = 2 * nr + 1;
      const k0 = Math.floor(threadedFlops / (2 * m * n));
      for (const k of [k0 - 1, k0, k0 + 1, k0 + 2]) run(m, n, k);
    });

    it('one-row products with transB share their rows from gemvThreadedFlops, bit-identical on 1, 2 and 3 threads', () => {
      native.setGemmPath(path);
      const { gemvThreadedFlops } = native.gemmBlocking();
      const rng = new Rng(83);
      // k = 128, so 2·n·k steps by 256 flops: n across n0 puts the product at −256, 0 and +256 flops.
      const k = 128,
        n0 = gemvThreadedFlops / (2 * k);
      expect(Number.isInteger(n0)).toBe(true);
      for (const n of [n0 - 1, n0, n0 + 1]) {
        const a = randomF32(rng, k),
          b = randomF32(rng, n * k),
          c0 = randomF32(rng, n);
        const results = [1, 2, 3].map((threads) => {
          native.setThreads(threads);
          checkGemm(be, rng, 1, n, k, false, true, 0.7, 0.3, { label: `${path} n=${n} threads=${threads}` });
          const c = c0.slice();
          native.gemm(c, a, b, 1, n, k, false, true, 0.7, 0.3);
          return new Uint32Array(c.buffer);
        });
        expect(results[1], `n=${n}`).toEqual(results[0]);
        expect(results[2], `n=${n}`).toEqual(results[0]);
      }
      // The same product one flop pair below and above, with k odd (a scalar tail in every dot).
      for (const [n, kk] of [
        [Math.floor(gemvThreadedFlops / 2 / 129), 129],
        [Math.ceil(gemvThreadedFlops / 2 / 129), 129],
      ] as const) {
        native.setThreads(2);
        checkGemm(be, rng, 1, n, kk, false, true, 1, 0, { nanC: true, label: `${path} n=${n} k=${kk}` });
      }
    });

    // gemm forms c = op(a)·bᵀ with n > m and beta 0 (the forward pass's
    // a·Wᵀ) as cᵀ = b·op(a)ᵀ, packing the smaller operand: every element must
    // keep the bits of the product formed directly, here from b stored
    // transposed. Odd sizes cut tiles of both forms; k spans several blocks.
    it.each([false, true])('a product formed as its transpose keeps the bits of the direct one on 1, 2 and 3 threads, transA=%s', (tA) => {
      native.setGemmPath(path);
      const { threadedFlops } = native.gemmBlocking();
      const rng = new Rng(84);
      const m = 37,
        n = 150,
        k = Math.max(301, Math.ceil(threadedFlops / (2 * m * n)) + 7);
      const a = randomF32(rng, m * k),
        b = randomF32(rng, n * k);
      const bStoredKn = new Float32Array(k * n);
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bStoredKn[p * n + j] = b[j * k + p]!;
      const product = (bb: Float32Array, tB: boolean): Uint32Array => {
        const c = new Float32Array(m * n).fill(NaN);
        native.gemm(c, a, bb, m, n, k, tA, tB, 0.7, 0);
        return new Uint32Array(c.buffer);
      };
      const results = [1, 2, 3].map((threads) => {
        native.setThreads(threads);
        const swapped = product(b, true);
        expect(swapped, `threads=${threads}`).toEqual(product(bStoredKn, false));
        return swapped;
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });

    it.each(combos)('1, 2 and 3 threads give bit-identical results, transA=%s transB=%s', (tA, tB) => {
      native.setGemmPath(path);
      const { threadedFlops } = native.gemmBlocking();
      const rng = new Rng(82);
      // Odd sizes, several k blocks, above the crossover.
      const m = 150,
        n = 131,
        k = Math.max(301, Math.ceil(threadedFlops / (2 * m * n)) + 7);
      const a = randomF32(rng, m * k),
        b = randomF32(rng, k * n),
        c0 = randomF32(rng, m * n);
      const results = [1, 2, 3].map((threads) => {
        native.setThreads(threads);
        const c = c0.slice();
        native.gemm(c, a, b, m, n, k, tA, tB, 0.7, 0.3);
        return new Uint32Array(c.buffer);
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });
  });

  it('FASTNN_CPU lowers the path at load, capped at what the CPU supports', () => {
    // The file this process loaded (build/Release, or the sanitizers' Debug build).
    const script = `process.stdout.write(require(${JSON.stringify(addon!.path)}).gemmPath())`;
    const pathWith = (value: string): string => execFileSync(process.execPath, ['-e', script], { env: { ...process.env, FASTNN_CPU: value } }).toString();
    const best = paths[paths.length - 1]!;
    for (const p of paths) expect(pathWith(p)).toBe(p);
    expect(pathWith('avx512')).toBe(best);
    expect(pathWith('no-such-path')).toBe(best);
  });

  it('checks its arguments', () => {
    expect(() => native.setGemmPath(3 as never)).toThrow(new TypeError('setGemmPath: name must be a string'));
    expect(() => native.setGemmPath('sse9' as never)).toThrow(RangeError);
    expect(() => native.setGemmPath('sse9' as never)).toThrow(/^setGemmPath: name must be a kernel path this CPU supports \('portable'.*got 'sse9'$/);
    expect(() => native.setThreads('2' as never)).toThrow(new TypeError('setThreads: n must be a number'));
    expect(() => native.setThreads(-1)).toThrow(new RangeError('setThreads: n must be an integer in [0, 1024]'));
    expect(() => native.setThreads(1.5)).toThrow(RangeError);
    expect(() => native.probeBandwidth(0)).toThrow(new RangeError('probeBandwidth: bytes must be an integer in [4, 2147483647]'));
    native.setThreads(0);
    expect(native.getThreads()).toBeGreaterThanOrEqual(1);
  });
});
