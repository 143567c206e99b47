/**
 * Information measures of discrete distributions: entropy H(p),
 * cross-entropy H(p, q) and Kullback–Leibler divergence D(p‖q), in bits
 * (log₂, the default) or nats (ln), for one distribution or a batch of rows;
 * and the entropy of a Bernoulli(θ) variable.
 *
 * Conventions: 0·log 0 = 0, so zero-probability outcomes of p contribute
 * nothing. Inputs that are not distributions (a non-finite or negative
 * entry, a sum off 1 by more than `tolerance`, mismatched lengths) are
 * errors (RangeError/TypeError naming the argument and row). A zero in q
 * where p > 0 is not an error: H(p, q) and D(p‖q) are then +Infinity, as in
 * the mathematics (q says that outcome is impossible).
 *
 * Plain TS, not backend methods: these are analysis helpers, not training
 * kernels (the losses the trainer uses live in the backends).
 */
import { Matrix } from '../tensor.js';
import { checkOptions } from '../options.js';

/** Options of the information measures: the unit and the tolerance on row sums. */
export interface InformationOptions {
  /** 'bits' (log₂, default) or 'nats' (natural log). */
  unit?: 'bits' | 'nats';
  /** How far a row's sum may be from 1. Default 1e-5 (float32 softmax rows pass). */
  tolerance?: number;
}

/** One distribution, or a batch: a Matrix or an array of rows (one result per row). */
export type Distributions = ArrayLike<number> | Matrix | ArrayLike<ArrayLike<number>>;

function settings(fn: string, options: InformationOptions | undefined): { scale: number; tolerance: number } {
  checkOptions(fn, 'options', options, ['unit', 'tolerance']);
  const unit = options?.unit ?? 'bits';
  if (unit !== 'bits' && unit !== 'nats') throw new TypeError(`${fn}: options.unit must be 'bits' or 'nats', got ${String(unit)}`);
  const tolerance = options?.tolerance ?? 1e-5;
  if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance < 1)) {
    throw new RangeError(`${fn}: options.tolerance must be a number in [0, 1), got ${String(tolerance)}`);
  }
  return { scale: unit === 'bits' ? 1 / Math.LN2 : 1, tolerance };
}

/** The rows of a single distribution or a batch, and whether it was a batch. */
function rowsOf(fn: string, arg: string, v: Distributions): { rows: ArrayLike<number>[]; batch: boolean } {
  if (v instanceof Matrix) return { rows: Array.from({ length: v.rows }, (_, i) => v.row(i)), batch: true };
  if (Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) {
    return { rows: v as ArrayLike<number>[], batch: true };
  }
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return { rows: [v as ArrayLike<number>], batch: false };
  throw new TypeError(`${fn}: ${arg} must be an array of probabilities, a Matrix or an array of rows`);
}

function checkDistribution(fn: string, arg: string, p: ArrayLike<number>, tolerance: number): void {
  if (p.length === 0) throw new RangeError(`${fn}: ${arg} must have at least one entry`);
  let sum = 0;
  for (let j = 0; j < p.length; j++) {
    const v = p[j]!;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`${fn}: ${arg}[${j}] must be a finite probability ≥ 0, got ${v}`);
    }
    sum += v;
  }
  if (Math.abs(sum - 1) > tolerance) throw new RangeError(`${fn}: ${arg} must sum to 1 (±${tolerance}), sums to ${sum}`);
}

