/**
 * Plain float64 reference implementations for the conformance suite: the
 * textbook formulas, written for clarity, with no float32 rounding anywhere.
 * Inputs are any array of numbers (typically the Float32Array a backend
 * receives, read as exact float64 values).
 */
import { Activation, defaultLossParams, Loss, type LossCode, type LossParams } from '../../src/backend/backend.js';

export type Vec = ArrayLike<number>;

/** c (m,n) = alpha·op(a)·op(b) + beta·c0 in float64. Also returns, per element,
 * the magnitude |alpha|·Σ_p |op(a)[i,p]·op(b)[p,j]| + |beta·c0| that bounds
 * the rounding error of any summation order (see kernels.test.ts). */
export function refGemm(
  c0: Vec,
  a: Vec,
  b: Vec,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        const bv = transB ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
        sa += Math.abs(av * bv);
      }
      const prev = beta === 0 ? 0 : beta * c0[i * n + j]!;
      c[i * n + j] = alpha * s + prev;
      mag[i * n + j] = Math.abs(alpha) * sa + Math.abs(prev);
    }
  }
  return { c, mag };
}

export function refSigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Every edge of sigmoid32's algorithm: ±0, ±∞, NaN, the rounding of n·ln2 near ±ln2/2, the 2⁻¹²⁶ cut
 * (t ≈ −87.3), the clamp at −104, denormal and huge inputs. */
export const SIGMOID_EDGES = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  0.34657359,
  -0.34657359,
  1e-40,
  -1e-40,
  1e-7,
  -87.33,
  -87.34,
  -88,
  -103.9,
  -104,
  -104.1,
  -1e30,
  1e30,
  16.6,
  17,
  88,
  200,
].map(Math.fround);

export function refActivation(x: number, act: number, slope: number): number {
  switch (act) {
    case Activation.identity:
      return x;
    case Activation.sigmoid:
      return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case Activation.tanh:
      return Math.tanh(x);
    case Activation.relu:
      return x < 0 ? 0 : x;
    case Activation.leakyRelu:
      return x < 0 ? slope * x : x;
    default:
      throw new Error(`bad activation ${act}`);
  }
}

/** f'(s) written through y = f(s). */
export function refActivationGrad(y: number, act: number, slope: number): number {
  switch (act) {
    case Activation.identity:
      return 1;
    case Activation.sigmoid:
      return y * (1 - y);
    case Activation.tanh:
      return 1 - y * y;
    case Activation.relu:
      return y > 0 ? 1 : 0;
    case Activation.leakyRelu:
      return y > 0 ? 1 : slope;
    default:
      throw new Error(`bad activation ${act}`);
  }
}

export function refSoftmaxRows(inp: Vec, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, inp[i * cols + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(inp[i * cols + j]! - max);
    for (let j = 0; j < cols; j++) out[i * cols + j] = Math.exp(inp[i * cols + j]! - max) / sum;
  }
  return out;
}

/** Loss parameters as the reference reads them (backend.ts LossParams). */
export interface RefLossParams {
  delta: number;
  gamma: number;
  alpha: number;
  smoothing: number;
  classWeights: ArrayLike<number>;
}
export const REF_DEFAULT_PARAMS: RefLossParams = { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: [] };

/** Target columns for `cols` logits (gaussianNll: half). */
export function refTargetCols(loss: number, cols: number): number {
  return loss === Loss.gaussianNll ? cols / 2 : cols;
}

/** Mean loss over rows, from the textbook definitions in backend.ts (log σ,
 * log softmax, (1 − p)^γ), not from the stable forms the kernels use. Test
 * inputs keep |z| small enough that the direct forms are accurate in float64. */
