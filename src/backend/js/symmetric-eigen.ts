/**
 * TS twin of native/core/symmetric_eigen.cc: the k largest eigenpairs of a
 * symmetric matrix by Householder tridiagonalisation, implicit QL and the
 * reflectors applied back, in float64, with the same sign convention and
 * order; the same operations as the native job, so the same bits, run in
 * slices with the event loop turning between them.
 */
import { applyReflectors, tridiagonalise } from './householder.js';
import { SliceClock, type KernelProgressFn } from './slice-clock.js';
import { tridiagonalQl } from './tridiagonal-ql.js';

/** Backend.symmetricEigen after its checks: true when done, false once `stopped()`. */
export async function symmetricEigen(
  values: Float64Array,
  vectors: Float32Array,
  a: Float32Array,
  m: number,
  k: number,
  onProgress: KernelProgressFn,
  stopped: () => boolean,
): Promise<boolean> {
  if (k === 0) return true;
  const clock = new SliceClock(stopped);
  const full = await symmetricCopy(a, m, clock);
  if (!full) return false;
  const diag = new Float64Array(m);
  const off = new Float64Array(m);
  const tau = new Float64Array(m);
  const steps = Math.max(0, m - 2);
  const total = steps + m + k;
  const report = (done: number) => onProgress?.({ done, total });
  if (!(await tridiagonalise(full, m, diag, off, tau, clock, report))) return false;
  const z = new Float64Array(m * m);
  for (let i = 0; i < m; i++) z[i * m + i] = 1;
  if (!(await tridiagonalQl(diag, off, z, m, clock, (done) => report(steps + done)))) return false;
  // Largest first; equal eigenvalues keep QL's order.
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => diag[y]! - diag[x]! || x - y);
  for (let c = 0; c < k; c++) {
    const y = order[c]! * m;
    if (!(await applyReflectors(z, y, full, tau, m, clock))) return false;
    signedCopy(vectors, c * m, z, y, m);
    values[c] = diag[order[c]!]!;
  }
  report(total);
  return true;
}

// a's lower triangle as a full symmetric float64 matrix; a RangeError names its first non-finite entry, row by row.
async function symmetricCopy(a: Float32Array, m: number, clock: SliceClock): Promise<Float64Array | null> {
  const full = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    if (await clock.tick()) return null;
    for (let j = 0; j <= i; j++) {
      const v = a[i * m + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`symmetricEigen: a contains ${v} at row ${i}, column ${j}`);
      full[i * m + j] = v;
      full[j * m + i] = v;
    }
  }
  return full;
}

// out (m, at o) ← y (at yo) as float32, negated if its largest-magnitude entry (the first of equals) is negative.
function signedCopy(out: Float32Array, o: number, y: Float64Array, yo: number, m: number): void {
  let big = 0;
  for (let j = 1; j < m; j++) if (Math.abs(y[yo + j]!) > Math.abs(y[yo + big]!)) big = j;
  const sign = m > 0 && y[yo + big]! < 0 ? -1 : 1;
  for (let j = 0; j < m; j++) out[o + j] = sign * y[yo + j]!;
}
