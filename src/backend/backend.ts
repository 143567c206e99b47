/**
 * The one contract between the model layers (`nn/`) and the numeric code.
 *
 * Two implementations exist and must agree: the C++ core reached through the
 * N-API addon (`native.ts`) and the pure-TypeScript kernels in `js/`. Every
 * method takes its output first, then `const` inputs, then explicit sizes, as
 * llm.c does; matrices are row-major `Float32Array`s owned by JS.
 *
 * Both implementations validate every argument and throw a `TypeError` (wrong
 * kind of value) or `RangeError` (wrong size or value) whose message starts
 * with `<method>: <argument>` — see `validate.ts` for the exact wording.
 */
import type { Word2VecKernels } from './word2vec.js';

/** Activation functions, by the integer code that crosses into native code. */
export const Activation = {
  identity: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leakyRelu: 4,
} as const;
export type ActivationName = keyof typeof Activation;
export type ActivationCode = (typeof Activation)[ActivationName];

/**
 * Losses computed from the logits (the last layer's pre-activation), which is
 * both stable (log-sum-exp, softplus) and gives the simple gradient (y − r).
 * - `mse`: output identity, loss ½·Σ_cols (z − r)² per row.
 * - `sigmoidCrossEntropy`: K independent sigmoids (binary when K = 1,
 *   multilabel otherwise), loss −Σ_cols [r·log σ(z) + (1−r)·log(1−σ(z))].
 * - `softmaxCrossEntropy`: row-wise softmax, loss −Σ_cols r·log softmax(z).
 * Every loss is the mean over rows of the per-row loss, so with batch size 1
 * the gradient with respect to the logits is exactly (y − r).
 */
export const Loss = {
  mse: 0,
  sigmoidCrossEntropy: 1,
  softmaxCrossEntropy: 2,
} as const;
export type LossName = keyof typeof Loss;
export type LossCode = (typeof Loss)[LossName];

/** The network a training job runs on: a plain description, no methods. */
export interface NetworkSpec {
  /** Layer widths, input first: [in, h1, ..., out]; at least two entries. */
  sizes: Int32Array;
  /** One activation code per hidden layer (sizes.length − 2 entries). The
   * output layer has none of its own: the loss fixes it (identity for mse,
   * sigmoid for sigmoidCrossEntropy, softmax for softmaxCrossEntropy). */
  hiddenActivations: Int32Array;
  /** Negative slope of `leakyRelu` (ignored by the other activations). */
  leakySlope: number;
  loss: LossCode;
  /**
   * Parameters, two per layer ℓ: weight W(ℓ) of shape (sizes[ℓ+1], sizes[ℓ])
   * (PyTorch `nn.Linear` layout: out × in) then bias b(ℓ) of length
   * sizes[ℓ+1]. Updated in place by training.
   */
  params: Float32Array[];
}

/** One pass of minibatch SGD over the samples listed in `order`. */
export interface TrainJob {
  net: NetworkSpec;
  /** Inputs (n, sizes[0]). */
  x: Float32Array;
  /** Targets (n, sizes[last]): values for mse, 0/1 (or soft) labels otherwise. */
  y: Float32Array;
  /** Number of samples in x and y. */
  n: number;
  /** Sample indices in visiting order (any subset of 0..n−1, repeats allowed). */
  order: Uint32Array;
  /** Samples per update; the last batch may be smaller. */
  batchSize: number;
  learningRate: number;
  /** L2 coefficient λ: the update is w ← w − η(g + λw); biases are not decayed. */
  weightDecay: number;
}

export interface Backend extends Word2VecKernels {
  readonly name: 'native' | 'js';

  /** c (m,n) = alpha·op(a)·op(b) + beta·c, where op(a) is (m,k) and op(b) is
   * (k,n): a is stored (m,k), or (k,m) when transA; b is (k,n), or (n,k) when
   * transB. When beta is 0, c is overwritten (NaN in c does not propagate). */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
       transA: boolean, transB: boolean, alpha: number, beta: number): void;

  /** out (rows,cols) += bias (cols), broadcast over rows. */
  biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void;

  /** out (cols) = Σ over rows of inp (rows,cols): the bias gradient. */
  colSum(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;

  /** out (n) = f(inp (n)); out may be inp. */
  activationForward(out: Float32Array, inp: Float32Array, n: number, act: ActivationCode,
                    leakySlope: number): void;

  /** dinp (n) = dout (n) ⊙ f'(s), with f' written through out = f(s) (n),
   * which every supported activation allows; dinp may be dout. */
  activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number,
                     act: ActivationCode, leakySlope: number): void;

  /** out (rows,cols) = row-wise softmax of inp (rows,cols), max-subtracted. */
  softmaxRows(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;

  /** Mean loss over rows of logits (rows,cols) against target (rows,cols).
   * When dlogits is given it receives ∂loss/∂logits (rows,cols). */
  lossForwardBackward(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                      rows: number, cols: number, loss: LossCode): number;

  /** w (n) ← w − lr·(g + weightDecay·w). */
  sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void;

  /** Forward pass of the whole network: out (n, sizes[last]) = the output
   * activations (after sigmoid/softmax) for x (n, sizes[0]). */
  forward(out: Float32Array, net: NetworkSpec, x: Float32Array, n: number): void;

  /** Mean loss of the network on (x, y) and its gradient with respect to every
   * parameter, written to grads (same layout and lengths as net.params).
   * This is exactly the gradient trainEpoch applies for one batch. */
  lossGradient(grads: Float32Array[], net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;

  /** Runs one epoch of minibatch SGD (forward, loss, backward, update for
   * every batch) in one call, updating net.params in place. Returns the sum
   * over batches of (batch mean loss × batch size), so dividing by
   * order.length gives the epoch's mean training loss.
   *
   * Per batch: gather the rows of `order`, forward (z = a·Wᵀ + b, a = f(z)),
   * loss and ∂loss/∂logits, backward (dW = dzᵀ·a, db = Σ_rows dz,
   * da = dz·W with the pre-update W, dz = da ⊙ f'(a)), then the SGD update of
   * every layer. A batch whose loss is not finite throws an Error naming the
   * batch index before any weight of that batch is changed. */
  trainEpoch(job: TrainJob): number;
}
