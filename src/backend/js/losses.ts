/**
 * Losses on the logits, one forward+backward function per loss as in
 * fastText's loss.h, mirroring native/core/losses.cc operation for operation:
 * each returns the mean over rows of the per-row loss (summed over columns)
 * and, when dlogits is given, writes ∂loss/∂logits. Everything is computed in
 * float64, only the stored gradient rounded to float32, except the sigmoid
 * output's cross-entropy and squared error, whose float32 arithmetic both
 * backends share (laneLoss). With rows = 0 the loss is 0 and nothing is
 * written. See backend.ts `Loss` for the formulas.
 */
import { Activation, Loss, type LossParams } from '../backend.js';
import { activationForward, expNegAbs32, LN2_HI, LN2_LO, sigmoid } from './activations.js';
import { softmaxRows } from './softmax.js';

/** One (z, r) pair's loss; writes ∂/∂z to g[0]. */
type PairLoss = (z: number, r: number, g: Float64Array) => number;

// log(1 + e^x) without overflow: log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z).
function softplus(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

const scratch = new Float64Array(1);

function elementwiseLoss(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array, rows: number, cols: number, f: PairLoss): number {
  const inv = 1 / rows;
  let total = 0;
  for (let i = 0; i < rows * cols; i++) {
    total += f(logits[i]!, target[i]!, scratch);
    if (dlogits) dlogits[i] = scratch[0]! * inv;
  }
  return total * inv;
}

/** One element of a sigmoid output's loss in float32: its float64 loss, and
 * its float32 gradient times scale in g[0]. */
export type LaneTerm = (z: number, r: number, scale: number, g: Float64Array) => number;

// The sigmoid output's losses, operation for operation native/core/sigmoid_loss32.h
// (see there), so both backends give the same bits: each term's float32
// operations rounded by Math.fround, its float64 ones as written there, and
// the sum over elements by chunks of LOSS_CHUNK, the chunks' sums added in
// order; a chunk's in LOSS_LANES lanes, element i into lane i mod
// LOSS_LANES, then the lanes in order.
export const LOSS_LANES = 16;
const LOSS_CHUNK = 4096;
const lanes = new Float64Array(LOSS_LANES);

function laneLoss(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array, rows: number, cols: number, term: LaneTerm): number {
  const inv = 1 / rows;
  const scale = Math.fround(inv);
  const n = rows * cols;
  let total = 0;
  for (let c0 = 0; c0 < n; c0 += LOSS_CHUNK) {
    const end = Math.min(n, c0 + LOSS_CHUNK);
    lanes.fill(0);
    for (let i = c0; i < end; i++) {
      lanes[i % LOSS_LANES] += term(logits[i]!, target[i]!, scale, scratch);
      if (dlogits) dlogits[i] = scratch[0]!;
    }
    let chunk = 0;
    for (let j = 0; j < LOSS_LANES; j++) chunk += lanes[j]!;
    total += chunk;
  }
  return total * inv;
}

// ½(σ(z) − r)², gradient ((σ − r)·(σ·σ(−z)))·scale; σ(−z) from the same
// exponential keeps its precision where σ(z) rounds to 1.
export const sigmoidMse32: LaneTerm = (z, r, scale, g) => {
  const f = Math.fround;
  const e = expNegAbs32(z);
  const s = f(1 / f(1 + e));
  const es = f(e * s);
  const p = z >= 0 ? s : es;
  const q = z >= 0 ? es : s;
  const d = f(p - r);
  g[0] = f(f(d * f(p * q)) * scale);
  return 0.5 * (d * d);
};

// log1p32's constants: the float32 values native/core/sigmoid_loss32.h writes as literals.
const SQRT2 = 1.4142135381698608;
const L0 = 0.07037683576345444;
const L1 = -0.11514610052108765;
const L2 = 0.11676998436450958;
const L3 = -0.12420140951871872;
const L4 = 0.14249323308467865;
const L5 = -0.16668057441711426;
const L6 = 0.2000071406364441;
const L7 = -0.24999994039535522;
const L8 = 0.3333333134651184;

/** log(1 + e) for a float32 e ∈ [0, 1] in float32, operation for operation
 * native/core/sigmoid_loss32.h log1p32 (see there). */
export function log1p32(e: number): number {
  const f32 = Math.fround;
  const u = f32(1 + e);
  const c = f32(e - f32(u - 1));
  const high = !(u < SQRT2);
  const k = high ? 1 : 0;
  const f = high ? f32(f32(u * 0.5) - 1) : f32(u - 1);
  const z = f32(f * f);
  let p = f32(f32(L0 * f) + L1);
  p = f32(f32(p * f) + L2);
  p = f32(f32(p * f) + L3);
  p = f32(f32(p * f) + L4);
  p = f32(f32(p * f) + L5);
  p = f32(f32(p * f) + L6);
  p = f32(f32(p * f) + L7);
  p = f32(f32(p * f) + L8);
  let y = f32(f32(p * f) * z);
  y = f32(y + f32(k * LN2_LO));
  y = f32(y - f32(0.5 * z));
  y = f32(y + f32(c / u));
  return f32(f32(f + y) + f32(k * LN2_HI));
}

// Binary cross-entropy in the softplus form, max(z, 0) − z·r + log(1 + e^−|z|)
// (never overflows; z·r exact in float64), gradient (σ − r)·scale.
export const sigmoidCe32: LaneTerm = (z, r, scale, g) => {
  const f = Math.fround;
  const e = expNegAbs32(z);
  const s = f(1 / f(1 + e));
  const p = z >= 0 ? s : f(e * s);
  g[0] = f(f(p - r) * scale);
  return (z > 0 ? z : 0) - z * r + log1p32(e);
};

const mse: PairLoss = (z, r, g) => {
  g[0] = z - r;
  return 0.5 * (z - r) * (z - r);
};

// The subgradient at z = r is 0.
const l1: PairLoss = (z, r, g) => {
  const d = z - r;
  g[0] = d > 0 ? 1 : d < 0 ? -1 : 0;
  return Math.abs(d);
};

const poissonNll: PairLoss = (z, r, g) => {
  const rate = Math.exp(z);
  g[0] = rate - r;
  return rate - r * z;
};

// Soft targets in [0, 1] are accepted: t = 2r − 1 in [−1, 1].
const hinge: PairLoss = (z, r, g) => {
  const t = 2 * r - 1;
  const margin = 1 - t * z;
  g[0] = margin > 0 ? -t : 0;
  return margin > 0 ? margin : 0;
};

function huber(delta: number): PairLoss {
  return (z, r, g) => {
    const d = z - r;
    const a = Math.abs(d);
    g[0] = Math.min(Math.max(d, -delta), delta);
    return a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  };
}

// q = σ(−z) computed directly, not as 1 − p, which cancels for large z. With dp/dz = p·q:
// ∂/∂z [−q^γ log p] = q^γ (γ·p·log p − q),  ∂/∂z [−p^γ log q] = p^γ (p − γ·q·log q).
function focal(gamma: number, alpha: number): PairLoss {
  return (z, r, g) => {
    const p = sigmoid(z);
    const q = sigmoid(-z);
    const logP = -softplus(-z);
    const logQ = -softplus(z);
    const qg = q ** gamma;
    const pg = p ** gamma;
    g[0] = alpha * r * qg * (gamma * p * logP - q) + (1 - alpha) * (1 - r) * pg * (p - gamma * q * logQ);
    return -alpha * r * qg * logP - (1 - alpha) * (1 - r) * pg * logQ;
  };
}

// c_j = w_j·((1 − ε)·r_j + ε·Σr/K); loss Σ c_j·(lse − z_j); gradient softmax_j·Σc − c_j.
function softmaxCe(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array, rows: number, cols: number, p: LossParams): number {
  const inv = 1 / rows;
  const eps = p.smoothing;
  const w = p.classWeights.length ? p.classWeights : null;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[o + j]! > max) max = logits[o + j]!;
    let sumExp = 0;
    let sumR = 0;
    for (let j = 0; j < cols; j++) {
      sumExp += Math.exp(logits[o + j]! - max);
      sumR += target[o + j]!;
    }
    const lse = max + Math.log(sumExp);
    const spread = (eps * sumR) / cols;
    const weight = (j: number) => {
      const c = (1 - eps) * target[o + j]! + spread;
      return w ? c * w[j]! : c;
    };
    let sumC = 0;
    for (let j = 0; j < cols; j++) sumC += weight(j);
    for (let j = 0; j < cols; j++) {
      const z = logits[o + j]!;
      const c = weight(j);
      total += c * (lse - z);
      if (dlogits) dlogits[o + j] = (Math.exp(z - lse) * sumC - c) * inv;
    }
  }
  return total * inv;
}

