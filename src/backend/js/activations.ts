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

// sigmoid32's constants: the float32 values native/core/sigmoid32.h writes as literals.
const LOG2E = 1.4426950216293335;
const ROUND = 12582912; // 1.5·2²³: adding it rounds to an integer
/** The two-part ln 2 (Cody–Waite: n·LN2_HI is exact), also log1p32's (losses.ts). */
export const LN2_HI = 0.693359375;
export const LN2_LO = -0.00021219444170128554;
const P0 = 0.00019875691214110702;
const P1 = 0.0013981999363750219;
const P2 = 0.008333452045917511;
const P3 = 0.041665796190500259;
const P4 = 0.1666666567325592;
const P5 = 0.5;

// 2⁻ᵏ for k in [0, 126], exact in float64: a table, because `2 ** n` goes
// through V8's general pow (12 % of a TS XOR step in a profile).
const POW2_NEG = Float64Array.from({ length: 127 }, (_, k) => 2 ** -k);

/** e = exp(−|x|) in float32, the one exponential of sigmoid32 (shared with
 * the sigmoid-output losses, losses.ts), operation for operation
 * native/core/sigmoid32.h exp_neg_abs32: 0 below 2⁻¹²⁶, NaN for NaN. x must
 * be a float32 value. */
export function expNegAbs32(x: number): number {
  const f = Math.fround;
  const t0 = x < 0 ? x : -x;
  const t = t0 < -104 ? -104 : t0;
  const n = f(f(f(t * LOG2E) + ROUND) - ROUND);
  const r = f(f(t - f(n * LN2_HI)) - f(n * LN2_LO));
  let p = f(f(P0 * r) + P1);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P3);
  p = f(f(p * r) + P4);
  p = f(f(p * r) + P5);
  p = f(f(f(p * f(r * r)) + r) + 1);
  // p·2ⁿ is exact in float64, so one fround rounds it as the float32 product
  // does. NaN (no table entry) multiplies as NaN, keeping p's payload as before.
  return n < -126 ? 0 : f(p * (POW2_NEG[-n] ?? n));
}

/** The float32 logistic of sigmoid units, operation for operation
 * native/core/sigmoid32.h (see there): each Math.fround rounds one float32
 * operation's exact result, as float32 arithmetic does, so the backends
 * agree bit for bit. x must be a float32 value. */
export function sigmoid32(x: number): number {
  const e = expNegAbs32(x);
  const s = Math.fround(1 / Math.fround(1 + e));
  return x >= 0 ? s : Math.fround(e * s);
}

// out (n) = f(inp (n)); out may be inp.
export function activationForward(out: Float32Array, inp: Float32Array, n: number, act: number, leakySlope: number): void {
  switch (act) {
    case Activation.identity:
      if (out !== inp) out.set(inp.subarray(0, n));
      return;
    case Activation.sigmoid:
      for (let i = 0; i < n; i++) out[i] = sigmoid32(inp[i]!);
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

/** d·σ'(s) written through y = σ(s), in float64 (rounded when stored): each
 * element of activationBackward's sigmoid, shared with tiny-step.ts. */
export function sigmoidBackward(d: number, y: number): number {
  return d * (y * (1 - y));
}

// dinp (n) = dout (n) ⊙ f'(s), f' expressed through out = f(s) (n); dinp may be dout.
export function activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number, act: number, leakySlope: number): void {
  switch (act) {
    case Activation.identity:
      if (dinp !== dout) dinp.set(dout.subarray(0, n));
      return;
    case Activation.sigmoid:
      for (let i = 0; i < n; i++) dinp[i] = sigmoidBackward(dout[i]!, out[i]!);
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
