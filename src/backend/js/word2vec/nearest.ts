/**
 * The k best rows by dot product per query, as native/core/word2vec/
 * nearest.cc computes them: same dot product (vecmath.ts), same order
 * (higher score, then lower row), same padding (−1, −Infinity).
 */
import { dot } from './vecmath.js';

export function nearest(
  outIndex: Int32Array,
  outScore: Float32Array,
  matrix: Float32Array,
  queries: Float32Array,
  rows: number,
  cols: number,
  q: number,
  k: number,
  exclude: Int32Array,
  e: number,
): void {
  // Kept sorted best-first; k is small next to rows, so an insertion into a
  // short sorted list beats a heap in JS.
  const score = new Float64Array(k);
  const index = new Int32Array(k);
  for (let j = 0; j < q; j++) {
    const skip = exclude.subarray(j * e, j * e + e);
    let size = 0;
    for (let r = 0; r < rows && k > 0; r++) {
      const s = dot(matrix, r * cols, queries, j * cols, cols);
      if (Number.isNaN(s)) continue;
      // Ties keep the lower row first: a later row never beats an equal score.
      if (size === k && s <= score[k - 1]!) continue;
      if (skip.includes(r)) continue;
      let at = size < k ? size++ : k - 1;
      while (at > 0 && score[at - 1]! < s) {
        score[at] = score[at - 1]!;
        index[at] = index[at - 1]!;
        at--;
      }
      score[at] = s;
      index[at] = r;
    }
    for (let i = 0; i < k; i++) {
      outIndex[j * k + i] = i < size ? index[i]! : -1;
      outScore[j * k + i] = i < size ? score[i]! : -Infinity;
    }
  }
}
