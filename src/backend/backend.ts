/**
 * The one contract between the model layers (`nn/`) and the numeric code.
 *
 * Two implementations exist and must agree: the C++ core reached through the
 * N-API addon (`native.ts`) and the pure-TypeScript kernels in `js/`. Every
 * method takes its output first, then `const` inputs, then explicit sizes, as
 * llm.c does; matrices are row-major `Float32Array`s owned by JS.
 *
 * Both implementations are wrapped by `checked.ts`, which validates every
 * argument once and throws a `TypeError` (wrong kind of value) or
 * `RangeError` (wrong size or value) whose message starts with
 * `<method>: <argument>` — see `validate.ts` for the exact wording.
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
/** An activation function by name. */
export type ActivationName = keyof typeof Activation;
export type ActivationCode = (typeof Activation)[ActivationName];

/**
 * Losses computed from the logits z (the last layer's pre-activation), which
 * is both stable (log-sum-exp, softplus) and gives simple gradients. Each is
 * summed over columns and averaged over rows; the output transform (what
 * `forward` and predict return) is implied by the loss.
 * - `mse`: ½Σ(z − r)²; identity output.
 * - `sigmoidCrossEntropy`: −Σ[r·log σ(z) + (1−r)·log(1−σ(z))], binary
 *   (K = 1) or multilabel; sigmoid output; gradient σ(z) − r.
 * - `softmaxCrossEntropy`: −Σ c_j·log softmax(z)_j with c_j = w_j·((1−ε)r_j + ε·Σr/K)
 *   (class weights w, label smoothing ε); softmax output.
 * - `l1`: Σ|z − r|; identity output.
 * - `huber`: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond (d = z − r); identity output.
 * - `gaussianNll`: 2m outputs per row, means μ then log-variances s, against
 *   m targets: ½Σ[s + (r − μ)²·e^−s]; output: means, then variances e^s.
 * - `poissonNll`: z is the log-rate: Σ[e^z − r·z]; output the rate e^z.
 * - `focal`: −Σ[α·r·(1−p)^γ·log p + (1−α)(1−r)·p^γ·log(1−p)], p = σ(z); sigmoid output.
 * - `hinge`: binary margin with t = 2r − 1: Σ max(0, 1 − t·z); identity output (score).
 * - `multiclassHinge`: Σ_{j≠y} max(0, 1 + z_j − z_y), y = argmax of the target row; identity output.
 * - `sigmoidMse`: ½Σ(σ(z) − r)²; sigmoid output (the classic autoencoder's squared error).
 * Constants (log r!, ½log 2π) are left out, as PyTorch does by default.
 */
export const Loss = {
  mse: 0,
  sigmoidCrossEntropy: 1,
  softmaxCrossEntropy: 2,
  l1: 3,
  huber: 4,
  gaussianNll: 5,
  poissonNll: 6,
  focal: 7,
  hinge: 8,
  multiclassHinge: 9,
  sigmoidMse: 10,
} as const;
/** A loss function by name. */
export type LossName = keyof typeof Loss;
export type LossCode = (typeof Loss)[LossName];

/** Parameters of the losses that have some; the other losses ignore them. */
export interface LossParams {
  /** Huber threshold δ, in (0, ∞). */
  delta: number;
  /** Focal focusing γ in [0, ∞) and weight of positives α in [0, 1]. */
  gamma: number;
  /** Focal weight of positives α (see gamma). */
  alpha: number;
  /** Softmax CE label smoothing ε in [0, 1). */
  smoothing: number;
  /** Softmax CE per-class weights ≥ 0 (one per output), or empty for none. */
  classWeights: Float32Array;
}

export function defaultLossParams(): LossParams {
  return { delta: 1, gamma: 2, alpha: 0.25, smoothing: 0, classWeights: new Float32Array(0) };
}

/** Target columns for `cols` logits: half for gaussianNll (two heads per target), else cols. */
export function lossTargetCols(loss: number, cols: number): number {
  return loss === Loss.gaussianNll ? cols / 2 : cols;
}

