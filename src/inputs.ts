/**
 * Turns what users pass (Matrix, Float32Array, nested arrays, class indices)
 * into the dense Float32Array rows the backends take, checking shapes and
 * values once, at the API boundary, with errors that name the argument.
 *
 * Shapes are checked at once; values (finite, and in the range a loss needs)
 * by checkValues, or by checkValuesOffThread where the data is a whole
 * training set, so the event loop never waits on the pass over it.
 */
import type { Backend } from './backend/backend.js';
import { allocating } from './sizes.js';
import { Matrix } from './tensor.js';

/** Input rows: a Matrix, a Float32Array of rows laid end to end, or an array of rows. */
export type Inputs = Matrix | Float32Array | ArrayLike<ArrayLike<number>>;
/** Class indices, or a one-hot / multi-hot / target matrix. */
export type Targets = Matrix | Float32Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** The values a loss needs beyond finite ones: a closed range, and how a message says it. */
export interface ValueRange {
  min: number;
  max: number;
  /** Completes "<arg> must hold …", e.g. 'probabilities in [0, 1]'. */
  what: string;
}

/** A shaped matrix whose values are still to be checked against `range` (null: any finite value). */
export interface Unchecked {
  m: Matrix;
  range: ValueRange | null;
}

/** Rows of `cols` finite values, as a Matrix (no copy for Matrix/Float32Array input). */
export function toMatrix(fn: string, arg: string, x: unknown, cols: number): Matrix {
  const m = shapeMatrix(fn, arg, x, cols);
  checkValues(fn, arg, { m, range: null });
  return m;
}

