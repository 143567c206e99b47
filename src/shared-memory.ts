/**
 * Typed arrays on SharedArrayBuffers. Such a buffer cannot be detached (no
 * transfer, no shrinking) and its memory lives while anything refers to it,
 * so a native job that holds a reference may read or write it from its own
 * thread while JS runs on: training data in such arrays is never copied, a
 * model's weights and optimizer state, allocated this way, are trained in
 * place, and a fit's history rows written in place (native/napi/job_memory.h
 * says why other arrays are copied).
 */
import { allocateWith, allocating } from './sizes.js';

/** A zero-filled Float32Array of `length` elements on a new SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** A zero-filled Float64Array of `length` elements on a new SharedArrayBuffer. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** sizes.ts `allocate` of a Float32Array, on a new SharedArrayBuffer. */
export function allocateShared(fn: string, what: string, ...dims: number[]): Float32Array {
  return allocateWith(fn, what, Float32Array, dims, sharedFloat32);
}

/** True when a SharedArrayBuffer backs `a` (compared by tag, so buffers from other realms count too). */
export function isShared(a: ArrayBufferView): boolean {
  return Object.prototype.toString.call(a.buffer) === '[object SharedArrayBuffer]';
}

/** Elements copied between two turns of the event loop (about a millisecond's work, page faults included). */
const SLICE = 1 << 18;

/**
 * `a` itself when it is shared, else a shared copy made in slices with the
 * event loop running between them; stops with the signal's reason. Errors
 * name `a` as `fn`'s argument `arg`: a TypeError if its buffer is detached
 * meanwhile, sizes.ts's out-of-memory RangeError if the copy does not fit.
 */
export async function sharedCopy(a: Float32Array, fn: string, arg: string, signal?: AbortSignal): Promise<Float32Array> {
  if (isShared(a)) return a;
  const copy = allocating(fn, `a shared copy of ${arg} (${a.length} floats)`, () => sharedFloat32(a.length));
  await copyInSlices(copy, a, () => {
    signal?.throwIfAborted();
    if (a.length !== copy.length) throw new TypeError(`${fn}: ${arg}: its buffer was detached while it was being read`);
  });
  return copy;
}

/** Copies `from` into `to` (as long) in slices with the event loop running between them; `check` runs after each turn. */
export function copyInSlices(to: Float32Array, from: Float32Array, check: () => void = () => undefined): Promise<void> {
  return inSlices(from.length, (begin, end) => to.set(from.subarray(begin, end), begin), check);
}

/** Runs `work` over [0, length) in slices [begin, end) of about a millisecond's work, with the event loop running
 * between them; `check` runs after each turn. */
export async function inSlices(length: number, work: (begin: number, end: number) => void, check: () => void = () => undefined): Promise<void> {
  for (let at = 0; at < length; at += SLICE) {
    if (at > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      check();
    }
    work(at, Math.min(length, at + SLICE));
  }
}