export function refLoss(logits: Vec, target: Vec, rows: number, cols: number, loss: number, params: RefLossParams = REF_DEFAULT_PARAMS): number {
  if (rows === 0) return 0;
  let total = 0;
  if (loss === Loss.softmaxCrossEntropy) {
    const p = refSoftmaxRows(logits, rows, cols);
    const { smoothing: eps, classWeights: w } = params;
    for (let i = 0; i < rows; i++) {
      let sumR = 0;
      for (let j = 0; j < cols; j++) sumR += target[i * cols + j]!;
      for (let j = 0; j < cols; j++) {
        const c = ((1 - eps) * target[i * cols + j]! + (eps * sumR) / cols) * (w.length ? w[j]! : 1);
        total -= c * Math.log(p[i * cols + j]!);
      }
    }
  } else if (loss === Loss.gaussianNll) {
    const m = cols / 2;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < m; j++) {
        const mu = logits[i * cols + j]!;
        const s = logits[i * cols + m + j]!;
        const d = target[i * m + j]! - mu;
        total += 0.5 * (s + (d * d) / Math.exp(s));
      }
    }
  } else if (loss === Loss.multiclassHinge) {
    for (let i = 0; i < rows; i++) {
      let y = 0;
      for (let j = 1; j < cols; j++) if (target[i * cols + j]! > target[i * cols + y]!) y = j;
      for (let j = 0; j < cols; j++) if (j !== y) total += Math.max(0, 1 + logits[i * cols + j]! - logits[i * cols + y]!);
    }
  } else {
    for (let i = 0; i < rows * cols; i++) total += refElementLoss(logits[i]!, target[i]!, loss, params);
  }
  return total / rows;
}

function refElementLoss(z: number, r: number, loss: number, params: RefLossParams): number {
  const p = refSigmoid(z);
  switch (loss) {
    case Loss.mse:
      return 0.5 * (z - r) * (z - r);
    case Loss.sigmoidCrossEntropy:
      return -(r * Math.log(p) + (1 - r) * Math.log(1 - p));
    case Loss.l1:
      return Math.abs(z - r);
    case Loss.huber: {
      const a = Math.abs(z - r);
      return a <= params.delta ? 0.5 * a * a : params.delta * (a - 0.5 * params.delta);
    }
    case Loss.poissonNll:
      return Math.exp(z) - r * z;
    case Loss.focal: {
      const { gamma, alpha } = params;
      return -alpha * r * (1 - p) ** gamma * Math.log(p) - (1 - alpha) * (1 - r) * p ** gamma * Math.log(1 - p);
    }
    case Loss.hinge:
      return Math.max(0, 1 - (2 * r - 1) * z);
    case Loss.sigmoidMse:
      return 0.5 * (p - r) * (p - r);
    default:
      throw new Error(`bad loss ${loss}`);
  }
}

/** ∂(mean loss)/∂logits in closed form. */
export function refLossGrad(logits: Vec, target: Vec, rows: number, cols: number, loss: number): Float64Array {
  const g = new Float64Array(rows * cols);
  const p = loss === Loss.softmaxCrossEntropy ? refSoftmaxRows(logits, rows, cols) : null;
  for (let i = 0; i < rows; i++) {
    let sumR = 0;
    for (let j = 0; j < cols; j++) sumR += target[i * cols + j]!;
    for (let j = 0; j < cols; j++) {
      const t = i * cols + j;
      const z = logits[t]!;
      const r = target[t]!;
      const d = loss === Loss.mse ? z - r : loss === Loss.sigmoidCrossEntropy ? refSigmoid(z) - r : p![t]! * sumR - r;
      g[t] = d / rows;
    }
  }
  return g;
}

export interface RefNet {
  sizes: ArrayLike<number>;
  hiddenActivations: ArrayLike<number>;
  /** Normalisation per hidden layer (backend.ts Norm codes): b(ℓ) then holds [γ, β] (layer) or
   * [γ, β, running mean, running variance] (batch). */
  norm?: ArrayLike<number> | null;
  /** Batch normalisation from the batch's statistics (training) rather than the running ones. */
  batchStats?: boolean;
  leakySlope: number;
  loss: number;
  lossParams?: RefLossParams;
  params: Vec[];
}

/** Forward pass in float64. Returns every layer's output (hidden activations
 * after f, and after the dropout factors masks[ℓ] when given and not empty;
 * the last one the logits) and the pre-activations of hidden layers. */
export function refForwardLayers(net: RefNet, x: Vec, n: number, masks?: ArrayLike<number>[]): { acts: Float64Array[]; pre: Float64Array[] } {
  const acts: Float64Array[] = [];
  const pre: Float64Array[] = [];
  let a: Vec = x;
  const L = net.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const inW = net.sizes[l]!;
    const outW = net.sizes[l + 1]!;
    const W = net.params[2 * l]!;
    const b = net.params[2 * l + 1]!;
    const z = new Float64Array(n * outW);
    const code = l + 1 < L ? (net.norm?.[l] ?? 0) : 0;
    const normed = code !== 0;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outW; o++) {
        let s = normed ? 0 : b[o]!;
        for (let i = 0; i < inW; i++) s += a[r * inW + i]! * W[o * inW + i]!;
        z[r * outW + o] = s;
      }
    }
    if (code === 1) refLayerNorm(z, z, b, n, outW);
    if (code === 2) refBatchNorm(z, z, b, n, outW, net.batchStats ?? false);
    if (l + 1 < L) {
      pre.push(z.slice());
      for (let t = 0; t < z.length; t++) z[t] = refActivation(z[t]!, net.hiddenActivations[l]!, net.leakySlope);
      const m = masks?.[l];
      if (m && m.length) for (let t = 0; t < z.length; t++) z[t] *= m[t]!;
    }
    acts.push(z);
    a = z;
  }
  return { acts, pre };
}

