/**
 * Sammon mapping with a network: an MLP g(x | θ) (output 2-D by default)
 * trained to minimise Sammon stress
 *   E = (1/c)·Σ_{i<j} (D_ij − d_ij)² / D_ij,  c = Σ_{i<j} D_ij,
 * where D are distances between inputs and d between their images, over the
 * pairs of random minibatches (so large n costs O(batch²) per step, not n²).
 * Stress couples samples, so the network layer cannot compute it as a loss:
 * its gradient with respect to the outputs is formed here per minibatch and
 * backpropagated by the backend (Backend.backward). Unlike classical MDS the
 * result is a function, so points not seen in training can be mapped.
 */
import { Activation, Loss, defaultLossParams, type ActivationName, type NetworkSpec } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { Rng } from '../rng.js';
import { Matrix } from '../tensor.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { checkAllocation, checkLayerSizes } from '../sizes.js';
import { toMatrix, type Inputs } from '../nn/data.js';
import { initWeights } from '../nn/init.js';

export interface SammonConfig {
  /** Network widths [inputs, ...hidden, outputs]; the output width is the map's dimension. */
  layers: number[];
  /** Hidden activation. Default 'tanh'. */
  hidden?: ActivationName;
  seed?: number;
}

export interface SammonFitOptions {
  /** Minibatch steps. Default 500. */
  iterations?: number;
  /** Points per minibatch (all their pairs count). Default 64. */
  batchSize?: number;
  /** Adam step size. Default 0.01. */
  lr?: number;
}