/** The network a training job runs on: a plain description, no methods. */
export interface NetworkSpec {
  /** Layer widths, input first: [in, h1, ..., out]; at least two entries. */
  sizes: Int32Array;
  /** One activation code per hidden layer (sizes.length − 2 entries). The
   * output layer has none of its own: the loss fixes it (see Loss). */
  hiddenActivations: Int32Array;
  /** Negative slope of `leakyRelu` (ignored by the other activations). */
  leakySlope: number;
  loss: LossCode;
  lossParams: LossParams;
  /**
   * Parameters, two per layer ℓ: weight W(ℓ) of shape (sizes[ℓ+1], sizes[ℓ])
   * (PyTorch `nn.Linear` layout: out × in) then bias b(ℓ) of length
   * sizes[ℓ+1]. Updated in place by training.
   */
  params: Float32Array[];
  /** Sparse autoencoders: β·Σⱼ KL(ρ‖ρ̂ⱼ) on the batch-mean activation ρ̂ of
   * hidden layer `layer` (a sigmoid layer), added to the loss and its
   * gradient in lossGradient and training (not in validation losses).
   * Absent or null: off. */
  sparsity?: SparsitySpec | null;
  /** Tied weights: pairs (e, d), flattened, with W(d) = W(e)ᵀ (W(d) shaped
   * (sizes[e], sizes[e+1])). Both matrices are stored; both get the shared
   * gradient g(e) + g(d)ᵀ (transposed for d), so every optimizer keeps them
   * equal if they start equal (clipping's global norm counts the shared
   * gradient once per copy). Absent or null: none. */
  tiedPairs?: Int32Array | null;
  /** Frozen layers (fine-tuning): one flag per layer (sizes.length − 1
   * entries), 1 = frozen. A frozen layer's gradient is zero, no optimizer
   * touches its weights, bias or state, and backward stops below the lowest
   * trainable layer. Tied pairs are frozen together. Absent or null: none. */
  frozen?: Uint8Array | null;
  /** Inverted dropout: one rate in [0, 1) per hidden layer (sizes.length − 2
   * entries), applied after its activation in Backend.train only (masks from
   * the job's generator, drawn after the input noise, layer by layer);
   * forward, lossGradient, backward and trainEpoch run without it. Absent or null: none. */
  dropout?: Float64Array | null;
  /** Normalisation: one Norm code per hidden layer (sizes.length − 2
   * entries). A normalised layer's linear map adds no bias; its bias
   * parameter holds [γ, β] (layer: 2·sizes[ℓ+1] entries) or [γ, β, running
   * mean, running variance] (batch: 4·sizes[ℓ+1]; the running statistics
   * get a zero gradient and move, with momentum 0.1, in Backend.train's
   * passes when the batch's loss is finite and the layer is not frozen).
   * Batch normalisation uses the batch's statistics in Backend.train, the
   * running ones in every other call. Absent or null: none. */
  norm?: Uint8Array | null;
}

/** Normalisation of a hidden layer, by code (NetworkSpec.norm). */
export const Norm = { none: 0, layer: 1, batch: 2 } as const;

/** Whether layer l of net is frozen (NetworkSpec.frozen). */
export function layerFrozen(net: NetworkSpec, l: number): boolean {
  return net.frozen != null && net.frozen[l] === 1;
}

/**
 * The first hidden layer that Backend.train batch-normalises with the
 * batch's own statistics (not frozen), or -1, when n rows in batches of
 * batchSize (each rank's share of a global batch of ranks × batchSize) leave a batch of one row: a single row has no spread to
 * standardise over (its variance is 0), so such a fit is refused, as
 * PyTorch refuses it ("Expected more than 1 value per channel").
 */
export function batchNormedOnOneRow(net: NetworkSpec, n: number, batchSize: number, ranks = 1): number {
  // With several ranks, a rank's share of a batch (shareOf): the last batch's shares are
  // `base` or base + 1 rows (a share of 0 rows runs no pass at all).
  const last = n % (batchSize * ranks);
  const base = Math.floor(last / ranks);
  if (batchSize !== 1 && base !== 1 && !(base === 0 && last > 0)) return -1;
  return net.norm?.findIndex((code, l) => code === Norm.batch && !layerFrozen(net, l)) ?? -1;
}

export interface SparsitySpec {
  /** Hidden layer index in [0, sizes.length − 3]. */
  layer: number;
  /** Target mean activation ρ in (0, 1). */
  rho: number;
  /** Weight β in [0, ∞). */
  beta: number;
}

/** Input corruption of denoising training, by code. */
export const NoiseType = { none: 0, mask: 1, gaussian: 2 } as const;
export type NoiseTypeCode = (typeof NoiseType)[keyof typeof NoiseType];

