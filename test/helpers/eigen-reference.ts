/**
 * Float64 references for the decompositions (PCA, classical MDS, the
 * backends' symmetricEigen and centredGram): a cyclic Jacobi eigen-solver,
 * slow and obviously correct, and the products they are built from.
 */
import type { Matrix } from '../../src/tensor.js';

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as the COLUMNS of (n, n). */
  vectors: Float64Array;
}

/** All eigenpairs of a small symmetric matrix by cyclic Jacobi rotations;
 * returns values sorted descending and the eigenvectors as COLUMNS of (n, n). */
export function jacobiEigen(input: Float64Array, n: number): Eigen {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  // Rotations keep the sum of squares: converged when the off-diagonal part is a rounding error of it.
  const total = a.reduce((s, x) => s + x * x, 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off <= 1e-28 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        // The rotation angle that zeroes a[p][q] (Golub & Van Loan, symmetric Schur).
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/** Eigenvector c of a jacobiEigen result as a row, signed as the backends sign theirs: largest-magnitude entry positive. */
export function signedColumn(vectors: Float64Array, n: number, c: number): Float64Array {
  const v = Float64Array.from({ length: n }, (_, i) => vectors[i * n + c]!);
  let big = 0;
  for (let j = 1; j < n; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
  if (v[big]! < 0) v.forEach((x, j) => (v[j] = -x));
  return v;
}

/** Column means of x (n, d) and alpha·Xcᵀ·Xc (d, d), or with `rows` alpha·Xc·Xcᵀ (n, n), in float64 from x's float32 values. */
export function centredGramReference(x: Matrix, rows: boolean, alpha: number): { mean: Float64Array; gram: Float64Array } {
  const { rows: n, cols: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j]!;
  mean.forEach((s, j) => (mean[j] = s / n));
  const xc = Float64Array.from(data, (v, i) => v - mean[i % d]!);
  const side = rows ? n : d;
  const gram = new Float64Array(side * side);
  for (let a = 0; a < side; a++) {
    for (let b = 0; b < side; b++) {
      let s = 0;
      if (rows) for (let t = 0; t < d; t++) s += xc[a * d + t]! * xc[b * d + t]!;
      else for (let t = 0; t < n; t++) s += xc[t * d + a]! * xc[t * d + b]!;
      gram[a * side + b] = alpha * s;
    }
  }
  return { mean, gram };
}

/** Pairwise squared Euclidean distances (n, n) between the rows of x, float64. */
export function squaredDistances(x: Matrix): Float64Array {
  const n = x.rows;
  const out = new Float64Array(n * n);
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