/** Applies f row by row to p (and q), checking each; a number for one distribution, a Float64Array for a batch. */
function measure(
  fn: string,
  p: Distributions,
  q: Distributions | null,
  options: InformationOptions | undefined,
  f: (p: ArrayLike<number>, q: ArrayLike<number> | null) => number,
): number | Float64Array {
  const { scale, tolerance } = settings(fn, options);
  const P = rowsOf(fn, 'p', p);
  const Q = q === null ? null : rowsOf(fn, 'q', q);
  if (Q && (Q.batch !== P.batch || Q.rows.length !== P.rows.length)) {
    throw new RangeError(`${fn}: p and q must both be one distribution or batches of the same number of rows`);
  }
  const out = new Float64Array(P.rows.length);
  P.rows.forEach((pr, i) => {
    const at = P.batch ? `[${i}]` : '';
    checkDistribution(fn, `p${at}`, pr, tolerance);
    const qr = Q ? Q.rows[i]! : null;
    if (qr) {
      checkDistribution(fn, `q${at}`, qr, tolerance);
      if (qr.length !== pr.length) throw new RangeError(`${fn}: p${at} and q${at} must have the same length, got ${pr.length} and ${qr.length}`);
    }
    out[i] = f(pr, qr) * scale;
  });
  return P.batch ? out : out[0]!;
}

// −Σ p log q over p > 0 (0·log q = 0 even where q = 0); +∞ where q = 0 < p.
function crossNats(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let h = 0;
  for (let j = 0; j < p.length; j++) if (p[j]! > 0) h -= p[j]! * Math.log(q[j]!);
  return h;
}

/** H(p) = −Σ p·log p. */
export function entropy(p: ArrayLike<number>, options?: InformationOptions): number;
/** H(p) of each row of a batch, one value per row. */
export function entropy(p: Matrix | ArrayLike<ArrayLike<number>>, options?: InformationOptions): Float64Array;
export function entropy(p: Distributions, options?: InformationOptions): number | Float64Array {
  return measure('entropy', p, null, options, (pr) => crossNats(pr, pr));
}

/** H(p, q) = −Σ p·log q = H(p) + D(p‖q); +Infinity where q = 0 < p. */
export function crossEntropy(p: ArrayLike<number>, q: ArrayLike<number>, options?: InformationOptions): number;
/** H(p, q) of each pair of rows of two batches, one value per row. */
export function crossEntropy(p: Matrix | ArrayLike<ArrayLike<number>>, q: Matrix | ArrayLike<ArrayLike<number>>, options?: InformationOptions): Float64Array;
export function crossEntropy(p: Distributions, q: Distributions, options?: InformationOptions): number | Float64Array {
  return measure('crossEntropy', p, q, options, (pr, qr) => crossNats(pr, qr!));
}

/** D(p‖q) = Σ p·log(p/q) ≥ 0, 0 iff p = q; asymmetric; +Infinity where q = 0 < p.
 * Summed term by term (not as H(p, q) − H(p)) so it is exactly 0 for p = q. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, options?: InformationOptions): number;
/** D(p‖q) of each pair of rows of two batches, one value per row. */
export function klDivergence(p: Matrix | ArrayLike<ArrayLike<number>>, q: Matrix | ArrayLike<ArrayLike<number>>, options?: InformationOptions): Float64Array;
export function klDivergence(p: Distributions, q: Distributions, options?: InformationOptions): number | Float64Array {
  return measure('klDivergence', p, q, options, (pr, qr) => {
    let d = 0;
    for (let j = 0; j < pr.length; j++) if (pr[j]! > 0) d += pr[j]! * Math.log(pr[j]! / qr![j]!);
    // Rounding can leave −1e−17 for p ≈ q; the divergence is never negative.
    return Math.max(0, d);
  });
}

/** H(θ) = −θ·log θ − (1−θ)·log(1−θ) for θ in [0, 1]; 1 bit at θ = ½. */
export function bernoulliEntropy(theta: number, options?: InformationOptions): number {
  if (typeof theta !== 'number' || !(theta >= 0 && theta <= 1)) {
    throw new RangeError(`bernoulliEntropy: theta must be a probability in [0, 1], got ${String(theta)}`);
  }
  const { scale } = settings('bernoulliEntropy', options);
  return crossNats([theta, 1 - theta], [theta, 1 - theta]) * scale;
}
