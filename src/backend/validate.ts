/**
 * Argument checks for the TS backend, worded exactly as the native boundary
 * words them (native/napi/args.h), so a test can assert one message for both.
 * Every message starts with `<method>: <argument>`.
 */

/** Sizes are limited to what a signed 32-bit index can address. */
export const MAX_DIM = 2147483647;

export function checkFloat32(fn: string, arg: string, v: unknown): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`${fn}: ${arg} must be a Float32Array`);
}

export function checkSize(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isInteger(v) || v < 0 || v > MAX_DIM) {
    throw new RangeError(`${fn}: ${arg} must be an integer in [0, ${MAX_DIM}], got ${v}`);
  }
}

export function checkFinite(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${arg} must be finite, got ${v}`);
}

export function checkBool(fn: string, arg: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${arg} must be a boolean`);
}

/** An enum code: an integer in [0, count). */
export function checkCode(fn: string, arg: string, v: unknown, count: number): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number`);
  if (!Number.isInteger(v) || v < 0 || v >= count) {
    throw new RangeError(`${fn}: ${arg} must be an integer in [0, ${count - 1}], got ${v}`);
  }
}

/**
 * Checks that `v` is a Float32Array holding exactly rows×cols values (a
 * vector of `rows` values when cols is omitted). Shapes are printed as
 * `(rows, cols)` or `(rows)`.
 */
export function checkMatrix(fn: string, arg: string, v: unknown, rows: number, cols?: number): asserts v is Float32Array {
  checkFloat32(fn, arg, v);
  const shape = cols === undefined ? `(${rows})` : `(${rows}, ${cols})`;
  const expected = rows * (cols ?? 1);
  if (expected > Number.MAX_SAFE_INTEGER) throw new RangeError(`${fn}: ${arg} shape ${shape} is too large`);
  if (v.length !== expected) {
    throw new RangeError(`${fn}: ${arg} must have length ${expected} for shape ${shape}, got ${v.length}`);
  }
}
