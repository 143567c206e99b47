/**
 * Principal component analysis: the top-k eigenvectors of the covariance
 * matrix. The covariance is one product of the centred data with itself
 * (Backend.centredGram: the backend's GEMM, natively on a job's thread over
 * the pool) and its eigenvectors come from a full symmetric eigen-solver in
 * float64 (Backend.symmetricEigen), both off the event loop (spectral.ts).
 * A linear autoencoder with k code units learns the same subspace.
 */
import { getBackend } from '../backend/select.js';
import { checkAllocation } from '../sizes.js';
import { Matrix } from '../tensor.js';
import { shapedMatrix, toMatrix, type Inputs } from '../inputs.js';
import { centredSpectrum, spectralOptions, type SpectralOptions } from './spectral.js';

/** Principal component analysis: fits the k main axes of a data set, then maps rows to codes and back. */
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

  /**
   * Fits k components to x (n, d); needs n ≥ 2 and 1 ≤ k ≤ d. Never blocks
   * the event loop; `signal` stops it (the promise then rejects with the
   * signal's reason), `onProgress` follows it.
   */
  static async fit(x: Matrix | ArrayLike<number>[], k: number, options: SpectralOptions = {}): Promise<PCA> {
    const fn = 'PCA.fit';
    const opts = spectralOptions(fn, options);
    const xs = shapedMatrix(fn, 'x', x);
    const d = xs.cols;
    if (xs.rows < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${xs.rows}`);
    if (!Number.isInteger(k) || k < 1 || k > d) throw new RangeError(`${fn}: k must be an integer in [1, ${d}], got ${k}`);
    // The d × d covariance in float32, and the solver's float64 copy and eigenvector matrix.
    checkAllocation(fn, `the columns of x squared (${d} × ${d} covariance)`, d * d, 20);
    const { mean, values, vectors } = await centredSpectrum(fn, xs, k, false, 1 / (xs.rows - 1), 'the covariance', opts);
    return new PCA(mean, new Matrix(vectors, k, d), values);
  }

  /** Width of the rows it maps (d). */
  get inputs(): number {
    return this.components.cols;
  }

  /** Number of components (k). */
  get k(): number {
    return this.components.rows;
  }

  /** Codes (n, k): coordinates of the centred rows on the principal axes. */
  transform(x: Inputs): Matrix {
    const xs = toMatrix('PCA.transform', 'x', x, this.inputs);
    const centred = centre(xs, this.mean);
    const out = Matrix.zeros(xs.rows, this.k);
    getBackend().gemm(out.data, centred.data, this.components.data, xs.rows, this.k, this.inputs, false, true, 1, 0);
    return out;
  }

  /** Rows (n, d) reconstructed from codes (n, k). */
  inverseTransform(codes: Inputs): Matrix {
    const cs = toMatrix('PCA.inverseTransform', 'codes', codes, this.k);
    const out = Matrix.zeros(cs.rows, this.inputs);
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

function centre(x: Matrix, mean: Float32Array): Matrix {
  const out = Matrix.zeros(x.rows, x.cols);
  for (let i = 0; i < x.data.length; i++) out.data[i] = x.data[i]! - mean[i % x.cols]!;
  return out;
}