/** The network output after the loss's output transform. */
export function refForward(net: RefNet, x: Vec, n: number): Float64Array {
  const { acts } = refForwardLayers(net, x, n);
  const logits = acts[acts.length - 1]!;
  const k = net.sizes[net.sizes.length - 1]!;
  if (net.loss === Loss.sigmoidCrossEntropy || net.loss === Loss.focal || net.loss === Loss.sigmoidMse) return logits.map(refSigmoid);
  if (net.loss === Loss.softmaxCrossEntropy) return refSoftmaxRows(logits, n, k);
  if (net.loss === Loss.poissonNll) return logits.map(Math.exp);
  if (net.loss === Loss.gaussianNll) return logits.map((v, i) => (i % k >= k / 2 ? Math.exp(v) : v));
  return logits;
}

/** Layer normalisation in float64, the textbook way: per row (z − mean)/√(var + 1e-5), then γ·x̂ + β; gainBias = [γ, β]. */
export function refLayerNorm(out: Float64Array, z: ArrayLike<number>, gainBias: ArrayLike<number>, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, j) => z[r * cols + j]!);
    const mean = row.reduce((s, v) => s + v, 0) / cols;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / cols;
    row.forEach((v, j) => {
      out[r * cols + j] = (gainBias[j]! * (v - mean)) / Math.sqrt(variance + 1e-5) + gainBias[cols + j]!;
    });
  }
}

/** Batch normalisation in float64, the textbook way, per column: from the batch's mean and (biased) variance
 * with batchStats, else from the running ones in params = [γ, β, running mean, running variance]. */
export function refBatchNorm(out: Float64Array, z: ArrayLike<number>, params: ArrayLike<number>, rows: number, cols: number, batchStats: boolean): void {
  for (let j = 0; j < cols; j++) {
    const col = Array.from({ length: rows }, (_, r) => z[r * cols + j]!);
    const mean = batchStats ? col.reduce((s, v) => s + v, 0) / rows : params[2 * cols + j]!;
    const variance = batchStats ? col.reduce((s, v) => s + (v - mean) ** 2, 0) / rows : params[3 * cols + j]!;
    col.forEach((v, r) => {
      out[r * cols + j] = (params[j]! * (v - mean)) / Math.sqrt(variance + 1e-5) + params[cols + j]!;
    });
  }
}

/** Mean loss of the network on (x, y), all in float64 (with dropout factors: refForwardLayers). */
export function refNetLoss(net: RefNet, x: Vec, y: Vec, n: number, masks?: ArrayLike<number>[]): number {
  const { acts } = refForwardLayers(net, x, n, masks);
  return refLoss(acts[acts.length - 1]!, y, n, net.sizes[net.sizes.length - 1]!, net.loss, net.lossParams);
}

// ---------------------------------------------------------------------------
// Test data and comparison helpers.

/** float32 unit roundoff: one correctly rounded float32 operation has relative error ≤ u. */
export const U32 = 2 ** -24;

/** Smallest normal float32: results below it may be flushed or lose precision. */
export const TINY32 = 2 ** -126;

