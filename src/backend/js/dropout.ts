/**
 * Inverted dropout, the TS twin of native/core/dropout.cc (same names,
 * argument order and draws): each entry kept with probability 1 − rate and
 * scaled by 1/(1 − rate), one uniform draw per entry in row-major order, so
 * the same generator state gives the same masks in both backends.
 */
import type { Rng } from '../../rng.js';

/** out (n) = a ⊙ mask, mask (n) = 1/(1 − rate) where the draw u ≥ rate, else 0; rate in [0, 1). out may alias a. */
export function dropoutForward(out: Float32Array, mask: Float32Array, a: Float32Array, n: number, rate: number, rng: Rng): void {
  // The scale is rounded to float32 once, as the C++ kernel does.
  const scale = Math.fround(1 / (1 - rate));
  for (let i = 0; i < n; i++) {
    mask[i] = rng.uniform() < rate ? 0 : scale;
    out[i] = a[i]! * mask[i]!;
  }
}

/** dx (n) = dout ⊙ mask. dx may alias dout. */
export function dropoutBackward(dx: Float32Array, dout: Float32Array, mask: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dout[i]! * mask[i]!;
}
