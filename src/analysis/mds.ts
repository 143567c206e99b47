/**
 * Classical (Torgerson) multidimensional scaling: the configuration whose
 * Euclidean distances best match the given ones in the least-squares sense of
 * the double-centred Gram matrix B = −½·J·D²·J (J = I − 11ᵀ/n). Its top
 * eigenpairs give coordinates V·√λ. The reference for the learned Sammon map,
 * which, unlike MDS, can place points it was not fitted on.
 *
 * For Euclidean distances between the rows of x, B = Xc·Xcᵀ (Xc: x with its
 * column means subtracted), whose nonzero eigenvalues are those of the
 * d × d Xcᵀ·Xc, with coordinates Xc·v. So whichever of the two is smaller
 * is decomposed (spectral.ts): n × n for a few points in many dimensions,
 * d × d (then projected) for many points in few.
 */
import { getBackend } from '../backend/select.js';
import { checkAllocation } from '../sizes.js';
import { Matrix } from '../tensor.js';
import { shapedMatrix } from '../inputs.js';
import { centredSpectrum, spectralOptions, type SpectralOptions, type Spectrum } from './spectral.js';

/** Multiply-adds of the projection between two looks at the clock (about a millisecond on the TS backend). */
const PROJECT_WORK = 1 << 18;
/** The longest stretch of projection between two yields to the event loop. */
const SLICE_MS = 8;

/**
 * Embeds the rows of x (n, d) in `dims` dimensions (default 2), 1 ≤ dims ≤ n;
 * dimensions beyond the rank of the centred x are zero. Each column is
 * signed so its largest-magnitude coordinate is positive. Never blocks the
 * event loop; options as PCA.fit's.
 */
export async function classicalMds(x: Matrix | ArrayLike<number>[], dims = 2, options: SpectralOptions = {}): Promise<Matrix> {
  const fn = 'classicalMds';
  const opts = spectralOptions(fn, options);
  const xs = shapedMatrix(fn, 'x', x);
  const { rows: n, cols: d } = xs;
  if (n < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${n}`);
  if (!Number.isInteger(dims) || dims < 1 || dims > n) throw new RangeError(`${fn}: dims must be an integer in [1, ${n}], got ${dims}`);
  const byRows = n < d;
  const side = Math.min(n, d);
  // The side × side Gram matrix in float32, and the solver's float64 copy and eigenvector matrix.
  checkAllocation(fn, `the shorter side of x squared (${side} × ${side} Gram matrix)`, side * side, 20);
  checkAllocation(fn, `dims coordinates for each row of x (${n} × ${dims})`, n * dims, 4);
  const k = Math.min(dims, side);
  const spectrum = await centredSpectrum(fn, xs, k, byRows, 1, 'the Gram matrix', opts);
  const out = Matrix.zeros(n, dims);
  if (byRows) {
    for (let c = 0; c < k; c++) {
      // A negative eigenvalue means the distances are not Euclidean in that direction: no extent.
      const scale = Math.sqrt(Math.max(0, spectrum.values[c]!));
      for (let i = 0; i < n; i++) out.data[i * dims + c] = spectrum.vectors[c * n + i]! * scale;
    }
  } else {
    await project(out, spectrum, n, d, k, opts.signal);
  }
  return out;
}

/** out's first k columns ← Xc·Vᵀ, a slice of rows at a time, each column then signed as the eigenvectors are. */
async function project(out: Matrix, { data, mean, vectors }: Spectrum, n: number, d: number, k: number, signal: AbortSignal | undefined): Promise<void> {
  const backend = getBackend();
  const dims = out.cols;
  const step = Math.max(1, Math.floor(PROJECT_WORK / (d * k)));
  const centred = new Float32Array(step * d);
  const coords = new Float32Array(step * k);
  let sliceStart = performance.now();
  for (let r0 = 0; r0 < n; r0 += step) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
    const rows = Math.min(step, n - r0);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) centred[i * d + j] = data[(r0 + i) * d + j]! - mean[j]!;
    }
    backend.gemm(coords.subarray(0, rows * k), centred.subarray(0, rows * d), vectors, rows, k, d, false, true, 1, 0);
    for (let i = 0; i < rows; i++) out.data.set(coords.subarray(i * k, (i + 1) * k), (r0 + i) * dims);
  }
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let i = 1; i < n; i++) if (Math.abs(out.data[i * dims + c]!) > Math.abs(out.data[big * dims + c]!)) big = i;
    if (out.data[big * dims + c]! < 0) for (let i = 0; i < n; i++) out.data[i * dims + c] = -out.data[i * dims + c]!;
  }
}