// Row layout [μ_1..μ_m, s_1..s_m], target (rows, m): ∂/∂μ = (μ − r)e^−s, ∂/∂s = ½(1 − (μ − r)²e^−s).
function gaussianNll(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array, rows: number, cols: number): number {
  const inv = 1 / rows;
  const m = cols / 2;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < m; j++) {
      const mu = logits[i * cols + j]!;
      const s = logits[i * cols + m + j]!;
      const d = mu - target[i * m + j]!;
      const e = Math.exp(-s);
      total += 0.5 * (s + d * d * e);
      if (dlogits) {
        dlogits[i * cols + j] = d * e * inv;
        dlogits[i * cols + m + j] = 0.5 * (1 - d * d * e) * inv;
      }
    }
  }
  return total * inv;
}

// Weston–Watkins: the true class y (the row's first largest target) must beat every other by 1.
function multiclassHinge(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array, rows: number, cols: number): number {
  const inv = 1 / rows;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let y = 0;
    for (let j = 1; j < cols; j++) if (target[o + j]! > target[o + y]!) y = j;
    let gy = 0;
    for (let j = 0; j < cols; j++) {
      const margin = j === y ? 0 : 1 + logits[o + j]! - logits[o + y]!;
      const active = margin > 0;
      total += active ? margin : 0;
      gy -= active ? 1 : 0;
      if (dlogits && j !== y) dlogits[o + j] = (active ? 1 : 0) * inv;
    }
    if (dlogits) dlogits[o + y] = gy * inv;
  }
  return total * inv;
}

