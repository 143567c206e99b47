/**
 * One GEMM conformance check against the float64 reference, shared by the
 * kernel suite (every backend) and the dispatch suite (every native path).
 *
 * GEMM error bound: a float32 dot product of k terms, summed in any order
 * (with or without FMA), is within γ·Σ|a_p·b_p| of the exact value with
 * γ ≤ k·u (Higham, Accuracy and Stability, §3.1). Scaling by alpha, adding
 * beta·c and the final store add 3 more roundings, so each element gets
 * atol = (k + 4)·u·mag, mag = |alpha|·Σ_p|a·b| + |beta·c| (from refGemm);
 * alpha and beta may also be rounded to float32 (1 more u, covered by +4 via
 * the rtol term 2u). Nothing looser: a wrong index gives O(mag) errors.
 */
import { expect } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { Rng } from '../../src/rng.js';
import { mismatches, randomF32, refGemm, U32 } from './reference.js';

/** The same data at a non-zero, non-16-byte-aligned offset inside a larger
 * buffer: native code must honour byteOffset and cope with misalignment. */
export function offsetCopy(v: Float32Array, pad = 3): Float32Array {
  const big = new Float32Array(v.length + pad + 5).fill(NaN);
  const view = big.subarray(pad, pad + v.length);
  view.set(v);
  return view;
}

export function checkGemm(
  be: Backend,
  rng: Rng,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  opts: { nanC?: boolean; offset?: boolean; label?: string } = {},
): void {
  let a = randomF32(rng, m * k);
  let b = randomF32(rng, k * n);
  let c = opts.nanC ? new Float32Array(m * n).fill(NaN) : randomF32(rng, m * n);
  const ref = refGemm(c, a, b, m, n, k, transA, transB, alpha, beta);
  if (opts.offset) {
    a = offsetCopy(a, 1);
    b = offsetCopy(b, 2);
    c = offsetCopy(c, 3);
  }
  be.gemm(c, a, b, m, n, k, transA, transB, alpha, beta);
  const err = mismatches(c, ref.c, (i) => (k + 4) * U32 * ref.mag[i]! + 1e-37, 2 * U32);
  expect(err, `${opts.label ?? ''} m=${m} n=${n} k=${k} tA=${transA} tB=${transB} alpha=${alpha} beta=${beta}`).toBeNull();
}
