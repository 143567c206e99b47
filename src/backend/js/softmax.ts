/** Row-wise softmax, max-subtracted so exp never overflows. */

// out (rows,cols) = softmax of each row of inp (rows,cols); out may be inp.
export function softmaxRows(out: Float32Array, inp: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = inp[o + j]!;
      if (v > max) max = v;
    }
    // A NaN anywhere in the row makes its exp and hence the sum NaN, so the
    // whole row comes out NaN; a +∞ gives ∞ − ∞ = NaN likewise.
    // Exps are stored as float32 (out doubles as scratch) and summed in float64.
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.fround(Math.exp(inp[o + j]! - max));
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) out[o + j] = out[o + j]! / sum;
  }
}
