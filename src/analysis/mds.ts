/**
 * Classical (Torgerson) multidimensional scaling: the configuration whose
 * Euclidean distances best match the given ones in the least-squares sense of
 * the double-centred Gram matrix B = −½·J·D²·J (J = I − 11ᵀ/n). Its top
 * eigenpairs give coordinates V·√λ. The reference for the learned Sammon map,
 * which, unlike MDS, can place points it was not fitted on.
 */
import { allocate, allocating, checkAllocation } from '../sizes.js';
import { topEigen } from './eigen.js';
import { Matrix } from '../tensor.js';
import { toShapedMatrix } from '../nn/data.js';

/** Embeds the rows of x (n, d) in `dims` dimensions (default 2). */
export function classicalMds(x: Matrix | ArrayLike<number>[], dims = 2): Matrix {
  const fn = 'classicalMds';
  const xs = toShapedMatrix(fn, 'x', x);
  const n = xs.rows;
  if (n < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${n}`);
  if (!Number.isInteger(dims) || dims < 1 || dims > n) throw new RangeError(`${fn}: dims must be an integer in [1, ${n}], got ${dims}`);
  // The n × n squared distances (float64), and topEigen's n × n work matrix.
  checkAllocation(fn, `the rows of x squared (${n} × ${n} distances)`, n * n, 16);
  const b = squaredDistances(xs, fn);
  doubleCentre(b, n);
  const { values, vectors } = allocating(fn, "the eigensolver's vectors", () => topEigen(b, n, dims));
  const out = Matrix.zeros(n, dims);
  for (let c = 0; c < dims; c++) {
    // A negative eigenvalue means the distances are not Euclidean in that direction: no extent.
    const scale = Math.sqrt(Math.max(0, values[c]!));
    for (let i = 0; i < n; i++) out.data[i * dims + c] = vectors[c * n + i]! * scale;
  }
  return out;
}

/** Pairwise squared Euclidean distances (n, n), float64; fn names the caller in an out-of-memory error. */
export function squaredDistances(x: Matrix, fn = 'squaredDistances'): Float64Array {
  const n = x.rows;
  const out = allocate(fn, 'the squared distances', Float64Array, n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < x.cols; t++) s += (x.data[i * x.cols + t]! - x.data[j * x.cols + t]!) ** 2;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** In place: m ← −½·J·m·J, subtracting row and column means and adding back the grand mean. */
function doubleCentre(m: Float64Array, n: number): void {
  const rowMeans = new Float64Array(n);
  let grand = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j]!;
    rowMeans[i] = s / n;
    grand += s;
  }
  grand /= n * n;
  // m is symmetric, so column means equal row means.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = -0.5 * (m[i * n + j]! - rowMeans[i]! - rowMeans[j]! + grand);
  }
}
