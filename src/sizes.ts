/**
 * Memory for what the user asked for. Two defences against the engine's bare
 * "Invalid typed array length" / "Array buffer allocation failed", or an
 * out-of-memory crash half-way through building a model:
 * - checkAllocation, one check before a model allocates from sizes the user
 *   gave: a RangeError naming the option and the memory it would take
 *   ("vectorSize × vocabulary = 1.07e11 floats, 428 GB");
 * - allocate / allocating, around the allocation itself, for what fits the
 *   machine but not the memory left (a ulimit, a container, other
 *   processes): an out-of-memory RangeError naming what could not be
 *   allocated, shaped like the addon's (native/napi/boundary.h).
 * A leaf: the models and both backends use it.
 */
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';

/** The longest typed array this engine allocates (elements; 2^32 on Node 20). */
const MAX_ARRAY_ELEMENTS = constants.MAX_LENGTH;

function gigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 10 ? `${Math.round(gb)} GB` : gb >= 0.1 ? `${gb.toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}

/**
 * Throws a RangeError when `count` values of `bytesPerValue` bytes, in arrays
 * of at most `largest` values, exceed this machine's memory or the longest
 * array the engine allows. `what` names the options the count comes from.
 */
export function checkAllocation(fn: string, what: string, count: number, bytesPerValue: number, largest = count): void {
  const bytes = count * bytesPerValue;
  const why =
    bytes > totalmem()
      ? `more than this machine's ${gigabytes(totalmem())} of memory`
      : largest > MAX_ARRAY_ELEMENTS
        ? `one array of ${largest.toExponential(2).replace('e+', 'e')} values is more than the ${MAX_ARRAY_ELEMENTS} an array holds`
        : null;
  if (why)
    throw new RangeError(
      `${fn}: ${what} = ${count.toExponential(2).replace('e+', 'e')} ${bytesPerValue === 4 ? 'floats' : 'values'}, ${gigabytes(bytes)}: ${why}`,
    );
}

/** Weights and biases of a dense stack with these widths: the total and the largest single matrix. */
export function denseParams(widths: readonly number[]): { total: number; largest: number } {
  let total = 0,
    largest = 0;
  for (let l = 1; l < widths.length; l++) {
    total += widths[l - 1]! * widths[l]! + widths[l]!;
    largest = Math.max(largest, widths[l - 1]! * widths[l]!);
  }
  return { total, largest };
}

/** checkAllocation for the float32 parameters of a dense stack; `option` names the widths ("config.layers"). */
export function checkLayerSizes(fn: string, option: string, widths: readonly number[]): void {
  const { total, largest } = denseParams(widths);
  checkAllocation(fn, `the parameters of ${option} [${widths.join(', ')}]`, total, 4, largest);
}

/** The code of every out-of-memory error, from either backend or a model. */
export const OUT_OF_MEMORY_CODE = 'ERR_FASTNN_OUT_OF_MEMORY';

/** A RangeError "<fn>: not enough memory for <allocation>". */
export interface OutOfMemoryError extends RangeError {
  code: typeof OUT_OF_MEMORY_CODE;
  /** What could not be allocated, e.g. "the input vectors (2000000 × 300 floats, 2.4 GB)". */
  allocation: string;
}

export function outOfMemoryError(fn: string, allocation: string, cause?: unknown): OutOfMemoryError {
  const error = new RangeError(`${fn}: not enough memory for ${allocation}`, cause === undefined ? undefined : { cause });
  return Object.assign(error, { code: OUT_OF_MEMORY_CODE, allocation } as const);
}

export function isOutOfMemory(err: unknown): err is OutOfMemoryError {
  return err instanceof RangeError && (err as Partial<OutOfMemoryError>).code === OUT_OF_MEMORY_CODE;
}

/**
 * make()'s result; when the engine cannot allocate what make builds (typed
 * arrays and Buffers fail with a RangeError), an out-of-memory error naming
 * `what`, thrown as fn's. make must throw no RangeError of its own; an
 * out-of-memory error from inside it (a narrower name) passes unchanged.
 */
export function allocating<T>(fn: string, what: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw err instanceof RangeError && !isOutOfMemory(err) ? outOfMemoryError(fn, what, err) : err;
  }
}

type TypedArrayType<T> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number; readonly name: string };

const UNITS: Record<string, string> = { Float32Array: 'floats', Float64Array: 'doubles', Uint8Array: 'bytes' };

/** A zeroed `Type` of dims[0] × dims[1] × … elements, or allocating's error naming `what` and its size. */
export function allocate<T>(fn: string, what: string, Type: TypedArrayType<T>, ...dims: number[]): T {
  return allocateWith(fn, what, Type, dims, (count) => new Type(count));
}

/** make(count) for dims[0] × dims[1] × … elements of `Type`, or allocating's error naming `what` and its size. */
export function allocateWith<T, R>(fn: string, what: string, Type: TypedArrayType<T>, dims: number[], make: (count: number) => R): R {
  const count = dims.reduce((a, b) => a * b, 1);
  const size = `${dims.join(' × ')} ${UNITS[Type.name] ?? 'integers'}, ${gigabytes(count * Type.BYTES_PER_ELEMENT)}`;
  return allocating(fn, `${what} (${size})`, () => make(count));
}

/** err, or when it is another function's out-of-memory error (a backend call's), the same failure as fn's. */
export function asFailureOf(fn: string, err: unknown): unknown {
  return isOutOfMemory(err) && !err.message.startsWith(`${fn}: `) ? outOfMemoryError(fn, err.allocation, err) : err;
}
