/**
 * Turns what users pass (Matrix, Float32Array, nested arrays, class indices)
 * into the dense Float32Array rows the backends take, checking shapes and
 * values once, at the API boundary, with errors that name the argument.
 */
import { allocating } from '../sizes.js';
import { allocateMatrix, Matrix } from '../tensor.js';

export type Inputs = Matrix | Float32Array | ArrayLike<ArrayLike<number>>;
/** Class indices, or a one-hot / multi-hot / target matrix. */
export type Targets = Matrix | Float32Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
  | ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Rows of `cols` finite values, as a Matrix (no copy for Matrix/Float32Array input). */
export function toMatrix(fn: string, arg: string, x: unknown, cols: number): Matrix {
  let m: Matrix;
  if (x instanceof Matrix) {
    if (x.cols !== cols) throw new RangeError(`${fn}: ${arg} must have ${cols} columns, got shape (${x.rows}, ${x.cols})`);
    m = x;
  } else if (x instanceof Float32Array) {
    if (x.length % cols !== 0) {
      throw new RangeError(`${fn}: ${arg} has length ${x.length}, not a multiple of ${cols} columns`);
    }
    m = new Matrix(x, x.length / cols, cols);
  } else if (Array.isArray(x) && x.every((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
    (x as ArrayLike<number>[]).forEach((row, i) => {
      if (row.length !== cols) throw new RangeError(`${fn}: ${arg}[${i}] must have ${cols} values, got ${row.length}`);
    });
    m = allocating(fn, `${arg} as floats (${x.length} × ${cols})`, () => Matrix.fromArrays(x as ArrayLike<number>[]));
  } else {
    throw new TypeError(`${fn}: ${arg} must be a Matrix, a Float32Array or an array of rows of ${cols} numbers`);
  }
  checkFiniteValues(fn, arg, m);
  return m;
}

export function checkFiniteValues(fn: string, arg: string, m: Matrix): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new RangeError(`${fn}: ${arg} contains ${d[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
    }
  }
}

const indexArrayTypes = [Int32Array, Uint8Array, Uint16Array, Uint32Array];

/** True when `y` is a flat list of numbers (class indices or scalar targets). */
function isFlatList(y: unknown): y is ArrayLike<number> {
  if (indexArrayTypes.some((T) => y instanceof T)) return true;
  return Array.isArray(y) && y.every((v) => typeof v === 'number');
}

/** Class indices in [0, classes) expanded to one-hot rows (n, classes). */
export function oneHot(fn: string, arg: string, labels: ArrayLike<number>, classes: number): Matrix {
  const m = allocateMatrix(fn, `${arg} one-hot`, labels.length, classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a class index in [0, ${classes - 1}], got ${c}`);
    }
    m.data[i * classes + c] = 1;
  }
  return m;
}

/**
 * Targets as a (n, outputs) matrix. Class indices are accepted where
 * `classes` says how to expand them (binary: a 0/1 column; multiclass: one-hot);
 * with `binaryValues` every target must be 0 or 1 (probabilities are targets
 * of cross-entropy too, so values in [0, 1] are allowed).
 */
export function toTargets(fn: string, arg: string, y: unknown, rows: number, outputs: number,
                          kind: 'values' | 'binary' | 'onehot' | 'multihot'): Matrix {
  let m: Matrix;
  if (isFlatList(y)) {
    if (kind === 'onehot') m = oneHot(fn, arg, y, outputs);
    else if (kind === 'binary') m = binaryColumn(fn, arg, y);
    else if (outputs === 1) m = new Matrix(Float32Array.from(y), y.length, 1);
    else throw new TypeError(`${fn}: ${arg} must be a matrix with ${outputs} columns`);
  } else {
    m = toMatrix(fn, arg, y, outputs);
  }
  if (m.rows !== rows) throw new RangeError(`${fn}: ${arg} has ${m.rows} rows but x has ${rows}`);
  checkFiniteValues(fn, arg, m);
  if (kind !== 'values') {
    const d = m.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < 0 || d[i]! > 1) {
        throw new RangeError(`${fn}: ${arg} must hold probabilities in [0, 1], got ${d[i]} at row ${Math.floor(i / m.cols)}`);
      }
    }
  }
  return m;
}

function binaryColumn(fn: string, arg: string, y: ArrayLike<number>): Matrix {
  const m = Matrix.zeros(y.length, 1);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new RangeError(`${fn}: ${arg}[${i}] must be 0 or 1, got ${v}`);
    m.data[i] = v;
  }
  return m;
}

/** A Matrix or an array of rows, whose width is its own (a bare Float32Array has no shape, so it is refused). */
export function toShapedMatrix(fn: string, arg: string, x: unknown): Matrix {
  if (x instanceof Matrix) return toMatrix(fn, arg, x, x.cols);
  if (Array.isArray(x) && x.length > 0 && (Array.isArray(x[0]) || ArrayBuffer.isView(x[0]))) {
    return toMatrix(fn, arg, x, (x[0] as ArrayLike<number>).length);
  }
  throw new TypeError(`${fn}: ${arg} must be a Matrix or a non-empty array of rows`);
}
