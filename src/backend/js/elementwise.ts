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

/** The SGD rule of native/core/sgd.h in float32: w − lr·(g + decay·w), with
 * lr and decay already rounded to float32 (Math.fround) and decay 0 adding no
 * decay term. A float64 sum or product of two float32 values, rounded by
 * Math.fround, is exactly the float32 operation's result, so rounding after
 * every operation reproduces native's float32 arithmetic bit for bit. */
export function sgdNewWeight(w: number, g: number, lr: number, decay: number): number {
  return Math.fround(w - Math.fround(lr * (decay === 0 ? g : Math.fround(g + Math.fround(decay * w)))));
}

// w (n) ← sgdNewWeight(w, g (n), lr, weightDecay) element by element.
export function sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void {
  const lr32 = Math.fround(lr);
  const decay32 = Math.fround(weightDecay);
  for (let i = 0; i < n; i++) w[i] = sgdNewWeight(w[i]!, g[i]!, lr32, decay32);
}
