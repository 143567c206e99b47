/**
 * TS twin of native/core/tridiagonal_ql.cc: eigenvalues and eigenvectors of
 * a symmetric tridiagonal matrix by the implicit QL method (EISPACK's tql2),
 * its rotations recorded and applied to the eigenvector rows in batches,
 * chunk of columns by chunk, as the native code does; the same operations
 * in the same order, so the same bits.
 */
import { stableHypot } from './householder.js';
import type { SliceClock } from './slice-clock.js';

const BATCH = 1 << 13;
/** Columns per chunk: the rotations of a batch are applied to one chunk at a time. */
const CHUNK = 64;
/** Rotations applied to a chunk between two looks at the clock (the order per column is all that matters). */
const CLOCK_ROTATIONS = 1 << 10;
const MAX_SWEEPS = 60;

class RotationBatch {
  private readonly index = new Uint32Array(BATCH);
  private readonly c = new Float64Array(BATCH);
  private readonly s = new Float64Array(BATCH);
  private count = 0;

  constructor(
    private readonly z: Float64Array,
    private readonly m: number,
    private readonly clock: SliceClock,
  ) {}

  /** Records the rotation of rows i, i+1; true when the batch is full (then flush it). Synchronous: a
   * sweep records hundreds of thousands, and an async call would make a promise for each. */
  add(i: number, c: number, s: number): boolean {
    this.index[this.count] = i;
    this.c[this.count] = c;
    this.s[this.count] = s;
    return ++this.count === BATCH;
  }

  /** Applies the recorded rotations to z, a chunk of columns at a time, and forgets them. False once the clock says stop. */
  async flush(): Promise<boolean> {
    const { z, m, index, c, s, count } = this;
    for (let c0 = 0; c0 < m; c0 += CHUNK) {
      const width = Math.min(CHUNK, m - c0);
      for (let t = 0; t < count; t++) {
        if (t % CLOCK_ROTATIONS === 0 && (await this.clock.tick())) return false;
        const zi = index[t]! * m + c0;
        const zi1 = zi + m;
        const ct = c[t]!;
        const st = s[t]!;
        for (let r = 0; r < width; r++) {
          const h = z[zi1 + r]!;
          z[zi1 + r] = st * z[zi + r]! + ct * h;
          z[zi + r] = ct * z[zi + r]! - st * h;
        }
      }
    }
    this.count = 0;
    return true;
  }
}

/**
 * diag (m): T's diagonal in, its eigenvalues out (unordered); off (m):
 * off[i] = T[i+1][i], off[m−1] = 0, destroyed; z (m, m): the identity in,
 * eigenvector rows out (row i for diag[i]). False once the clock says stop;
 * throws an Error when an eigenvalue takes more than 60 sweeps.
 */
export async function tridiagonalQl(
  diag: Float64Array,
  off: Float64Array,
  z: Float64Array,
  m: number,
  clock: SliceClock,
  progress: (done: number) => void,
): Promise<boolean> {
  const batch = new RotationBatch(z, m, clock);
  const eps = 2 ** -52;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < m; l++) {
    if (await clock.tick()) return false;
    tst1 = Math.max(tst1, Math.abs(diag[l]!) + Math.abs(off[l]!));
    let mm = l;
    while (mm + 1 < m && !(Math.abs(off[mm]!) <= eps * tst1)) mm++;
    if (mm > l) {
      let sweeps = 0;
      do {
        if (++sweeps > MAX_SWEEPS) throw new Error('symmetricEigen: the QL iteration did not converge');
        let g = diag[l]!;
        let p = (diag[l + 1]! - g) / (2.0 * off[l]!);
        let r = stableHypot(p, 1.0);
        if (p < 0) r = -r;
        diag[l] = off[l]! / (p + r);
        diag[l + 1] = off[l]! * (p + r);
        const dl1 = diag[l + 1]!;
        let h = g - diag[l]!;
        for (let i = l + 2; i < m; i++) diag[i] = diag[i]! - h;
        f = f + h;
        p = diag[mm]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        let s = 0;
        let s2 = 0;
        const el1 = off[l + 1]!;
        for (let i = mm - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * off[i]!;
          h = c * p;
          r = stableHypot(p, off[i]!);
          off[i + 1] = s * r;
          s = off[i]! / r;
          c = p / r;
          p = c * diag[i]! - s * g;
          diag[i + 1] = h + s * (c * g + s * diag[i]!);
          if (batch.add(i, c, s) && !(await batch.flush())) return false;
        }
        p = (-s * s2 * c3 * el1 * off[l]!) / dl1;
        off[l] = s * p;
        diag[l] = c * p;
      } while (Math.abs(off[l]!) > eps * tst1);
    }
    diag[l] = diag[l]! + f;
    off[l] = 0;
    progress(l + 1);
  }
  return batch.flush();
}