/** Corruption of each gathered batch's inputs inside the fused step (targets
 * stay clean), drawn from the job's RNG after the epoch's shuffle: mask zeroes
 * each entry with probability level ∈ [0, 1) (one uniform draw per entry);
 * gaussian adds level·N(0, 1), level ≥ 0 (Box–Muller, two draws per entry). */
export interface InputNoise {
  type: NoiseTypeCode;
  level: number;
}

/** One pass of minibatch SGD over the samples listed in `order`. */
export interface TrainJob {
  net: NetworkSpec;
  /** Inputs (n, sizes[0]). */
  x: Float32Array;
  /** Targets (n, lossTargetCols(loss, sizes[last])). */
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

/** Optimizers of the fused training step, by code. */
export const Optimizer = { sgd: 0, momentum: 1, adam: 2, adamw: 3 } as const;
export type OptimizerName = keyof typeof Optimizer;
export type OptimizerCode = (typeof Optimizer)[OptimizerName];

/** State arrays an optimizer keeps per parameter list of `paramCount` arrays:
 * none (sgd), one velocity each (momentum), first then second moments (adam, adamw). */
export function optimizerStateCount(type: number, paramCount: number): number {
  return type === Optimizer.sgd ? 0 : type === Optimizer.momentum ? paramCount : 2 * paramCount;
}

/**
 * The update rule, applied to every parameter after clipping (all gradients
 * scaled by clipNorm/‖g‖ when their global L2 norm ‖g‖ exceeds clipNorm > 0).
 * λ = weightDecay on weights, 0 on biases; g' = g + λw:
 * - sgd: w ← w − η·g'
 * - momentum: v ← μ·v + g'; w ← w − η·v, or w − η·(g' + μ·v) with nesterov
 * - adam: m ← β1·m + (1−β1)·g'; v ← β2·v + (1−β2)·g'²; w ← w − η·m̂/(√v̂ + ε),
 *   m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), t = step after increment
 * - adamw: as adam with g in place of g', after w ← w − η·λ·w (decoupled decay)
 * sgd computes in float32, each operation rounded (η and λ rounded first), as
 * PyTorch's does; the others in float64, stored as float32. JS owns the
 * state, updated in place.
 */
export interface OptimizerSpec {
  type: OptimizerCode;
  /** λ in [0, ∞). */
  weightDecay: number;
  /** μ in [0, 1). */
  momentum: number;
  nesterov: boolean;
  /** β1, β2 in [0, 1); ε in (0, ∞). */
  beta1: number;
  beta2: number;
  eps: number;
  /** Global-norm clipping threshold in [0, ∞); 0 = off. */
  clipNorm: number;
  /** optimizerStateCount(type, params.length) arrays; state[j] is shaped like params[j mod params.length]. */
  state: Float32Array[];
  /** (1): updates applied so far (Adam's t), a non-negative integer, advanced in place. */
  step: Float64Array;
}

/** What Backend.optimizerStep did, by code: applied the update, or refused it (writing
 * nothing) because a gradient entry, or a new weight or state value, was not finite. */
export const StepOutcome = { applied: 0, nonFiniteGradient: 1, nonFiniteUpdate: 2 } as const;
export type StepOutcomeCode = (typeof StepOutcome)[keyof typeof StepOutcome];

/** Learning-rate schedules, by code. */
export const Schedule = { constant: 0, step: 1, exponential: 2, cosine: 3 } as const;
export type ScheduleName = keyof typeof Schedule;
export type ScheduleCode = (typeof Schedule)[ScheduleName];

/**
 * The rate at unit t (epochs, or updates when perStep; counted from 0 at the
 * start of the run: FitJob.resume says where a job starts): η·(t+1)/warmup while t < warmup, then with u = t − warmup:
 * constant η; step η·γ^⌊u/stepSize⌋; exponential η·γ^u;
 * cosine minLr + (η − minLr)·½(1 + cos(π·min(u, T)/T)), T = max(1, total − warmup).
 */
export interface ScheduleSpec {
  type: ScheduleCode;
  /** η, finite. */
  lr: number;
  perStep: boolean;
  /** ≥ 1. */
  stepSize: number;
  /** γ in (0, ∞). */
  gamma: number;
  /** Finite. */
  minLr: number;
  /** Cosine horizon in units, warm-up included; ≥ 1. */
  total: number;
  /** Warm-up units, ≥ 0. */
  warmup: number;
}

/** Accuracy metrics computed from the logits, by code: binaryAccuracy per
 * element ((z ≥ 0) = (r ≥ 0.5); sigmoid, focal and hinge outputs alike),
 * categoricalAccuracy per row (argmax z = argmax r). */
export const Metric = { none: 0, binaryAccuracy: 1, categoricalAccuracy: 2 } as const;
export type MetricCode = (typeof Metric)[keyof typeof Metric];

/** What early stopping watches: losses are minimised, metrics maximised. */
export const Monitor = { loss: 0, metric: 1, valLoss: 2, valMetric: 3 } as const;
export type MonitorName = keyof typeof Monitor;
export type MonitorCode = (typeof Monitor)[MonitorName];

export interface EarlyStoppingSpec {
  monitor: MonitorCode;
  /** Stop after this many epochs without improvement; 0 = never stop. */
  patience: number;
  /** An improvement must exceed this; in [0, ∞). */
  minDelta: number;
  /** End with the weights of the best epoch (tracked even with patience 0).
   * Not done when the job is aborted. */
  restoreBest: boolean;
}

/**
 * Where a job continues a longer run (checkpointed fits run as several jobs):
 * the schedule's clock and the early-stopping tracker start from here instead
 * of from zero, so consecutive jobs update exactly as one long job would.
 */
export interface FitResume {
  /** Epochs and applied updates of the run before this job, each in [0, 2^31 − 1]. Epoch numbers in
   * results and errors count from the run's start. */
  epoch: number;
  step: number;
  /** The run's best epoch so far (0 = none yet, else ≤ epoch) and its monitored value (finite; unused while 0). */
  bestEpoch: number;
  best: number;
  /** Empty, or copies of the best epoch's weights shaped like net.params: then the best weights are tracked
   * there, in place, whatever restoreBest says. restoreBest needs them (an earlier job's best lives there). */
  bestParams: Float32Array[];
  /** The run's epoch in progress (epoch + 1), stopped between two of its batches: a job's FitJob.position
   * from EPOCH_FIELDS on (batch ≥ 1). The job finishes that epoch first. Absent or null: none. */
  partial?: Float64Array | null;
}

/**
 * An epoch stopped between two batches, as a FitJob.position (from `batch`)
 * and FitResume.partial hold it: the batches done, the sums its history row
 * needs (loss × rows and metric over the applied batches, rows applied,
 * batches skipped), the rate of its last applied batch (its start rate when
 * none) and the generator state before its shuffle, one word per field, so
 * the same order can be drawn again.
 */
export const EPOCH_FIELDS = ['batch', 'lossSum', 'metricTotal', 'applied', 'skipped', 'lr', 'order0', 'order1', 'order2', 'order3'] as const;

/** FitJob.position: where a job stopped (its epochs and updates, the run's best epoch and value), then EPOCH_FIELDS. */
export const POSITION_FIELDS = ['epochs', 'steps', 'bestEpoch', 'best', ...EPOCH_FIELDS] as const;

/** Each name's index in `fields`: indexOf(fields)['lr'] is the lr column. */
function indexOf<N extends string>(fields: readonly N[]): Readonly<Record<N, number>> {
  return Object.freeze(Object.fromEntries(fields.map((name, i) => [name, i])) as Record<N, number>);
}

/** Indices into a position and a partial epoch: POSITION[name], EPOCH[name]. */
export const POSITION = indexOf(POSITION_FIELDS);
export const EPOCH = indexOf(EPOCH_FIELDS);

/** The columns of FitJob.history, one row per completed epoch: mean training
 * loss over the applied batches (NaN if none), mean training metric over
 * their rows, validation loss and metric (NaN when absent), the learning rate
 * of the epoch's last batch, and the number of skipped batches. */
export const HISTORY_FIELDS = ['loss', 'metric', 'valLoss', 'valMetric', 'lr', 'skipped'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];
/** Column indices of a history row: HISTORY.lr. */
export const HISTORY = indexOf(HISTORY_FIELDS);

/**
 * A whole training job, run by `Backend.train` in one call: epochs of
 * minibatches (reshuffled per epoch), each a fused forward, loss, backward
 * and optimizer update, then validation, history and early stopping. Plain
 * data only, so it crosses into native code once.
 */
export interface FitJob {
  net: NetworkSpec;
  /** Inputs (n, sizes[0]) and targets (n, lossTargetCols(loss, sizes[last])); n ≥ 1. */
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Validation data, shaped like x and y; nVal = 0 for none. */
  xVal: Float32Array;
  yVal: Float32Array;
  nVal: number;
  /** Most passes over the data (0 is allowed and does nothing). */
  epochs: number;
  /** Samples per update; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Visit the samples in a fresh Fisher–Yates order each epoch (else 0..n−1). */
  shuffle: boolean;
  /** xoshiro128** state (4 words, not all zero; Rng.getState()), advanced in
   * place by the shuffles, so the caller's generator continues from it. */
  rngState: Uint32Array;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  /** Not none for gaussianNll (its targets are narrower than its outputs). */
  metric: MetricCode;
  /** A monitor on validation values needs nVal ≥ 1; on a metric, a metric. */
  earlyStopping: EarlyStoppingSpec;
  /** A batch whose loss, gradient or update is not finite is skipped and counted in
   * history's `skipped` (true), or stops the job with an Error (false). */
  skipNonFinite: boolean;
  /** Report progress every this many batches as well as after every epoch; 0 = per epoch only. */
  progressEvery: number;
  /** (epochs, HISTORY_FIELDS.length), written one row per completed epoch. */
  history: Float64Array;
  /** Denoising: corrupt the inputs of every training batch. Absent or null: none. */
  inputNoise?: InputNoise | null;
  /** Continue a run from here. Absent or null: a run of its own, starting at zero. */
  resume?: FitResume | null;
  /** (POSITION_FIELDS.length) Written when the job ends without an error, cancelled too (this is how
   * its caller learns where it stopped): batch 0 when it stopped at an epoch's
   * end, and job.rngState then holds the state the next epoch starts from. Absent or null: not written. */
  position?: Float64Array | null;
  /** The processes of a data-parallel run (distributed/world.ts World): this job is rank
   * `world.rank` of `world.size`, each update the whole global batch of size × batchSize rows
   * (the ranks' shares summed by one gradient allreduce per step). Absent, null or size 1: this process alone. */
  world?: TrainingWorld | null;
}

/** What a training job needs of the processes of a data-parallel run (distributed/world.ts World). */
export interface TrainingWorld {
  rank: number;
  size: number;
  /** array ← Σ over ranks in place, added in rank order: every rank gets the same bits. */
  allreduceSum(array: Float32Array | Float64Array): Promise<void>;
  /** The native jobs' communicator (native/core/communicator.h); null for a world of one process. */
  communicator(): object | null;
}

/** The rows of a global batch of `globalRows` that rank `rank` of `size` trains on: [begin, begin + rows)
 * (contiguous shares in rank order, the first globalRows mod size one row longer; core/data_parallel.h share_of). */
export function shareOf(globalRows: number, rank: number, size: number): { begin: number; rows: number } {
  const base = Math.floor(globalRows / size),
    extra = globalRows % size;
  return { begin: rank * base + Math.min(rank, extra), rows: base + (rank < extra ? 1 : 0) };
}

/** Ranks in a job's world: 1 without one. */
export function worldSize(job: Pick<FitJob, 'world'>): number {
  return job.world?.size ?? 1;
}

/** What a training job reports; reports may be coalesced, never reordered. */
export interface TrainProgress {
  /** Epochs completed (history rows written so far). */
  epochs: number;
  /** Batches done in the current epoch (0 right after an epoch ends). */
  batches: number;
  /** Samples processed in the whole job so far. */
  samples: number;
  /** Running mean training loss of the current epoch (the finished epoch's after it ends). */
  loss: number;
}

export interface FitResult {
  /** Epochs completed: history rows written. */
  epochs: number;
  /** Samples processed (applied or skipped). */
  samples: number;
  /** 1-based epoch (of the run) with the best monitored value; 0 when none is tracked or none was finite. */
  bestEpoch: number;
  /** Its monitored value (0 when bestEpoch is 0). */
  best: number;
  /** Updates applied by this job (the per-step schedule's clock advanced by this much). */
  steps: number;
  /** Stopped by early stopping before job.epochs. */
  stoppedEarly: boolean;
  /** The signal had aborted when the job settled: it stopped between two batches (job.position says where). */
  cancelled: boolean;
}

/** What train resolves with for a signal that had aborted before the call: nothing done. */
export const NOTHING_TRAINED: Readonly<FitResult> = Object.freeze({
  epochs: 0,
  samples: 0,
  bestEpoch: 0,
  best: 0,
  steps: 0,
  stoppedEarly: false,
  cancelled: true,
});

/** Progress of a decomposition job (centredGram, symmetricEigen): `done` of `total` units of its work. */
export interface KernelProgress {
  /** Units of the work done. */
  done: number;
  /** Units of the work in all. */
  total: number;
}

export interface Backend extends Word2VecKernels {
  readonly name: 'native' | 'js';

