/**
 * Test data with a known principal subspace, and the principal angle between
 * subspaces: shared by the PCA test and the linear-autoencoder test.
 */
import { jacobiEigen } from './eigen-reference.js';
import { Matrix } from '../../src/tensor.js';
import { Rng } from '../../src/rng.js';

/** n points on a known k-dimensional subspace of R^d (orthonormal basis rows), plus small noise. */
export function planted(n: number, d: number, k: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const gauss = () => rng.uniform() + rng.uniform() + rng.uniform() - 1.5;
  const basis = new Float64Array(k * d).map(gauss);
  // Gram–Schmidt so the planted axes are orthonormal.
  orthonormalizeRows(basis, k, d);
  const x = Matrix.zeros(n, d);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const coef = (k - r + 1) * gauss(); // distinct variances per axis
      for (let j = 0; j < d; j++) x.data[i * d + j]! += coef * basis[r * d + j]!;
    }
    for (let j = 0; j < d; j++) x.data[i * d + j]! += noise * gauss() + 3; // offset: PCA must centre
  }
  return { x, basis };
}

/** Cosine of the largest principal angle between the row spaces of two orthonormal (k, d) bases:
 * the smallest singular value of A·Bᵀ, from the eigenvalues of (A·Bᵀ)(A·Bᵀ)ᵀ. */
export function largestAngleCosine(a: ArrayLike<number>, b: ArrayLike<number>, k: number, d: number): number {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += a[i * d + t]! * b[j * d + t]!;
      m[i * k + j] = s;
    }
  const mmt = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += m[i * k + t]! * m[j * k + t]!;
      mmt[i * k + j] = s;
    }
  const { values } = jacobiEigen(mmt, k);
  return Math.sqrt(Math.max(0, values[k - 1]!));
}

/** Gram–Schmidt in place on the k rows of m (k, d). */
export function orthonormalizeRows(m: Float64Array, k: number, d: number): void {
  for (let r = 0; r < k; r++) {
    for (let q = 0; q < r; q++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += m[r * d + j]! * m[q * d + j]!;
      for (let j = 0; j < d; j++) m[r * d + j]! -= dot * m[q * d + j]!;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += m[r * d + j]! ** 2;
    for (let j = 0; j < d; j++) m[r * d + j]! /= Math.sqrt(norm);
  }
}