// Dispatch on the loss code; shapes as in backend.ts.
export function lossForwardBackward(
  dlogits: Float32Array | null,
  logits: Float32Array,
  target: Float32Array,
  rows: number,
  cols: number,
  loss: number,
  p: LossParams,
): number {
  if (rows === 0) return 0;
  switch (loss) {
    case Loss.mse:
      return elementwiseLoss(dlogits, logits, target, rows, cols, mse);
    case Loss.sigmoidCrossEntropy:
      return laneLoss(dlogits, logits, target, rows, cols, sigmoidCe32);
    case Loss.softmaxCrossEntropy:
      return softmaxCe(dlogits, logits, target, rows, cols, p);
    case Loss.l1:
      return elementwiseLoss(dlogits, logits, target, rows, cols, l1);
    case Loss.huber:
      return elementwiseLoss(dlogits, logits, target, rows, cols, huber(p.delta));
    case Loss.gaussianNll:
      return gaussianNll(dlogits, logits, target, rows, cols);
    case Loss.poissonNll:
      return elementwiseLoss(dlogits, logits, target, rows, cols, poissonNll);
    case Loss.focal:
      return elementwiseLoss(dlogits, logits, target, rows, cols, focal(p.gamma, p.alpha));
    case Loss.hinge:
      return elementwiseLoss(dlogits, logits, target, rows, cols, hinge);
    case Loss.multiclassHinge:
      return multiclassHinge(dlogits, logits, target, rows, cols);
    case Loss.sigmoidMse:
      return laneLoss(dlogits, logits, target, rows, cols, sigmoidMse32);
    default:
      throw new RangeError(`lossForwardBackward: unknown loss ${loss}`);
  }
}

// The output layer each loss implies, in place on logits (rows,cols); see backend.ts `Loss`.
export function outputTransform(inout: Float32Array, rows: number, cols: number, loss: number): void {
  switch (loss) {
    case Loss.sigmoidCrossEntropy:
    case Loss.sigmoidMse:
    case Loss.focal:
      activationForward(inout, inout, rows * cols, Activation.sigmoid, 0);
      return;
    case Loss.softmaxCrossEntropy:
      softmaxRows(inout, inout, rows, cols);
      return;
    case Loss.poissonNll:
      for (let i = 0; i < rows * cols; i++) inout[i] = Math.exp(inout[i]!);
      return;
    case Loss.gaussianNll:
      for (let i = 0; i < rows; i++) {
        for (let j = cols / 2; j < cols; j++) inout[i * cols + j] = Math.exp(inout[i * cols + j]!);
      }
      return;
    default: // identity outputs
  }
}
