/**
 * What PCA and classical MDS share: the leading eigenpairs of the centred
 * data multiplied by itself (PCA: the covariance Xcᵀ·Xc/(n − 1); MDS: the
 * Gram matrix Xc·Xcᵀ, or Xcᵀ·Xc when that is smaller), computed without
 * blocking the event loop. x is staged for the backend and its values
 * checked off the JS thread, then the product and the eigen-solve run as
 * backend jobs (Backend.centredGram, Backend.symmetricEigen).
 */
import { getBackend } from '../backend/select.js';
import type { KernelProgress } from '../backend/backend.js';
import { checkOptions } from '../options.js';
import { allocating, asFailureOf } from '../sizes.js';
import { sharedFloat32 } from '../shared-memory.js';
import type { Matrix } from '../tensor.js';
import { checkValuesOffThread } from '../inputs.js';

/** What PCA.fit and classicalMds report as they run. */
export interface SpectralProgress {
  /** 'gram': the covariance (PCA) or Gram matrix (MDS) being summed, `done` of `total` rows (or columns) of x;
   * 'eigen': the eigen-solver, `done` of `total` steps. */
  stage: 'gram' | 'eigen';
  /** Units of the stage done. */
  done: number;
  /** Units of the stage in all. */
  total: number;
}

/** Options of PCA.fit and classicalMds: progress reports and stopping. */
export interface SpectralOptions {
  /** Called as the work advances; reports may be coalesced, and none comes after an abort. */
  onProgress?: (p: SpectralProgress) => void;
  /** Stops the work; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** options checked key by key. */
export function spectralOptions(fn: string, options: unknown): SpectralOptions {
  checkOptions(fn, 'options', options, ['onProgress', 'signal']);
  const { onProgress, signal } = (options ?? {}) as SpectralOptions;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`${fn}: options.onProgress must be a function`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${fn}: options.signal must be an AbortSignal`);
  return { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
}

export interface Spectrum {
  /** Column means of x (d). */
  mean: Float32Array;
  /** The k largest eigenvalues, largest first. */
  values: Float64Array;
  /** Their unit eigenvectors as rows (k, side), each with its largest-magnitude entry positive. */
  vectors: Float32Array;
  /** x's values as the backend reads them (trainingData). */
  data: Float32Array;
}

/**
 * The k largest eigenpairs of alpha·Xcᵀ·Xc (d × d), or with `rows` of
 * alpha·Xc·Xcᵀ (n × n), Xc = x centred. A non-finite value in x is an
 * error naming its row and column; a product that overflows float32 names
 * `what`. Rejects with the signal's reason when it aborts.
 */
export async function centredSpectrum(
  fn: string,
  x: Matrix,
  k: number,
  rows: boolean,
  alpha: number,
  what: string,
  options: SpectralOptions,
): Promise<Spectrum> {
  try {
    return await spectrum(fn, x, k, rows, alpha, what, options);
  } catch (err) {
    // A backend job's out-of-memory failure ("centredGram: …") is the caller's.
    throw asFailureOf(fn, err);
  }
}

async function spectrum(fn: string, x: Matrix, k: number, rows: boolean, alpha: number, what: string, options: SpectralOptions): Promise<Spectrum> {
  const { onProgress, signal } = options;
  const backend = getBackend();
  signal?.throwIfAborted();
  const data = await backend.trainingData(x.data, fn, 'x', signal);
  await checkValuesOffThread(fn, 'x', { m: x, range: null }, data, backend, signal);
  const side = rows ? x.rows : x.cols;
  // Shared, so that the native eigen job reads it in place rather than copying it.
  const gram = allocating(fn, `${what} of x (${side} × ${side} floats)`, () => sharedFloat32(side * side));
  const mean = new Float32Array(x.cols);
  const report = (stage: SpectralProgress['stage']) => (onProgress ? (p: KernelProgress) => onProgress({ stage, ...p }) : null);
  await backend.centredGram(gram, mean, data, x.rows, x.cols, rows, alpha, report('gram'), signal);
  signal?.throwIfAborted();
  const bad = await backend.firstOutside(gram, -Number.MAX_VALUE, Number.MAX_VALUE, signal);
  signal?.throwIfAborted();
  if (bad >= 0) {
    throw new RangeError(`${fn}: ${what} of x overflows float32 (${gram[bad]} at row ${Math.floor(bad / side)}, ` + `column ${bad % side}); scale x down`);
  }
  const values = new Float64Array(k);
  const vectors = new Float32Array(k * side);
  await backend.symmetricEigen(values, vectors, gram, side, k, report('eigen'), signal);
  signal?.throwIfAborted();
  return { mean, values, vectors, data };
}
