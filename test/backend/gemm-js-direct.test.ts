/**
 * The TS GEMM's direct paths (tiny NN/TN products, and k = 1) must give the bits
 * of the blocked path they bypass: the same float64 sums in the same order, so
 * a network's results do not depend on which path its layer sizes select.
 */
import { describe, expect, it } from 'vitest';
import { DIRECT_MNK, gemm, gemmAxpy, JB } from '../../src/backend/js/gemm.js';
import { Rng } from '../../src/rng.js';
import { randomF32 } from '../helpers/reference.js';

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe('TS gemm direct path', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [2, 4, 1],
    [4, 2, 1],
    [1, 4, 4],
    [3, 5, 7],
    [4, 4, 8],
    [2, 8, 8],
    [1, 128, 1],
    [256, 300, 1],
    [1, 2, 64],
  ];
  it.each([false, true])("gives the blocked path's bits, transA=%s", (transA) => {
    const rng = new Rng(7);
    for (const [m, n, k] of shapes) {
      expect(m * n * k <= DIRECT_MNK || k === 1).toBe(true);
      const a = randomF32(rng, m * k, -2, 2);
      const b = randomF32(rng, k * n, -2, 2);
      // Zeros of both signs, so 0 + (−0) must come out +0 as in the strip.
      a[0] = -0;
      b[b.length - 1] = 0;
      for (const [alpha, beta] of [
        [1, 0],
        [-0.7, 0.3],
      ] as const) {
        const c0 = randomF32(rng, m * n, -1, 1);
        const direct = c0.slice();
        const blocked = c0.slice();
        gemm(direct, a, b, m, n, k, transA, false, alpha, beta, new Float64Array(Math.min(n, JB)));
        gemmAxpy(blocked, a, b, m, n, k, transA, alpha, beta, new Float64Array(Math.min(n, JB)));
        expect(bits(direct), `${m}x${n}x${k} alpha=${alpha}`).toEqual(bits(blocked));
      }
    }
  });
});