  /** c (m,n) = alpha·op(a)·op(b) + beta·c, where op(a) is (m,k) and op(b) is
   * (k,n): a is stored (m,k), or (k,m) when transA; b is (k,n), or (n,k) when
   * transB. When beta is 0, c is overwritten (NaN in c does not propagate). */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): void;

  /** out (rows,cols) += bias (cols), broadcast over rows. */
  biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void;

  /** out (cols) = Σ over rows of inp (rows,cols): the bias gradient. */
  colSum(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;

  /** out (n) = f(inp (n)); out may be inp. */
  activationForward(out: Float32Array, inp: Float32Array, n: number, act: ActivationCode, leakySlope: number): void;

  /** dinp (n) = dout (n) ⊙ f'(s), with f' written through out = f(s) (n),
   * which every supported activation allows; dinp may be dout. */
  activationBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, n: number, act: ActivationCode, leakySlope: number): void;

  /** out (rows,cols) = row-wise softmax of inp (rows,cols), max-subtracted. */
  softmaxRows(out: Float32Array, inp: Float32Array, rows: number, cols: number): void;

  /** Mean loss over rows of logits (rows,cols) against target
   * (rows, lossTargetCols(loss, cols)). When dlogits is given it receives
   * ∂loss/∂logits (rows,cols). */
  lossForwardBackward(
    dlogits: Float32Array | null,
    logits: Float32Array,
    target: Float32Array,
    rows: number,
    cols: number,
    loss: LossCode,
    params: LossParams,
  ): number;

