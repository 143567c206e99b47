import { sharedFloat32 } from './shared-memory.js';

/**
 * Matrix: a row-major Float32Array with its shape. fastnn never stores
 * numbers in nested JS arrays; this is the one container the API exchanges.
 *
 * Matrices that fastnn makes for data (Matrix.shared, fromArrays, the IDX
 * readers, the built-in datasets) live on a SharedArrayBuffer: a buffer that
 * cannot be detached, so a native fit reads it where it lies, with no copy.
 */
import { allocate } from './sizes.js';

/** A row-major Float32Array with its shape: the container the API takes and returns. */
export class Matrix {
  /** The values, row after row. */
  readonly data: Float32Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;

  /** Wraps `data` (no copy); its length must be exactly rows × cols. */
  constructor(data: Float32Array, rows: number, cols: number) {
    if (!(data instanceof Float32Array)) throw new TypeError('Matrix: data must be a Float32Array');
    for (const [name, v] of [
      ['rows', rows],
      ['cols', cols],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Matrix: ${name} must be a non-negative integer, got ${v}`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(`Matrix: data must have length ${rows * cols} for shape (${rows}, ${cols}), got ${data.length}`);
    }
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  /** A new matrix of zeros. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(new Float32Array(rows * cols), rows, cols);
  }

  /** Zeros on a SharedArrayBuffer: fill it with training data and a native fit reads it in place. */
  static shared(rows: number, cols: number): Matrix {
    return new Matrix(sharedFloat32(rows * cols), rows, cols);
  }

  /** Copies nested arrays (every row the same length) into a new shared Matrix. */
  static fromArrays(rows: ArrayLike<ArrayLike<number>>): Matrix {
    const cols = rows.length > 0 ? rows[0]!.length : 0;
    const m = Matrix.shared(rows.length, cols);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row.length !== cols) {
        throw new RangeError(`Matrix.fromArrays: row ${i} has ${row.length} values, expected ${cols}`);
      }
      m.data.set(row, i * cols);
    }
    return m;
  }

  /** The value at row i, column j. */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  /** Row i as a view (no copy). */
  row(i: number): Float32Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** A copy as nested arrays, one per row. */
  toArrays(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}

/** Matrix.zeros(rows, cols), or fn's out-of-memory error naming `what` (sizes.ts allocate). */
export function allocateMatrix(fn: string, what: string, rows: number, cols: number): Matrix {
  return new Matrix(allocate(fn, what, Float32Array, rows, cols), rows, cols);
}
