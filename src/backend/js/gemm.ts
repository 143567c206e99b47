/**
 * General matrix multiply, the plain-TS counterpart of native core's packed
 * SIMD GEMM, made as fast as plain TS allows. Each transpose case gets a loop
 * nest whose innermost loop walks memory contiguously, unrolled 4 ways, with
 * no allocation inside:
 *   NN, TN: i-k-j. Row i of c is built as Σ_p op(a)[i,p]·b[p,:] (an axpy over a
 *     row of b) in a float64 strip of ≤ JB columns, over blocks of KB rows of
 *     b, so the KB×JB block of b stays in cache while every row i reuses it.
 *   NT, TT: c[i,j] is a dot product of op(a)[i,:] and row j of b (four float64
 *     partial sums), over blocks of JB rows of b that stay in cache across i.
 * Within a k block sums are float64; between k blocks the partial sum is kept
 * in c (float32), which adds ⌈k/KB⌉ roundings: well inside the (k + 4)·u
 * bound of the conformance suite.
 * Tiny NN and TN products (m·n·k ≤ DIRECT_MNK), and those with k = 1 (the
 * outer product dzᵀ·a of a per-sample weight gradient), skip the strip: plain
 * loops with the same float64 sums in the same order, so which path runs
 * never changes a bit.
 * Every path computes each c[i,j] from its own row of op(a) and column of
 * op(b) alone, so a product can be computed a tile of c at a time
 * (gemmPieces, for a product too long for one slice of the event loop) and
 * give the same bits as in one call.
 */
import { pieceSize, type Pieces } from './pieces.js';

/** Columns (NN, TN) or rows of b (NT, TT) per block: the float64 strip is 2 KiB. */
export const JB = 256;
/** Rows of b per block in NN, TN: a KB×JB float32 block of b is 128 KiB (L2). */
export const KB = 128;
/** NN, TN products of at most this many multiply-adds run unblocked (as native's
 * kGemmDirectMnk): for XOR-sized layers the strip's set-up costs more than the sums. */
export const DIRECT_MNK = 128;

// c (m,n) = alpha·op(a)·op(b) + beta·c; a (m,k) or (k,m) if transA, b (k,n) or (n,k) if transB.
// acc is float64 scratch of at least min(n, JB) entries (used by NN and TN only).
export function gemm(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  acc: Float64Array,
): void {
  gemmTile(c, a, b, m, n, k, transA, transB, alpha, beta, acc, 0, m, 0, n);
}

/** How long a piece of a product should take (ms): an eighth of a slice. */
const PIECE_MS = 1;

/** Whether gemmPieces would run an (m, n) by k product as one piece. */
export const onePiece = (m: number, n: number, k: number): boolean => m * n * Math.max(1, k) <= pieceSize.work;

/** gemm, in pieces: tiles of c, with a yield between two (where a step may
 * stop: only c was written). A product of one piece runs at once. Tiles
 * span whole JB-column panels where the budget allows, and run panel by
 * panel, so a panel of b stays in cache across the tiles that read it.
 * A tile's multiply-adds follow the time the last one took, towards
 * PIECE_MS and at most pieceSize.work: the first tiles start at a 16th of
 * that, as they may run before V8 has compiled these loops (10–30 times
 * slower: 2^20 multiply-adds then took up to 30 ms). */
export function* gemmPieces(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  acc: Float64Array,
): Pieces<void> {
  if (onePiece(m, n, k)) {
    gemmTile(c, a, b, m, n, k, transA, transB, alpha, beta, acc, 0, m, 0, n);
    return;
  }
  // Each entry of c costs k multiply-adds (one store when k = 0).
  const perEntry = Math.max(1, k);
  let work = Math.max(1, pieceSize.work / 16);
  for (let j0 = 0; j0 < n; ) {
    const fit = Math.max(1, Math.floor(work / perEntry)); // entries of c in this panel's tiles
    const cols = Math.min(n - j0, fit >= n ? n : fit >= JB ? fit - (fit % JB) : fit);
    for (let i0 = 0; i0 < m; ) {
      if (i0 > 0 || j0 > 0) yield true;
      const rows = Math.min(m - i0, Math.max(1, Math.floor(work / (cols * perEntry))));
      const t0 = performance.now();
      gemmTile(c, a, b, m, n, k, transA, transB, alpha, beta, acc, i0, i0 + rows, j0, j0 + cols);
      // At most double: one fast tile (a timer's resolution) says little.
      const scale = Math.min(2, PIECE_MS / Math.max(performance.now() - t0, 1e-3));
      work = Math.min(pieceSize.work, Math.max(1, work * scale));
      i0 += rows;
    }
    j0 += cols;
  }
}

// Rows [i0, i1) and columns [j0, j1) of the product c (m, n); the path is
// chosen from the whole product's shape, so every tile takes the same one.
function gemmTile(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  acc: Float64Array,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  // NT and TT are unblocked per element already; their blocking only orders the loops.
  if (transB) gemmDot(c, a, b, m, n, k, transA, alpha, beta, i0, i1, j0, j1);
  else if (k === 1) gemmOuter(c, a, b, n, alpha, beta, i0, i1, j0, j1);
  else if (m * n * k <= DIRECT_MNK) gemmAxpyDirect(c, a, b, m, n, k, transA, alpha, beta, i0, i1, j0, j1);
  else gemmAxpy(c, a, b, m, n, k, transA, alpha, beta, acc, i0, i1, j0, j1);
}