  /** w (n) ← w − lr·(g + weightDecay·w). */
  sgdUpdate(w: Float32Array, g: Float32Array, n: number, lr: number, weightDecay: number): void;

  /** Forward pass of the whole network: out (n, sizes[last]) = the output
   * activations (after sigmoid/softmax) for x (n, sizes[0]). */
  forward(out: Float32Array, net: NetworkSpec, x: Float32Array, n: number): void;

  /** forward, and in the same pass the mean loss of the network on x against y (n, lossTargetCols),
   * returned: evaluation in one pass, without a gradient. The loss is the one validation reports
   * (no sparsity penalty); 0 when n is 0. */
  forwardLoss(out: Float32Array, net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;

  /** Mean loss of the network on x (n, sizes[0]), y (n, lossTargetCols) and its gradient with respect to every
   * parameter, written to grads (same layout and lengths as net.params).
   * This is exactly the gradient trainEpoch applies for one batch. */
  lossGradient(grads: Float32Array[], net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number;

  /** Backpropagates dOutput (n, sizes[last]), a gradient with respect to the
   * last layer's logits computed by the caller (e.g. Sammon stress, which
   * couples samples), through the network at x (n, sizes[0]): grads (params'
   * layout) = ∂(Σ dOutput ⊙ logits)/∂params, plus the sparsity penalty's
   * gradient when net.sparsity is on. Parameters are only read. */
  backward(grads: Float32Array[], net: NetworkSpec, x: Float32Array, dOutput: Float32Array, n: number): void;

  /** One update of every parameter of net (in place) from grads (params' layout;
   * scaled in place when clipping) by `optimizer`'s rule at rate lr, its state
   * and step count advanced in place: the update train applies per batch, for a
   * caller that forms its own gradient (e.g. Sammon stress). */
  optimizerStep(net: NetworkSpec, grads: Float32Array[], optimizer: OptimizerSpec, lr: number): StepOutcomeCode;

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

  /**
   * Runs a whole training job without blocking the event loop (native: on
   * a thread of its own; TS: in slices of a few milliseconds between which
   * it yields), as every long job does (job.ts): validates `job`
   * synchronously (throws TypeError/RangeError like every method), then
   * resolves with what was done. `onProgress` is called after every epoch
   * and every job.progressEvery batches. When `signal` aborts, training
   * stops between batches (weights consistent, as after the last applied
   * batch) and the Promise resolves with `cancelled: true`; no callback runs
   * after that. An already-aborted signal resolves at once with nothing done
   * (epochs 0, the job untouched), before the job is even checked. A non-finite loss,
   * gradient or update (a step that would overflow a float32 weight or
   * optimizer state) rejects with a NonFiniteError (errors.ts: code
   * ERR_FASTNN_NON_FINITE, quantity, epoch, batch; message "train: non-finite
   * loss|gradient|update at epoch E, batch B; that batch was not applied") unless job.skipNonFinite;
   * either way no weight or state of that batch is written.
   * The same job gives the same history and weights on both backends,
   * within float32 rounding.
   */
  train(job: FitJob, onProgress: ((p: TrainProgress) => void) | null, signal?: AbortSignal): Promise<FitResult>;

  /**
   * [async] `data` as train should be given it so that it reads it where it
   * lies: `data` itself where it can (the TS backend always; native for an
   * array on a SharedArrayBuffer, or a small one), else (native, a large
   * array on a plain ArrayBuffer, which a transfer could detach mid-job) a
   * copy on a SharedArrayBuffer made in slices, the event loop running
   * between them. Rejects with the signal's reason when it aborts; errors
   * name the array as `fn`'s argument `arg`.
   */
  trainingData(data: Float32Array, fn: string, arg: string, signal?: AbortSignal): Promise<Float32Array>;

  /**
   * [async] The index of the first element of `data` that is not finite or
   * not in [min, max] (finite, min ≤ max), or −1: the pass a fit makes over
   * its data before training. Runs off the JS thread (native: a job on its
   * own thread over the pool, reading `data` in place when it is shared, as
   * trainingData returns it) or in slices that yield (TS). When `signal`
   * aborts, resolves with −1 at its next check.
   */
  firstOutside(data: Float32Array, min: number, max: number, signal?: AbortSignal): Promise<number>;

  /**
   * [async] The centred Gram matrix that PCA (the covariance) and classical
   * MDS decompose: mean (d) ← the column means of x (n, d) (float64 sums in
   * row order, stored as float32; 0 when n is 0), then out ← alpha·Xcᵀ·Xc
   * (d, d), or with `rows` alpha·Xc·Xcᵀ (n, n), where Xc = x − mean (float32
   * subtractions). The product is this backend's gemm over blocks of x
   * (rows, or columns with `rows`) added with beta 1: natively a job on its
   * own thread over the pool (x read in place when it is shared, as
   * trainingData returns it), in TS slices with the event loop turning
   * between them. The block size is fixed by n, d and rows, so the result
   * does not depend on the thread count; the backends agree within float32
   * rounding of the sums. out is exactly symmetric. Checks its arguments
   * synchronously; onProgress gets { done, total } in rows (columns) of x.
   * Resolves true, or false when `signal` stopped it first (between blocks;
   * out and mean then partial, no callback afterwards).
   */
  centredGram(
    out: Float32Array,
    mean: Float32Array,
    x: Float32Array,
    n: number,
    d: number,
    rows: boolean,
    alpha: number,
    onProgress: ((p: KernelProgress) => void) | null,
    signal?: AbortSignal,
  ): Promise<boolean>;

  /**
   * [async] The k largest eigenpairs of the symmetric a (m, m) (its lower
   * triangle is read), 0 ≤ k ≤ m, in float64: values (k) largest first
   * (equal ones in a fixed order) and the unit eigenvectors as the rows of
   * vectors (k, m), each signed so its largest-magnitude entry (the first
   * of equals) is positive. The full spectrum by Householder
   * tridiagonalisation and the implicit QL method; natively a job on its own
   * thread over the pool (a read in place when shared), in TS slices. Every
   * operation is element-wise or a sum in a fixed order, so both backends
   * and every thread count give the same bits. onProgress gets { done,
   * total } over the steps; resolves true, or false when `signal` stopped it
   * first (outputs then partial). Rejects with a RangeError naming the first
   * non-finite entry of a's lower triangle ("symmetricEigen: a contains NaN
   * at row 2, column 1").
   */
  symmetricEigen(
    values: Float64Array,
    vectors: Float32Array,
    a: Float32Array,
    m: number,
    k: number,
    onProgress: ((p: KernelProgress) => void) | null,
    signal?: AbortSignal,
  ): Promise<boolean>;
}
