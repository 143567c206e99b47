/**
 * Principal component analysis: the top-k eigenvectors of the covariance
 * matrix. The O(n·d²) covariance product runs on the active backend's GEMM
 * (native or TS); the d×d eigenproblem is solved in float64 (eigen.ts).
 * A linear autoencoder with k code units learns the same subspace.
 */
import { getBackend } from '../backend/select.js';
import { allocate, allocating, checkAllocation } from '../sizes.js';
import { topEigen } from './eigen.js';
import { allocateMatrix, Matrix } from '../tensor.js';
import { toMatrix, toShapedMatrix, type Inputs } from '../nn/data.js';

export class PCA {
  /** Column means of the training data (d). */
  readonly mean: Float32Array;
  /** Principal axes as rows (k, d), unit length, by decreasing variance. */
  readonly components: Matrix;
  /** Variance along each axis (k). */
  readonly explainedVariance: Float64Array;

  private constructor(mean: Float32Array, components: Matrix, explainedVariance: Float64Array) {
    this.mean = mean;
    this.components = components;
    this.explainedVariance = explainedVariance;
  }

  /** Fits k components to x (n, d); needs n ≥ 2 and 1 ≤ k ≤ d. */
  static fit(x: Matrix | ArrayLike<number>[], k: number): PCA {
    const fn = 'PCA.fit';
    const xs = toShapedMatrix(fn, 'x', x);
    const d = xs.cols;
    if (xs.rows < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${xs.rows}`);
    if (!Number.isInteger(k) || k < 1 || k > d) throw new RangeError(`${fn}: k must be an integer in [1, ${d}], got ${k}`);
    // The d × d covariance, in float32 then float64.
    checkAllocation(fn, `the columns of x squared (${d} × ${d} covariance)`, d * d, 12);
    const mean = columnMeans(xs);
    const centred = centre(fn, xs, mean);
    const cov = allocate(fn, 'the covariance', Float32Array, d, d);
    // cov (d,d) = centredᵀ (d,n) · centred (n,d) / (n − 1)
    getBackend().gemm(cov, centred.data, centred.data, d, d, xs.rows, true, false, 1 / (xs.rows - 1), 0);
    const cov64 = allocate(fn, 'the covariance in float64', Float64Array, d, d);
    cov64.set(cov);
    const { values, vectors } = allocating(fn, "the eigensolver's vectors", () => topEigen(cov64, d, k));
    return new PCA(mean, new Matrix(Float32Array.from(vectors), k, d), values);
  }

  get inputs(): number {
    return this.components.cols;
  }

  get k(): number {
    return this.components.rows;
  }

  /** Codes (n, k): coordinates of the centred rows on the principal axes. */
  transform(x: Inputs): Matrix {
    const xs = toMatrix('PCA.transform', 'x', x, this.inputs);
    const centred = centre('PCA.transform', xs, this.mean);
    const out = Matrix.zeros(xs.rows, this.k);
    getBackend().gemm(out.data, centred.data, this.components.data, xs.rows, this.k, this.inputs, false, true, 1, 0);
    return out;
  }

  /** Rows (n, d) reconstructed from codes (n, k). */
  inverseTransform(codes: Inputs): Matrix {
    const fn = 'PCA.inverseTransform';
    const cs = toMatrix(fn, 'codes', codes, this.k);
    const out = allocateMatrix(fn, 'the reconstructed rows', cs.rows, this.inputs);
    getBackend().gemm(out.data, cs.data, this.components.data, cs.rows, this.inputs, this.k, false, false, 1, 0);
    for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! + this.mean[i % this.inputs]!;
    return out;
  }

  /** Mean squared reconstruction error per value, on x (n, d). */
  reconstructionError(x: Inputs): number {
    const xs = toMatrix('PCA.reconstructionError', 'x', x, this.inputs);
    const back = this.inverseTransform(this.transform(xs));
    let se = 0;
    for (let i = 0; i < xs.data.length; i++) se += (xs.data[i]! - back.data[i]!) ** 2;
    return se / xs.data.length;
  }
}

function columnMeans(x: Matrix): Float32Array {
  const sums = new Float64Array(x.cols);
  for (let i = 0; i < x.data.length; i++) sums[i % x.cols] += x.data[i]!;
  return Float32Array.from(sums, (s) => s / x.rows);
}

function centre(fn: string, x: Matrix, mean: Float32Array): Matrix {
  const out = allocateMatrix(fn, 'x centred', x.rows, x.cols);
  for (let i = 0; i < x.data.length; i++) out.data[i] = x.data[i]! - mean[i % x.cols]!;
  return out;
}
