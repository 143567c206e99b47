/**
 * General matrix multiply, the reference-style TS version of native core's
 * blocked SIMD GEMM. Each of the four transpose cases gets its own loop nest
 * whose innermost loop walks memory contiguously:
 *   NN, TN: row i of c is built as Σ_p op(a)[i,p]·b[p,:] (an axpy over a row of b);
 *   NT, TT: c[i,j] is a dot product over p of op(a)[i,:] and row j of b.
 * Sums accumulate in float64 (JS numbers and a Float64Array row), and each
 * element of c is rounded to float32 once, when stored.
 */

// c (m,n) = alpha·op(a)·op(b) + beta·c; a (m,k) or (k,m) if transA, b (k,n) or (n,k) if transB.
// acc is float64 scratch of at least n entries (used by NN and TN only).
export function gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
                     transA: boolean, transB: boolean, alpha: number, beta: number, acc: Float64Array): void {
  if (!transB) {
    // a[i,p] is at i·k+p (NN) or p·m+i (TN); b row p is contiguous.
    const aRow = transA ? 1 : k;
    const aCol = transA ? m : 1;
    for (let i = 0; i < m; i++) {
      acc.fill(0, 0, n);
      const ai = i * aRow;
      for (let p = 0; p < k; p++) {
        // No skip when a[i,p] is 0: 0·NaN must still give NaN, as in BLAS-free reference maths.
        const aip = a[ai + p * aCol]!;
        const bp = p * n;
        for (let j = 0; j < n; j++) acc[j]! += aip * b[bp + j]!;
      }
      store(c, i * n, acc, n, alpha, beta);
    }
  } else {
    // b[p,j] of op(b) is b[j·k+p]: row j of b is contiguous in p.
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        if (!transA) {
          const ai = i * k;
          for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        } else {
          for (let p = 0; p < k; p++) s += a[p * m + i]! * b[bj + p]!;
        }
        // beta == 0 overwrites: c may hold garbage or NaN on entry.
        c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j]!;
      }
    }
  }
}

// c[off .. off+n) = alpha·acc (n) + beta·c, overwriting when beta == 0.
function store(c: Float32Array, off: number, acc: Float64Array, n: number, alpha: number, beta: number): void {
  if (beta === 0) {
    for (let j = 0; j < n; j++) c[off + j] = alpha * acc[j]!;
  } else {
    for (let j = 0; j < n; j++) c[off + j] = alpha * acc[j]! + beta * c[off + j]!;
  }
}