// NN, TN: a[i,p] is at i·k+p (NN) or p·m+i (TN); row p of b is contiguous.
// Exported for the test that the direct path gives the same bits.
export function gemmAxpy(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  alpha: number,
  beta: number,
  acc: Float64Array,
  i0 = 0,
  i1 = m,
  j0 = 0,
  j1 = n,
): void {
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  for (let jb = j0; jb < j1; jb += JB) {
    const w = Math.min(JB, j1 - jb);
    const w4 = w - (w % 4);
    // One pass even when k = 0: c must still become beta·c.
    for (let p0 = 0; p0 < k || p0 === 0; p0 += KB) {
      const p1 = Math.min(k, p0 + KB);
      for (let i = i0; i < i1; i++) {
        acc.fill(0, 0, w);
        const ai = i * aRow;
        for (let p = p0; p < p1; p++) {
          // No skip when a[i,p] is 0: 0·NaN must still give NaN.
          const aip = a[ai + p * aCol]!;
          const bp = p * n + jb;
          let j = 0;
          for (; j < w4; j += 4) {
            acc[j]! += aip * b[bp + j]!;
            acc[j + 1]! += aip * b[bp + j + 1]!;
            acc[j + 2]! += aip * b[bp + j + 2]!;
            acc[j + 3]! += aip * b[bp + j + 3]!;
          }
          for (; j < w; j++) acc[j]! += aip * b[bp + j]!;
        }
        const ci = i * n + jb;
        // The first k block applies beta (0 overwrites: c may hold NaN); later ones accumulate.
        if (p0 === 0 && beta === 0) for (let j = 0; j < w; j++) c[ci + j] = alpha * acc[j]!;
        else if (p0 === 0) for (let j = 0; j < w; j++) c[ci + j] = alpha * acc[j]! + beta * c[ci + j]!;
        else for (let j = 0; j < w; j++) c[ci + j] = c[ci + j]! + alpha * acc[j]!;
      }
    }
  }
}

/** Entry (i, j) of a k = 1 product before alpha and the float32 store: the
 * strip's one product, 0 + a[i]·b[j] (0 + turns −0 into +0 as the strip does).
 * Shared with the fused per-sample update (sgd-rank1.ts), which forms the
 * batch-1 weight gradient the same way. */
export function outerEntry(ai: number, bj: number): number {
  return 0 + ai * bj;
}

// NN, TN with k = 1: a is a column (or a row: the same layout), b a row, and
// c[i,j] = alpha·outerEntry(a[i], b[j]).
function gemmOuter(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  n: number,
  alpha: number,
  beta: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  for (let i = i0; i < i1; i++) {
    const ai = a[i]!;
    const ci = i * n;
    if (beta === 0) for (let j = j0; j < j1; j++) c[ci + j] = alpha * outerEntry(ai, b[j]!);
    else for (let j = j0; j < j1; j++) c[ci + j] = alpha * outerEntry(ai, b[j]!) + beta * c[ci + j]!;
  }
}

// NN, TN with m·n·k ≤ DIRECT_MNK, hence k ≤ KB (one k block): each c[i,j] is
// summed over p in order, from 0, in float64, as gemmAxpy's strip sums it.
function gemmAxpyDirect(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  alpha: number,
  beta: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  for (let i = i0; i < i1; i++) {
    const ai = i * aRow;
    const ci = i * n;
    for (let j = j0; j < j1; j++) {
      const s = columnDot(a, ai, aCol, b, n, j, k);
      // beta == 0 overwrites: c may hold garbage or NaN on entry.
      c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j]!;
    }
  }
}

/** Σ a[ai + p]·b[bj + p] over p < k in float64, in four partial sums (p mod 4)
 * added as (s0 + s1) + (s2 + s3): each element of an NT product (gemmDot),
 * and of the forward product of tiny-step.ts. */
export function dot(a: Float32Array, ai: number, b: Float32Array, bj: number, k: number): number {
  const k4 = k - (k % 4);
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let p = 0;
  for (; p < k4; p += 4) {
    s0 += a[ai + p]! * b[bj + p]!;
    s1 += a[ai + p + 1]! * b[bj + p + 1]!;
    s2 += a[ai + p + 2]! * b[bj + p + 2]!;
    s3 += a[ai + p + 3]! * b[bj + p + 3]!;
  }
  for (; p < k; p++) s0 += a[ai + p]! * b[bj + p]!;
  return s0 + s1 + (s2 + s3);
}

/** Σ a[ai + p·aCol]·b[p·n + j] over p < k in float64, in order from 0: each
 * element of an NN or TN product (the direct loops; gemmAxpy's strip and
 * gemmOuter sum the same way), and of the backward product of tiny-step.ts. */
export function columnDot(a: Float32Array, ai: number, aCol: number, b: Float32Array, n: number, j: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[p * n + j]!;
  return s;
}

// NT, TT: op(b)[p,j] is b[j·k+p], so row j of b is contiguous in p.
function gemmDot(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  alpha: number,
  beta: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  for (let jb = j0; jb < j1; jb += JB) {
    const je = Math.min(j1, jb + JB);
    for (let i = i0; i < i1; i++) {
      const ci = i * n;
      for (let j = jb; j < je; j++) {
        const bj = j * k;
        let s: number;
        if (!transA) {
          s = dot(a, i * k, b, bj, k);
        } else {
          // TT is not used by backprop; the strided walk down column i of a is acceptable.
          s = 0;
          for (let p = 0; p < k; p++) s += a[p * m + i]! * b[bj + p]!;
          // + 0, as dot's empty partial sums add it: a −0 sum becomes +0 there too.
          s += 0;
        }
        // beta == 0 overwrites: c may hold garbage or NaN on entry.
        c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j]!;
      }
    }
  }
}
