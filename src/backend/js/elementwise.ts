/** Row/column broadcasts and the SGD step. */

// out (rows,cols) += bias (cols), broadcast over rows.
export function biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j]! += bias[j]!;
  }
}

// out (cols) = Σ_rows inp (rows,cols); acc is float64 scratch of at least cols entries,
// so the sum is rounded to float32 once instead of once per row.
export function colSum(out: Float32Array, inp: Float32Array, rows: number, cols: number, acc: Float64Array): void {
  // A loop, not acc.fill: a builtin call costs more than zeroing a per-sample layer's few columns.
  for (let j = 0; j < cols; j++) acc[j] = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) acc[j]! += inp[o + j]!;
  }
  for (let j = 0; j < cols; j++) out[j] = acc[j]!;
}

// w (n) ← w − lr·(g (n) + weightDecay·w), computed in float64, stored as float32.
export function sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void {
  if (weightDecay === 0) {
    for (let i = 0; i < n; i++) w[i] = w[i]! - lr * g[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      w[i] = wi - lr * (g[i]! + weightDecay * wi);
    }
  }
}
