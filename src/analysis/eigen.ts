/**
 * Leading eigenpairs of a symmetric matrix, for PCA (covariance) and
 * classical MDS (double-centred squared distances).
 *
 * Subspace iteration: V ← orthonormalise(A·V) with a few extra columns beyond
 * k (they speed convergence when eigenvalues k and k+1 are close), then a
 * Rayleigh–Ritz step (a small dense eigenproblem of Vᵀ A V, solved by Jacobi
 * rotations) gives the eigenpairs. Work is O(d²·(k+p)) per iteration, in
 * float64: these matrices are at most a few thousand wide.
 */
import { Rng } from '../rng.js';

export interface Eigen {
  /** Eigenvalues, largest first (k). */
  values: Float64Array;
  /** Eigenvectors as rows (k, d), unit length, each with its largest-magnitude entry positive. */
  vectors: Float64Array;
}

/** A (d, d) symmetric, row-major. */
export function topEigen(a: Float64Array, d: number, k: number, seed = 0): Eigen {
  if (k < 1 || k > d) throw new RangeError(`topEigen: k must be in [1, ${d}], got ${k}`);
  const p = Math.min(d, k + 8);
  const rng = new Rng(seed);
  let v: Float64Array = new Float64Array(p * d).map(() => rng.uniform() - 0.5); // rows are the basis vectors
  orthonormaliseRows(v, p, d);
  let previous: Float64Array = new Float64Array(k);
  let ritz = rayleighRitz(a, v, p, d);
  for (let iter = 0; iter < 1000; iter++) {
    v = multiplyRows(a, ritz.vectors, p, d);
    orthonormaliseRows(v, p, d);
    ritz = rayleighRitz(a, v, p, d);
    const values = ritz.values.subarray(0, k);
    const scale = Math.max(1e-300, Math.abs(values[0]!));
    if (values.every((x, i) => Math.abs(x - previous[i]!) <= 1e-12 * scale)) break;
    previous = Float64Array.from(values);
  }
  const vectors = ritz.vectors.slice(0, k * d);
  for (let i = 0; i < k; i++) {
    const row = vectors.subarray(i * d, (i + 1) * d);
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(row[j]!) > Math.abs(row[big]!)) big = j;
    if (row[big]! < 0) for (let j = 0; j < d; j++) row[j] = -row[j]!;
  }
  return { values: ritz.values.slice(0, k), vectors };
}

/** Rows of v (p, d) times symmetric a (d, d): (v·a) rows = (a·vᵀ)ᵀ. */
function multiplyRows(a: Float64Array, v: Float64Array, p: number, d: number): Float64Array {
  const out = new Float64Array(p * d);
  for (let r = 0; r < p; r++) {
    const o = out.subarray(r * d, (r + 1) * d);
    for (let i = 0; i < d; i++) {
      const vi = v[r * d + i]!;
      if (vi === 0) continue;
      const ai = a.subarray(i * d, (i + 1) * d);
      for (let j = 0; j < d; j++) o[j] = o[j]! + vi * ai[j]!;
    }
  }
  return out;
}

/** Modified Gram–Schmidt, twice (one pass loses orthogonality when columns are close). */
function orthonormaliseRows(v: Float64Array, p: number, d: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < p; r++) {
      const row = v.subarray(r * d, (r + 1) * d);
      for (let q = 0; q < r; q++) {
        const prev = v.subarray(q * d, (q + 1) * d);
        let dot = 0;
        for (let j = 0; j < d; j++) dot += row[j]! * prev[j]!;
        for (let j = 0; j < d; j++) row[j] = row[j]! - dot * prev[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += row[j]! ** 2;
      norm = Math.sqrt(norm);
      // A vanished direction (rank-deficient a) is replaced by a unit axis; the next pass orthogonalises it.
      if (norm < 1e-300) row.fill(0).set([1], r % d);
      else for (let j = 0; j < d; j++) row[j] = row[j]! / norm;
    }
  }
}

/** Eigenpairs of a restricted to the span of v's rows, largest first; vectors as rows (p, d). */
function rayleighRitz(a: Float64Array, v: Float64Array, p: number, d: number): Eigen {
  const av = multiplyRows(a, v, p, d);
  const small = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += v[i * d + t]! * av[j * d + t]!;
      small[i * p + j] = s;
    }
  }
  const { values, vectors: w } = jacobiEigen(small, p);
  const vectors = new Float64Array(p * d);
  for (let r = 0; r < p; r++) {
    for (let q = 0; q < p; q++) {
      const c = w[q * p + r]!; // column r of w
      for (let t = 0; t < d; t++) vectors[r * d + t] = vectors[r * d + t]! + c * v[q * d + t]!;
    }
  }
  return { values, vectors };
}

/** All eigenpairs of a small symmetric matrix by cyclic Jacobi rotations;
 * returns values sorted descending and the eigenvectors as COLUMNS of (n, n). */
export function jacobiEigen(input: Float64Array, n: number): Eigen {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-30) break;
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