const ROWS_PER_CALL = 4096;
// Adam constants (the usual defaults).
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export class SammonMap {
  readonly layers: readonly number[];
  readonly hidden: ActivationName;
  readonly params: Float32Array[] = [];
  private readonly rng: Rng;

  constructor(config: SammonConfig) {
    const fn = 'SammonMap';
    checkOptions(fn, 'config', config, ['layers', 'hidden', 'seed']);
    if (!Array.isArray(config?.layers) || config.layers.length < 2) throw new TypeError(`${fn}: config.layers must be an array of at least 2 widths`);
    config.layers.forEach((w, i) => positiveInt(fn, `config.layers[${i}]`, w, 0));
    checkLayerSizes(fn, 'config.layers', config.layers);
    this.layers = [...config.layers];
    this.hidden = config.hidden ?? 'tanh';
    if (!Object.hasOwn(Activation, this.hidden)) throw new TypeError(`${fn}: config.hidden must be an activation name, got ${String(this.hidden)}`);
    this.rng = new Rng(config.seed ?? 0);
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const w = new Float32Array(this.layers[l]! * this.layers[l + 1]!);
      initWeights(w, this.layers[l]!, this.layers[l + 1]!, l + 2 < this.layers.length ? Activation[this.hidden] : Activation.identity, this.rng);
      this.params.push(w, new Float32Array(this.layers[l + 1]!));
    }
  }

  private spec(): NetworkSpec {
    return {
      sizes: Int32Array.from(this.layers),
      hiddenActivations: new Int32Array(this.layers.length - 2).fill(Activation[this.hidden]),
      leakySlope: 0.01,
      loss: Loss.mse, // identity output: the map's coordinates are the logits
      lossParams: defaultLossParams(),
      params: this.params,
    };
  }

  /** Trains on x (n, inputs); resolves with the minibatch stress of every step. */
  async fit(x: Inputs, options: SammonFitOptions = {}): Promise<{ stress: number[] }> {
    const fn = 'SammonMap.fit';
    checkOptions(fn, 'options', options, ['iterations', 'batchSize', 'lr']);
    const iterations = positiveInt(fn, 'options.iterations', options.iterations, 500);
    const lr = finiteNumber(fn, 'options.lr', options.lr, 0.01, 0);
    const xs = toMatrix(fn, 'x', x, this.layers[0]!);
    if (xs.rows < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${xs.rows}`);
    const m = Math.min(positiveInt(fn, 'options.batchSize', options.batchSize, 64), xs.rows);
    // Each step holds the batch's m × m distances twice (float32 Gram, float64 distances).
    checkAllocation(fn, `options.batchSize² (${m} × ${m} pairwise distances)`, m * m, 12);
    const backend = getBackend();
    const net = this.spec();
    const d = xs.cols;
    const k = this.layers[this.layers.length - 1]!;
    const xb = new Float32Array(m * d);
    const yb = new Float32Array(m * k);
    const dy = new Float32Array(m * k);
    const gram = new Float32Array(m * m);
    const grads = this.params.map((p) => new Float32Array(p.length));
    const mom = this.params.map((p) => new Float64Array(p.length));
    const vel = this.params.map((p) => new Float64Array(p.length));
    const idx = Uint32Array.from({ length: xs.rows }, (_, i) => i);
    const stress: number[] = [];
    for (let t = 1; t <= iterations; t++) {
      // A fresh random subset: the first m entries of a partial Fisher–Yates shuffle.
      for (let i = 0; i < m; i++) {
        const j = i + this.rng.below(xs.rows - i);
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
        xb.set(xs.data.subarray(idx[i]! * d, (idx[i]! + 1) * d), i * d);
      }
      backend.forward(yb, net, xb, m);
      // Input distances from the Gram matrix: |a − b|² = |a|² + |b|² − 2a·b.
      backend.gemm(gram, xb, xb, m, m, d, false, true, 1, 0);
      stress.push(stressGradient(dy, yb, gram, m, k));
      backend.backward(grads, net, xb, dy, m);
      adamStep(this.params, grads, mom, vel, t, lr);
      if (t % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { stress };
  }

  /** Map coordinates (n, outputs) of any points, seen in training or not. */
  transform(x: Inputs): Matrix {
    const xs = toMatrix('SammonMap.transform', 'x', x, this.layers[0]!);
    const k = this.layers[this.layers.length - 1]!;
    const out = Matrix.zeros(xs.rows, k);
    const net = this.spec();
    for (let r = 0; r < xs.rows; r += ROWS_PER_CALL) {
      const n = Math.min(ROWS_PER_CALL, xs.rows - r);
      getBackend().forward(out.data.subarray(r * k, (r + n) * k), net, xs.data.subarray(r * xs.cols, (r + n) * xs.cols), n);
    }
    return out;
  }
}

// Stress of the batch's pairs and its gradient dy (m, k) with respect to the
// images y (m, k); input distances from gram (m, m). Pairs of identical inputs
// are left out (stress divides by D); coincident images get no direction.
function stressGradient(dy: Float32Array, y: Float32Array, gram: Float32Array, m: number, k: number): number {
  let c = 0;
  let e = 0;
  const dist = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const big = Math.sqrt(Math.max(0, gram[i * m + i]! + gram[j * m + j]! - 2 * gram[i * m + j]!));
      dist[i * m + j] = big;
      c += big;
    }
  }
  dy.fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const big = dist[i * m + j]!;
      if (big <= 0) continue;
      let small = 0;
      for (let a = 0; a < k; a++) small += (y[i * k + a]! - y[j * k + a]!) ** 2;
      small = Math.sqrt(small);
      e += (big - small) ** 2 / big;
      if (small <= 0) continue;
      // ∂/∂y_i of (D − d)²/D = 2(d − D)/(D·d)·(y_i − y_j); the opposite for y_j.
      const g = (2 * (small - big)) / (big * small * c);
      for (let a = 0; a < k; a++) {
        const diff = g * (y[i * k + a]! - y[j * k + a]!);
        dy[i * k + a] = dy[i * k + a]! + diff;
        dy[j * k + a] = dy[j * k + a]! - diff;
      }
    }
  }
  return c > 0 ? e / c : 0;
}

// One Adam update of every parameter, in float64 state (a few thousand values per step).
function adamStep(params: Float32Array[], grads: Float32Array[], mom: Float64Array[], vel: Float64Array[], t: number, lr: number): void {
  const c1 = 1 - BETA1 ** t;
  const c2 = 1 - BETA2 ** t;
  params.forEach((p, q) => {
    const g = grads[q]!;
    const mq = mom[q]!;
    const vq = vel[q]!;
    for (let i = 0; i < p.length; i++) {
      mq[i] = BETA1 * mq[i]! + (1 - BETA1) * g[i]!;
      vq[i] = BETA2 * vq[i]! + (1 - BETA2) * g[i]! * g[i]!;
      p[i] = p[i]! - (lr * (mq[i]! / c1)) / (Math.sqrt(vq[i]! / c2) + EPS);
    }
  });
}

/** Sammon stress of a map y (n, k) of x (n, d) over all pairs, in float64. */
export function sammonStress(x: Matrix, y: Matrix): number {
  let c = 0;
  let e = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let j = i + 1; j < x.rows; j++) {
      let big = 0;
      for (let a = 0; a < x.cols; a++) big += (x.data[i * x.cols + a]! - x.data[j * x.cols + a]!) ** 2;
      let small = 0;
      for (let a = 0; a < y.cols; a++) small += (y.data[i * y.cols + a]! - y.data[j * y.cols + a]!) ** 2;
      big = Math.sqrt(big);
      if (big <= 0) continue;
      c += big;
      e += (big - Math.sqrt(small)) ** 2 / big;
    }
  }
  return c > 0 ? e / c : 0;
}
