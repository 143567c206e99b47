/**
 * Sammon mapping with a network: an MLP g(x | θ) (output 2-D by default)
 * trained to minimise Sammon stress
 *   E = (1/c)·Σ_{i<j} (D_ij − d_ij)² / D_ij,  c = Σ_{i<j} D_ij,
 * where D are distances between inputs and d between their images, over the
 * pairs of random minibatches (so large n costs O(batch²) per step, not n²).
 * Stress couples samples, so the network layer cannot compute it as a loss:
 * its gradient with respect to the outputs is formed here per minibatch,
 * backpropagated by the backend (Backend.backward) and applied by the
 * backend's Adam (Backend.optimizerStep, the update train uses). Unlike
 * classical MDS the result is a function, so points not seen in training can
 * be mapped.
 */
import { Activation, Loss, Optimizer, StepOutcome, defaultLossParams, type ActivationName, type NetworkSpec, type OptimizerSpec } from '../backend/backend.js';
import { NonFiniteError } from '../backend/errors.js';
import { getBackend } from '../backend/select.js';
import { Rng } from '../rng.js';
import { allocateMatrix, type Matrix } from '../tensor.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { allocate, allocating, asFailureOf, checkAllocation, checkLayerSizes } from '../sizes.js';
import { toMatrix, type Inputs } from '../inputs.js';
import { initWeights } from '../init-weights.js';

/** The network of a SammonMap. */
export interface SammonConfig {
  /** Network widths [inputs, ...hidden, outputs]; the output width is the map's dimension. */
  layers: number[];
  /** Hidden activation. Default 'tanh'. */
  hidden?: ActivationName;
  /** Seed of the weight initialisation and of the minibatch draws. Default 0. */
  seed?: number;
}

/** What SammonMap.fit reports as it runs. */
export interface SammonProgress {
  /** Steps done, of `iterations`. */
  iteration: number;
  /** Steps the fit will take in all. */
  iterations: number;
  /** The last step's minibatch stress. */
  stress: number;
}

/** Options of SammonMap.fit. */
export interface SammonFitOptions {
  /** Minibatch steps. Default 500. */
  iterations?: number;
  /** Points per minibatch (all their pairs count). Default 64. */
  batchSize?: number;
  /** Adam step size. Default 0.01. */
  lr?: number;
  /** Called every `progressEvery` steps and after the last. */
  onProgress?: (p: SammonProgress) => void;
  /** Steps between onProgress calls. Default 50. */
  progressEvery?: number;
  /** Stops between two steps; fit then rejects with the signal's reason (the weights hold the last step's update). */
  signal?: AbortSignal;
}

const FIT_KEYS = ['iterations', 'batchSize', 'lr', 'onProgress', 'progressEvery', 'signal'] as const;
const ROWS_PER_CALL = 4096;
/** The longest stretch fit computes without yielding to the event loop. */
const SLICE_MS = 10;

/** A Sammon map learned by a network: fit it on points, then map any points to the plane (or k dimensions). */
export class SammonMap {
  /** Network widths, input first. */
  readonly layers: readonly number[];
  /** Activation of the hidden layers. */
  readonly hidden: ActivationName;
  /** Weights and biases of each layer, in order (W0, b0, W1, b1, …). */
  readonly params: Float32Array[] = [];
  private readonly rng: Rng;
  private busy = false;

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
      const w = allocate(fn, `the weights of layer ${l}`, Float32Array, this.layers[l + 1]!, this.layers[l]!);
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

  private enter(fn: string): void {
    if (this.busy) throw new Error(`${fn}: the map is busy training; wait for fit() to settle first`);
  }