/** n uniform values in [lo, hi), each exactly representable in float32. */
export function randomF32(rng: { uniform(): number }, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** 'nan' | '+inf' | '-inf' | 'finite': non-finite positions must match exactly. */
export function kind(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return '+inf';
  if (v === -Infinity) return '-inf';
  return 'finite';
}

/**
 * Compares element by element: non-finite values must sit at the same
 * positions with the same kind; finite ones must satisfy
 * |actual − expected| ≤ atol(i) + rtol·|expected|. Returns null when all
 * match, else a description of the first few mismatches (for expect(...).toBeNull()).
 */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number | ((i: number) => number), rtol: number): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ka = kind(a);
    const ke = kind(e);
    let ok: boolean;
    let tol = 0;
    if (ka !== 'finite' || ke !== 'finite') {
      ok = ka === ke;
    } else {
      tol = (typeof atol === 'function' ? atol(i) : atol) + rtol * Math.abs(e);
      ok = Math.abs(a - e) <= tol;
    }
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e} (tol ${tol.toExponential(2)})`);
    }
  }
  return count === 0 ? null : `${count} mismatches: ${bad.join('; ')}`;
}

/** A seeded network with Xavier-like uniform weights, in the contract's layout. */
export function makeNet(
  rng: { uniform(): number },
  sizes: number[],
  hidden: number[],
  loss: number,
  leakySlope = 0.1,
  lossParams: LossParams = defaultLossParams(),
): {
  sizes: Int32Array;
  hiddenActivations: Int32Array;
  leakySlope: number;
  loss: LossCode;
  lossParams: LossParams;
  params: Float32Array[];
} {
  const params: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const scale = Math.sqrt(6 / (sizes[l]! + sizes[l + 1]!));
    params.push(randomF32(rng, sizes[l + 1]! * sizes[l]!, -scale, scale));
    params.push(randomF32(rng, sizes[l + 1]!, -0.1, 0.1));
  }
  return {
    sizes: Int32Array.from(sizes),
    hiddenActivations: Int32Array.from(hidden),
    leakySlope,
    loss: loss as LossCode,
    lossParams,
    params,
  };
}

/** A deep copy of a network (params copied, so training one leaves the other alone). */
export function cloneNet<T extends { params: Float32Array[] }>(net: T): T {
  return { ...net, params: net.params.map((p) => p.slice()) };
}

/** Targets suited to a loss for k outputs: reals (mse, l1, huber; sigmoidMse in [0, 1]; gaussianNll with k/2
 * columns), counts 0..5 (poissonNll), 0/1 labels (sigmoid CE, focal, hinge), one-hot rows
 * (softmax CE, multiclass hinge). */
export function makeTargets(rng: Rng32, n: number, k: number, loss: number): Float32Array {
  const t = refTargetCols(loss, k);
  switch (loss) {
    case Loss.mse:
    case Loss.l1:
    case Loss.huber:
    case Loss.gaussianNll:
      return randomF32(rng, n * t, -1, 1);
    case Loss.poissonNll:
      return Float32Array.from({ length: n * k }, () => rng.below(6));
    case Loss.sigmoidMse:
      return randomF32(rng, n * t, 0, 1);
    case Loss.sigmoidCrossEntropy:
    case Loss.focal:
    case Loss.hinge:
      return Float32Array.from({ length: n * k }, () => (rng.uniform() < 0.5 ? 0 : 1));
    default: {
      const y = new Float32Array(n * k);
      for (let i = 0; i < n; i++) y[i * k + rng.below(k)] = 1;
      return y;
    }
  }
}

/** Losses usable with k outputs (gaussianNll needs an even k). */
export function lossesFor(k: number): [string, number][] {
  return Object.entries(Loss).filter(([, code]) => code !== Loss.gaussianNll || k % 2 === 0);
}

type Rng32 = { uniform(): number; below(bound: number): number };

/** The optimizer, schedule and early-stopping parts of a FitJob for plain
 * SGD at a constant rate with no early stopping; tests override fields. */
export function plainTraining(lr: number, weightDecay: number) {
  return {
    optimizer: {
      type: 0 as const,
      weightDecay,
      momentum: 0.9,
      nesterov: false,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      clipNorm: 0,
      state: [] as Float32Array[],
      step: new Float64Array(1),
    },
    schedule: { type: 0 as const, lr, perStep: false, stepSize: 1, gamma: 0.1, minLr: 0, total: 1, warmup: 0 },
    earlyStopping: { monitor: 0 as const, patience: 0, minDelta: 0, restoreBest: false },
    metric: 0 as const,
    xVal: new Float32Array(0),
    yVal: new Float32Array(0),
    nVal: 0,
  };
}

/**
 * Central differences of f at `at`, in float64 with step 1e-5: the truncation
 * error O(h²·f‴) and the rounding error O(ε₆₄·|f|/h) both stay below ~1e-9,
 * far under the float32 error of a backend's gradient.
 */
export function centralDiff(f: (v: Float64Array) => number, at: ArrayLike<number>): Float64Array {
  const h = 1e-5;
  const v = Float64Array.from(at);
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const v0 = v[i]!;
    v[i] = v0 + h;
    const up = f(v);
    v[i] = v0 - h;
    const down = f(v);
    v[i] = v0;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
