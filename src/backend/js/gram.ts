/**
 * TS twin of native/core/gram.cc: the centred Gram matrix PCA and classical
 * MDS decompose. The same column means (float64 sums in row order, so the
 * same bits) and centring (float32 subtractions); the product is this
 * backend's gemm over blocks of x, added with beta 1. Each block is laid
 * out with one row per row of the result (F, side × count), so that
 * out = alpha·F·Fᵀ can be formed a few of its rows at a time, with a look
 * at the clock between them: every element is the same dot product however
 * the rows are grouped, so the slices, which the clock sets, never change
 * a bit, and even the first calls, before the JIT has compiled gemm, stay
 * short.
 */
import { gemm } from './gemm.js';
import { SliceClock, type KernelProgressFn } from './slice-clock.js';

/** Rows (columns with `rows`) of x per block: the float32 sums are rounded once per block. */
const BLOCK = 256;
/** Multiply-adds between two looks at the clock: ~0.3 ms of compiled gemm, a few ms before the JIT has compiled it. */
const SLICE_WORK = 1 << 18;

/** Backend.centredGram after its checks: true when done, false once `stopped()`. */
export async function centredGram(
  out: Float32Array,
  mean: Float32Array,
  x: Float32Array,
  n: number,
  d: number,
  rows: boolean,
  alpha: number,
  onProgress: KernelProgressFn,
  stopped: () => boolean,
): Promise<boolean> {
  const clock = new SliceClock(stopped);
  const sums = new Float64Array(d);
  const meanRows = Math.max(1, Math.floor(SLICE_WORK / Math.max(1, d)));
  for (let i = 0; i < n; i++) {
    if (i % meanRows === 0 && (await clock.tick())) return false;
    const row = i * d;
    for (let j = 0; j < d; j++) sums[j] = sums[j]! + x[row + j]!;
  }
  // No rows: no mean to subtract (0 rather than 0/0).
  for (let j = 0; j < d; j++) mean[j] = n === 0 ? 0 : sums[j]! / n;

  const side = rows ? n : d;
  const depth = rows ? d : n;
  const block = Math.max(1, Math.min(depth, BLOCK));
  const f = new Float32Array(side * block);
  const none = new Float64Array(0); // gemm's scratch: an NT product needs none
  if (depth === 0) out.fill(0);
  for (let first = 0; first < depth; first += block) {
    const count = Math.min(block, depth - first);
    const slice = Math.max(1, Math.floor(SLICE_WORK / (side * count)));
    for (let i0 = 0; i0 < side; i0 += slice) {
      if (await clock.tick()) return false;
      const i1 = Math.min(side, i0 + slice);
      centreRows(f, x, mean, d, first, count, rows, i0, i1);
    }
    const fb = f.subarray(0, side * count);
    for (let i0 = 0; i0 < side; i0 += slice) {
      if (await clock.tick()) return false;
      const i1 = Math.min(side, i0 + slice);
      gemm(out.subarray(i0 * side, i1 * side), fb.subarray(i0 * count, i1 * count), fb, i1 - i0, side, count, false, true, alpha, first === 0 ? 0 : 1, none);
    }
    onProgress?.({ done: first + count, total: depth });
  }
  return true;
}

// Rows [i0, i1) of F (side, count), the block's centred values with one row per row of the result: columns mode,
// F[i][p] = x[first + p][i] − mean[i]; rows mode, F[i][c] = x[i][first + c] − mean[first + c].
function centreRows(
  f: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  d: number,
  first: number,
  count: number,
  rows: boolean,
  i0: number,
  i1: number,
): void {
  for (let i = i0; i < i1; i++) {
    const o = i * count;
    if (rows) for (let c = 0; c < count; c++) f[o + c] = x[i * d + first + c]! - mean[first + c]!;
    else for (let p = 0; p < count; p++) f[o + p] = x[(first + p) * d + i]! - mean[i]!;
  }
}