/** Rows of `cols` values, shape checked, values not yet (no copy for Matrix/Float32Array input). */
export function shapeMatrix(fn: string, arg: string, x: unknown, cols: number): Matrix {
  if (x instanceof Matrix) {
    if (x.cols !== cols) throw new RangeError(`${fn}: ${arg} must have ${cols} columns, got shape (${x.rows}, ${x.cols})`);
    return x;
  }
  if (x instanceof Float32Array) {
    if (x.length % cols !== 0) {
      throw new RangeError(`${fn}: ${arg} has length ${x.length}, not a multiple of ${cols} columns`);
    }
    return new Matrix(x, x.length / cols, cols);
  }
  if (Array.isArray(x) && x.every((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
    (x as ArrayLike<number>[]).forEach((row, i) => {
      if (row.length !== cols) throw new RangeError(`${fn}: ${arg}[${i}] must have ${cols} values, got ${row.length}`);
    });
    return allocating(fn, `${arg} as floats (${x.length} × ${cols})`, () => Matrix.fromArrays(x as ArrayLike<number>[]));
  }
  throw new TypeError(`${fn}: ${arg} must be a Matrix, a Float32Array or an array of rows of ${cols} numbers`);
}

// Bounds that every finite float32 lies within and ±Infinity and NaN fail.
const FINITE: ValueRange = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE, what: 'finite values' };

/** Throws the error for the first value of u.m that is not finite or outside u.range. */
export function checkValues(fn: string, arg: string, u: Unchecked): void {
  const d = u.m.data;
  const range = u.range ?? FINITE;
  const i = firstOutside(d, range, 0, d.length);
  if (i >= 0) throw valueError(fn, arg, u.m, i, range);
}

/**
 * Values a set may have for checkValuesOffThread to scan it on the JS thread
 * instead: starting and joining the native scan's thread (or slicing the TS
 * one) costs more than scanning this many (~20 µs once compiled), and a
 * small fit (XOR's four rows) would wait for it twice.
 */
const SCAN_ON_CALLER = 1 << 14;

/**
 * checkValues for a whole training set, as the backend scans it: off the JS
 * thread, or in slices (Backend.firstOutside), unless it is small. `data`
 * holds u.m's values as the backend reads them (trainingData). Stops with
 * the signal's reason.
 */
export async function checkValuesOffThread(fn: string, arg: string, u: Unchecked, data: Float32Array, backend: Backend, signal?: AbortSignal): Promise<void> {
  const range = u.range ?? FINITE;
  const i = data.length < SCAN_ON_CALLER ? firstOutside(data, range, 0, data.length) : await backend.firstOutside(data, range.min, range.max, signal);
  signal?.throwIfAborted();
  if (i >= 0) throw valueError(fn, arg, u.m, i, range);
}

// The first index in [from, to) whose value is not in [min, max]; NaN fails both comparisons.
function firstOutside(d: Float32Array, range: ValueRange, from: number, to: number): number {
  const { min, max } = range;
  for (let i = from; i < to; i++) {
    const v = d[i]!;
    if (!(v >= min && v <= max)) return i;
  }
  return -1;
}

// A non-finite value anywhere is reported before a finite one out of range,
// so NaN in the data is named as such wherever it lies.
function valueError(fn: string, arg: string, m: Matrix, i: number, range: ValueRange): RangeError {
  const d = m.data;
  const bad = Number.isFinite(d[i]) ? firstOutside(d, FINITE, 0, d.length) : i;
  if (bad >= 0) return new RangeError(`${fn}: ${arg} contains ${d[bad]} at row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}`);
  return new RangeError(`${fn}: ${arg} must hold ${range.what}, got ${d[i]} at row ${Math.floor(i / m.cols)}`);
}

const indexArrayTypes = [Int32Array, Uint8Array, Uint16Array, Uint32Array];

/** True when `y` is a flat list of numbers (class indices or scalar targets). */
function isFlatList(y: unknown): y is ArrayLike<number> {
  if (indexArrayTypes.some((T) => y instanceof T)) return true;
  return Array.isArray(y) && y.every((v) => typeof v === 'number');
}

/** Class indices in [0, classes) expanded to one-hot rows (n, classes). */
function oneHot(fn: string, arg: string, labels: ArrayLike<number>, classes: number): Matrix {
  const m = allocating(fn, `${arg} one-hot (${labels.length} × ${classes})`, () => Matrix.shared(labels.length, classes));
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a class index in [0, ${classes - 1}], got ${c}`);
    }
    m.data[i * classes + c] = 1;
  }
  return m;
}

/** Where cross-entropy targets must lie: probabilities are targets too, not only 0 and 1. */
export const PROBABILITIES: ValueRange = { min: 0, max: 1, what: 'probabilities in [0, 1]' };

/**
 * Targets as a (n, outputs) matrix, values still to check. Class indices
 * are accepted where `kind` says how to expand them (binary: a 0/1 column;
 * multiclass: one-hot); every kind but 'values' holds probabilities.
 */
export function targetMatrix(fn: string, arg: string, y: unknown, rows: number, outputs: number, kind: 'values' | 'binary' | 'onehot' | 'multihot'): Unchecked {
  let m: Matrix;
  if (isFlatList(y)) {
    if (kind === 'onehot') m = oneHot(fn, arg, y, outputs);
    else if (kind === 'binary') m = binaryColumn(fn, arg, y);
    else if (outputs === 1) {
      m = Matrix.shared(y.length, 1);
      m.data.set(y);
    } else throw new TypeError(`${fn}: ${arg} must be a matrix with ${outputs} columns`);
  } else {
    m = shapeMatrix(fn, arg, y, outputs);
  }
  if (m.rows !== rows) throw new RangeError(`${fn}: ${arg} has ${m.rows} rows but x has ${rows}`);
  return { m, range: kind === 'values' ? null : PROBABILITIES };
}

function binaryColumn(fn: string, arg: string, y: ArrayLike<number>): Matrix {
  const m = Matrix.shared(y.length, 1);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new RangeError(`${fn}: ${arg}[${i}] must be 0 or 1, got ${v}`);
    m.data[i] = v;
  }
  return m;
}

/** A Matrix or an array of rows, whose width is its own (a bare Float32Array has no shape, so it is refused);
 * shape checked, values not yet (checkValuesOffThread). */
export function shapedMatrix(fn: string, arg: string, x: unknown): Matrix {
  if (x instanceof Matrix) return x;
  if (Array.isArray(x) && x.length > 0 && (Array.isArray(x[0]) || ArrayBuffer.isView(x[0]))) {
    return shapeMatrix(fn, arg, x, (x[0] as ArrayLike<number>).length);
  }
  throw new TypeError(`${fn}: ${arg} must be a Matrix or a non-empty array of rows`);
}
