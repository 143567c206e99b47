/**
 * TS twin of native/core/householder.cc: Householder reduction of a
 * symmetric matrix to tridiagonal form, T = Qᵀ·A·Q, and Q applied to
 * vectors. The same float64 operations in the same order as the native
 * code and its ISA loops (isa_eigen.inc), so both give the same bits; run
 * in slices with the event loop turning between them.
 */
import type { SliceClock } from './slice-clock.js';

/** Matrix elements updated between two looks at the clock: well under a millisecond once compiled, and not
 * much over ten before the JIT has compiled the loop. */
const CLOCK_ELEMENTS = 1 << 14;

/** √(a² + b²) without overflow or underflow of the squares, as native's stable_hypot computes it. */
export function stableHypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

// x (t, at a[o..]) becomes the reflector v with v[0] = 1 and H·x = (beta, 0, …, 0); returns [tau, beta] (tau 0: x left).
function makeReflector(a: Float64Array, o: number, t: number): [number, number] {
  let tail = 0;
  for (let j = 1; j < t; j++) tail = tail + a[o + j]! * a[o + j]!;
  const alpha = a[o]!;
  if (tail === 0) return [0, alpha];
  const norm = stableHypot(alpha, Math.sqrt(tail));
  const b = alpha >= 0 ? -norm : norm;
  const scale = 1 / (alpha - b);
  for (let j = 1; j < t; j++) a[o + j] = a[o + j]! * scale;
  a[o] = 1;
  return [(b - alpha) / b, b];
}

// row (n, at r) ← row − (vi·w + wi·v), w and v read from wo and vo; then, when p is given, p ← p + pa·row.
function rank2(
  a: Float64Array,
  r: number,
  vi: number,
  w: Float64Array,
  wo: number,
  wi: number,
  vo: number,
  n: number,
  p: Float64Array | null,
  pa: number,
): void {
  for (let j = 0; j < n; j++) {
    const x = a[r + j]! - (vi * w[wo + j]! + wi * a[vo + j]!);
    a[r + j] = x;
    if (p) p[j] = p[j]! + pa * x;
  }
}

/**
 * a (m, m), symmetric with both triangles stored, reduced in place: row s
 * keeps reflector v_s in columns s+1..m−1, tau[s] its factor; diag and off
 * get T's diagonal and subdiagonal (off[m−1] = 0). Each step applies the
 * previous step's rank-2 update and forms A·v in one pass over the trailing
 * rows. False once the clock says stop.
 */
export async function tridiagonalise(
  a: Float64Array,
  m: number,
  diag: Float64Array,
  off: Float64Array,
  tau: Float64Array,
  clock: SliceClock,
  progress: (done: number) => void,
): Promise<boolean> {
  off.fill(0);
  tau.fill(0);
  const buffers = [new Float64Array(m), new Float64Array(m)];
  let vPrev = -1; // offset in a of the pending update's v (coordinates s..m−1), −1: none
  let wPrev: Float64Array = buffers[1]!;
  const steps = Math.max(0, m - 2);
  for (let s = 0; s < steps; s++) {
    if (await clock.tick()) return false;
    const t = m - s - 1;
    const row = s * m;
    if (vPrev >= 0) rank2(a, row + s, a[vPrev]!, wPrev, 0, wPrev[0]!, vPrev, t + 1, null, 0);
    diag[s] = a[row + s]!;
    const v = row + s + 1;
    const [ts, beta] = makeReflector(a, v, t);
    tau[s] = ts;
    off[s] = beta;
    const p = buffers[s % 2]!.subarray(0, t).fill(0);
    const rowsPerTick = Math.max(1, Math.floor(CLOCK_ELEMENTS / t));
    if (vPrev >= 0 || ts !== 0) {
      for (let i = 0; i < t; i++) {
        if (i > 0 && i % rowsPerTick === 0 && (await clock.tick())) return false;
        const ri = (s + 1 + i) * m + s + 1;
        if (vPrev >= 0) rank2(a, ri, a[vPrev + i + 1]!, wPrev, 1, wPrev[i + 1]!, vPrev + 1, t, ts !== 0 ? p : null, a[v + i]!);
        else {
          const vi = a[v + i]!;
          for (let j = 0; j < t; j++) p[j] = p[j]! + vi * a[ri + j]!;
        }
      }
    }
    if (ts !== 0) {
      // w = tau·A·v − ½·tau²·(vᵀA·v)·v, so that H·A·H = A − v·wᵀ − w·vᵀ.
      let dot = 0;
      for (let j = 0; j < t; j++) {
        p[j] = ts * p[j]!;
        dot = dot + p[j]! * a[v + j]!;
      }
      const k = -0.5 * ts * dot;
      for (let j = 0; j < t; j++) p[j] = p[j]! + k * a[v + j]!;
      vPrev = v;
      wPrev = p;
    } else {
      vPrev = -1;
    }
    progress(s + 1);
  }
  if (m >= 2) {
    // The last 2 × 2 block: its pending update, then T's last entries.
    const s = m - 2;
    if (vPrev >= 0) {
      rank2(a, s * m + s, a[vPrev]!, wPrev, 0, wPrev[0]!, vPrev, 2, null, 0);
      rank2(a, (s + 1) * m + s, a[vPrev + 1]!, wPrev, 0, wPrev[1]!, vPrev, 2, null, 0);
    }
    diag[s] = a[s * m + s]!;
    diag[s + 1] = a[(s + 1) * m + s + 1]!;
    off[s] = a[(s + 1) * m + s]!;
  } else if (m === 1) {
    diag[0] = a[0]!;
  }
  return true;
}

/** y (m, at y[yo..]) ← Q·y with the reflectors tridiagonalise left in a and tau. False once the clock says stop. */
export async function applyReflectors(y: Float64Array, yo: number, a: Float64Array, tau: Float64Array, m: number, clock: SliceClock): Promise<boolean> {
  let work = 0;
  for (let s = Math.max(0, m - 2) - 1; s >= 0; s--) {
    if (tau[s] === 0) continue;
    const t = m - s - 1;
    if ((work += t) >= CLOCK_ELEMENTS) {
      work = 0;
      if (await clock.tick()) return false;
    }
    const v = s * m + s + 1;
    const ys = yo + s + 1;
    let dot = 0;
    for (let j = 0; j < t; j++) dot = dot + a[v + j]! * y[ys + j]!;
    const f = -(tau[s]! * dot);
    for (let j = 0; j < t; j++) y[ys + j] = y[ys + j]! + f * a[v + j]!;
  }
  return true;
}
