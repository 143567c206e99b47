/**
 * TS twin of native/core/scan.cc: the first value of a training set that is
 * not finite or not in [min, max]. The scan runs in slices with the event
 * loop turning between them, as the native one runs on a thread of its own.
 */

/** Elements scanned between two turns of the event loop (about a millisecond's work). */
const SLICE = 1 << 20;

/** The index of the first element of data that is not finite or not in [min, max], or −1; stops (−1) once `stopped()`. */
export async function firstOutside(data: Float32Array, min: number, max: number, stopped: () => boolean): Promise<number> {
  // Finite bounds reject ±Infinity, and NaN fails every comparison.
  const lo = Math.max(min, -Number.MAX_VALUE);
  const hi = Math.min(max, Number.MAX_VALUE);
  for (let from = 0; from < data.length; from += SLICE) {
    if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) return -1;
    const to = Math.min(data.length, from + SLICE);
    for (let i = from; i < to; i++) {
      const v = data[i]!;
      if (!(v >= lo && v <= hi)) return i;
    }
  }
  return -1;
}
