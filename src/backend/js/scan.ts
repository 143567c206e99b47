/**
 * TS twin of native/core/scan.cc: the first value of a training set that is
 * not finite or not in [min, max]. The scan runs in slices with the event
 * loop turning between them (slice-clock.ts), as the native one runs on a
 * thread of its own.
 */
import { SliceClock } from './slice-clock.js';

/** Elements between two looks at the clock: a tenth of a millisecond once
 * compiled, a few before (a whole slice's worth of 2^20 elements was a
 * 20–40 ms first slice, before V8 had compiled the loop). */
const CHUNK = 1 << 16;

/** The index of the first element of data that is not finite or not in [min, max], or −1; stops (−1) once `stopped()`. */
export async function firstOutside(data: Float32Array, min: number, max: number, stopped: () => boolean): Promise<number> {
  // Finite bounds reject ±Infinity, and NaN fails every comparison.
  const lo = Math.max(min, -Number.MAX_VALUE);
  const hi = Math.min(max, Number.MAX_VALUE);
  const clock = new SliceClock(stopped);
  for (let from = 0; from < data.length; from += CHUNK) {
    if (await clock.tick()) return -1;
    const to = Math.min(data.length, from + CHUNK);
    for (let i = from; i < to; i++) {
      const v = data[i]!;
      if (!(v >= lo && v <= hi)) return i;
    }
  }
  return -1;
}
