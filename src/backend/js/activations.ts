/**
 * Elementwise activations. Backward passes take the OUTPUT y = f(s), which
 * every supported activation allows, so the pre-activation need not be kept.
 * NaN propagates through all of them (relu tests `x < 0`, not `x > 0`).
 */
import { Activation } from '../backend.js';

/** Numerically stable logistic: never evaluates exp of a positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// out (n) = f(inp (n)); out may be inp.
export function activationForward(out: Float32Array, inp: Float32Array, n: number, act: number,
                                  leakySlope: number): void {
  switch (act) {
    case Activation.identity:
      if (out !== inp) out.set(inp.subarray(0, n));
      return;
    case Activation.sigmoid:
      for (let i = 0; i < n; i++) out[i] = sigmoid(inp[i]!);
      return;
    case Activation.tanh:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(inp[i]!);
      return;
    case Activation.relu:
      for (let i = 0; i < n; i++) {
        const x = inp[i]!;
        out[i] = x < 0 ? 0 : x;
      }
      return;
    case Activation.leakyRelu:
      for (let i = 0; i < n; i++) {
        const x = inp[i]!;
        out[i] = x < 0 ? leakySlope * x : x;
      }
      return;
    default:
      throw new RangeError(`activationForward: unknown activation ${act}`);
  }
}

// dinp (n) = dout (n) ⊙ f'(s), f' expressed through out = f(s) (n); dinp may be dout.
export function activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number,
                                   act: number, leakySlope: number): void {
  switch (act) {
    case Activation.identity:
      if (dinp !== dout) dinp.set(dout.subarray(0, n));
      return;
    case Activation.sigmoid:
      for (let i = 0; i < n; i++) {
        const y = out[i]!;
        dinp[i] = dout[i]! * (y * (1 - y));
      }
      return;
    case Activation.tanh:
      for (let i = 0; i < n; i++) {
        const y = out[i]!;
        dinp[i] = dout[i]! * (1 - y * y);
      }
      return;
    case Activation.relu:
      for (let i = 0; i < n; i++) dinp[i] = out[i]! > 0 ? dout[i]! : 0 * dout[i]!;
      return;
    case Activation.leakyRelu:
      for (let i = 0; i < n; i++) dinp[i] = out[i]! > 0 ? dout[i]! : leakySlope * dout[i]!;
      return;
    default:
      throw new RangeError(`activationBackward: unknown activation ${act}`);
  }
}