  /**
   * Trains on x (n, inputs) without blocking the event loop (it yields every
   * few milliseconds); resolves with the minibatch stress of every step.
   * Like MLP.fit: onProgress every progressEvery steps, and an aborted
   * signal rejects with its reason.
   */
  async fit(x: Inputs, options: SammonFitOptions = {}): Promise<{ stress: number[] }> {
    const fn = 'SammonMap.fit';
    this.enter(fn);
    checkOptions(fn, 'options', options, FIT_KEYS);
    const iterations = positiveInt(fn, 'options.iterations', options.iterations, 500);
    const lr = finiteNumber(fn, 'options.lr', options.lr, 0.01, 0);
    const progressEvery = positiveInt(fn, 'options.progressEvery', options.progressEvery, 50);
    const { onProgress, signal } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`${fn}: options.onProgress must be a function`);
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${fn}: options.signal must be an AbortSignal`);
    const xs = toMatrix(fn, 'x', x, this.layers[0]!);
    if (xs.rows < 2) throw new RangeError(`${fn}: x must have at least 2 rows, got ${xs.rows}`);
    const m = Math.min(positiveInt(fn, 'options.batchSize', options.batchSize, 64), xs.rows);
    // Each step holds the batch's m × m distances twice (float32 Gram, float64 distances).
    checkAllocation(fn, `options.batchSize² (${m} × ${m} pairwise distances)`, m * m, 12);
    signal?.throwIfAborted();
    this.busy = true;
    try {
      return await this.train(xs, m, iterations, lr, progressEvery, onProgress, signal);
    } catch (err) {
      throw asFailureOf(fn, err);
    } finally {
      this.busy = false;
    }
  }

  private async train(
    xs: Matrix,
    m: number,
    iterations: number,
    lr: number,
    progressEvery: number,
    onProgress: ((p: SammonProgress) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ stress: number[] }> {
    const backend = getBackend();
    const net = this.spec();
    const d = xs.cols;
    const k = this.layers[this.layers.length - 1]!;
    const fn = 'SammonMap.fit';
    const { xb, yb, dy, gram, grads, adam, idx } = allocating(fn, `the scratch buffers for batches of ${m} rows`, () => ({
      xb: new Float32Array(m * d),
      yb: new Float32Array(m * k),
      dy: new Float32Array(m * k),
      gram: new Float32Array(m * m),
      grads: this.params.map((p) => new Float32Array(p.length)),
      adam: adamSpec(this.params),
      idx: Uint32Array.from({ length: xs.rows }, (_, i) => i),
    }));
    // The batch's pairwise distances, reused by every step.
    const dist = allocate(fn, 'the pairwise distances', Float64Array, m, m);
    const stress: number[] = [];
    let sliceStart = performance.now();
    for (let t = 1; t <= iterations; t++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      signal?.throwIfAborted();
      // A fresh random subset: the first m entries of a partial Fisher–Yates shuffle.
      for (let i = 0; i < m; i++) {
        const j = i + this.rng.below(xs.rows - i);
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
        xb.set(xs.data.subarray(idx[i]! * d, (idx[i]! + 1) * d), i * d);
      }
      backend.forward(yb, net, xb, m);
      // Input distances from the Gram matrix: |a − b|² = |a|² + |b|² − 2a·b.
      backend.gemm(gram, xb, xb, m, m, d, false, true, 1, 0);
      stress.push(stressGradient(dy, yb, gram, dist, m, k));
      backend.backward(grads, net, xb, dy, m);
      const outcome = backend.optimizerStep(net, grads, adam, lr);
      if (outcome !== StepOutcome.applied) {
        const quantity = outcome === StepOutcome.nonFiniteGradient ? 'gradient' : 'update';
        throw new NonFiniteError(
          `SammonMap.fit: non-finite ${quantity} at step ${t}; that step was not applied ` + '(lower the learning rate or check the data)',
          quantity,
          1,
          t - 1,
        );
      }
      if (onProgress && (t % progressEvery === 0 || t === iterations)) onProgress({ iteration: t, iterations, stress: stress[t - 1]! });
    }
    return { stress };
  }

  /** Map coordinates (n, outputs) of any points, seen in training or not. */
  transform(x: Inputs): Matrix {
    const fn = 'SammonMap.transform';
    this.enter(fn);
    const xs = toMatrix(fn, 'x', x, this.layers[0]!);
    const k = this.layers[this.layers.length - 1]!;
    const out = allocateMatrix(fn, 'the map coordinates', xs.rows, k);
    const net = this.spec();
    for (let r = 0; r < xs.rows; r += ROWS_PER_CALL) {
      const n = Math.min(ROWS_PER_CALL, xs.rows - r);
      getBackend().forward(out.data.subarray(r * k, (r + n) * k), net, xs.data.subarray(r * xs.cols, (r + n) * xs.cols), n);
    }
    return out;
  }
}

// Stress of the batch's pairs and its gradient dy (m, k) with respect to the
// images y (m, k); input distances from gram (m, m), kept in dist (m, m; its
// upper triangle). Pairs of identical inputs are left out (stress divides by
// D); coincident images get no direction.
function stressGradient(dy: Float32Array, y: Float32Array, gram: Float32Array, dist: Float64Array, m: number, k: number): number {
  let c = 0;
  let e = 0;
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

// Adam with the usual constants and zeroed moments, for params.
function adamSpec(params: Float32Array[]): OptimizerSpec {
  return {
    type: Optimizer.adam,
    weightDecay: 0,
    momentum: 0,
    nesterov: false,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    clipNorm: 0,
    state: [...params, ...params].map((p) => new Float32Array(p.length)),
    step: new Float64Array(1),
  };
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
