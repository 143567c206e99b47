/**
 * Whole-network passes built from the kernels: forward, the gradient of one
 * batch, and an epoch of minibatch SGD. Every workspace (activations, deltas,
 * gradients, gathered batch, float64 scratch) is allocated once per call and
 * reused for every batch; the loops below allocate nothing.
 *
 * The passes a training step runs come with two drivers over the same
 * per-layer helpers: as pieces (pieces.ts), whose products gemmPieces cuts,
 * so a step of a large network lets the event loop turn between them; and
 * at once (forwardWhole, backwardWhole, batchPassWhole), with plain gemm
 * calls and no generator, for a step that is one piece (trainer.ts
 * stepIsOnePiece) and for the synchronous backend calls: generators were
 * ~40% of a per-sample XOR step. The element-wise passes between two
 * products (bias, activation, normalisation, dropout, loss) run whole: each
 * costs about 1/width of the product beside it.
 *
 * Layout: layer ℓ maps sizes[ℓ] → sizes[ℓ+1] with W(ℓ) = params[2ℓ] stored
 * (out, in) like PyTorch nn.Linear and b(ℓ) = params[2ℓ+1], so the forward
 * product is z = a·Wᵀ (gemm with transB) and the weight gradient dzᵀ·a comes
 * out directly in (out, in) order (gemm with transA).
 */
import { layerFrozen, lossTargetCols, Norm, type NetworkSpec, type TrainJob } from '../backend.js';
import { activationBackward, activationForward } from './activations.js';
import { biasAdd, colSum, sgdUpdate } from './elementwise.js';
import { gemm, gemmPieces } from './gemm.js';
import { lossForwardBackward, outputTransform } from './losses.js';
import { metricSum } from './metrics.js';
import { corruptInput, foldTiedGradient, sparsityBackward, sparsityPenalty } from './autoencoder-terms.js';
import { dropoutBackward, dropoutForward } from './dropout.js';
import { batchNormBackward, batchNormForward, batchNormUpdateRunning, layerNormBackward, layerNormForward } from './normalization.js';
import type { InputNoise } from '../backend.js';
import type { Rng } from '../../rng.js';
import { allocating } from '../../sizes.js';
import type { Pieces } from './pieces.js';

/** Buffers for passes of up to `rows` rows. acts[ℓ] (rows, sizes[ℓ+1]) holds
 * layer ℓ's output (the logits for the last layer); deltas[ℓ] the same shape
 * holds ∂loss/∂z(ℓ) during backward. */
interface Workspace {
  acts: Float32Array[];
  deltas: Float32Array[];
  /** float64 scratch for gemm and colSum rows: max(sizes) entries. */
  acc: Float64Array;
}

function maxWidth(sizes: Int32Array): number {
  let w = 0;
  for (let i = 0; i < sizes.length; i++) w = Math.max(w, sizes[i]!);
  return w;
}

/** What fn's workspace is called when it does not fit (as in native/core/network.cc): the row count is what the caller can lower. */
function allocatingScratch<T>(fn: string, rows: number, make: () => T): T {
  return allocating(fn, `the network's scratch buffers for batches of ${rows} rows`, make);
}

// With `lastOut`, the last layer writes there instead of a buffer of its own.
function allocWorkspace(fn: string, sizes: Int32Array, rows: number, withDeltas: boolean, lastOut?: Float32Array): Workspace {
  return allocatingScratch(fn, rows, () => {
    const acts: Float32Array[] = [];
    const deltas: Float32Array[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const last = l + 2 === sizes.length;
      acts.push(last && lastOut ? lastOut : new Float32Array(rows * sizes[l + 1]!));
      if (withDeltas) deltas.push(new Float32Array(rows * sizes[l + 1]!));
    }
    return { acts, deltas, acc: new Float64Array(maxWidth(sizes)) };
  });
}

/** net as one object literal with every NetworkSpec field, in one order:
 * the same map for every job, whatever built the caller's spec (a spread
 * such as fit's { ...spec, frozen } gives each call a map of its own, and
 * each new map deoptimised every pass a job's first steps reached).
 * Shares net's arrays, so the parameters train in place. */
export function sameShapeSpec(net: NetworkSpec): NetworkSpec {
  return {
    sizes: net.sizes,
    hiddenActivations: net.hiddenActivations,
    leakySlope: net.leakySlope,
    loss: net.loss,
    lossParams: net.lossParams,
    params: net.params,
    sparsity: net.sparsity ?? null,
    tiedPairs: net.tiedPairs ?? null,
    frozen: net.frozen ?? null,
    dropout: net.dropout ?? null,
    norm: net.norm ?? null,
  };
}

/** Columns of the targets: lossTargetCols(loss, sizes[last]). */
export function targetCols(net: NetworkSpec): number {
  return lossTargetCols(net.loss, net.sizes[net.sizes.length - 1]!);
}

/** What a pass keeps from forward for backward (BatchWorkspace's buffers):
 * dropout masks and dropped activations with the generator drawing the
 * masks, and normalisation's x̂, scales and batch statistics. Null:
 * inference (no dropout, normalisation without saving anything). */
interface PassScratch {
  masks: Float32Array[];
  outs: Float32Array[];
  rng: Rng | null;
  /** Whether the pass applies (or applied) net.dropout. */
  dropout: boolean;
  xhat: Float32Array[];
  invStd: Float32Array[];
  /** Batch normalisation from the batch's statistics. */
  training: boolean;
  batchMean: Float32Array[];
  batchVar: Float32Array[];
}

// Dropout and batch statistics are on exactly when the pass has a generator (Backend.train's).
function scratchOf(ws: BatchWorkspace, rng: Rng | null): PassScratch {
  return {
    masks: ws.dropMasks,
    outs: ws.dropOuts,
    rng,
    dropout: rng !== null,
    xhat: ws.normXhat,
    invStd: ws.normInvStd,
    training: rng !== null,
    batchMean: ws.batchMean,
    batchVar: ws.batchVar,
  };
}

// Batch statistics for layer ℓ: a training pass, and the layer not frozen (a frozen layer is a fixed function).
function batchStats(net: NetworkSpec, d: PassScratch | null, l: number): boolean {
  return d !== null && d.training && !layerFrozen(net, l);
}

// z (rows, out) ← its normalisation, for a normalised hidden layer ℓ; else z + b(ℓ).
function normaliseOrBias(z: Float32Array, net: NetworkSpec, d: PassScratch | null, l: number, rows: number): void {
  const out = net.sizes[l + 1]!;
  const b = net.params[2 * l + 1]!;
  switch (net.norm?.[l] ?? Norm.none) {
    case Norm.layer:
      layerNormForward(z, d?.xhat[l] ?? null, d?.invStd[l] ?? null, z, b, rows, out);
      return;
    case Norm.batch:
      batchNormForward(z, d?.xhat[l] ?? null, d?.invStd[l] ?? null, d?.batchMean[l] ?? null, d?.batchVar[l] ?? null, z, b, rows, out, batchStats(net, d, l));
      return;
    default:
      biasAdd(z, b, rows, out);
  }
}

// dz (rows, out) ← ∂loss/∂z of layer ℓ's linear map from ∂loss/∂(its normalised output), in place;
// dParams (b(ℓ)'s shape) gets [γ, β]'s gradient unless null.
function normalisationBackward(dz: Float32Array, dParams: Float32Array | null, net: NetworkSpec, d: PassScratch, l: number, rows: number): void {
  const out = net.sizes[l + 1]!;
  const b = net.params[2 * l + 1]!;
  if (net.norm![l] === Norm.layer) layerNormBackward(dz, dParams, dz, d.xhat[l]!, d.invStd[l]!, b, rows, out);
  else batchNormBackward(dz, dParams, dz, d.xhat[l]!, d.invStd[l]!, b, rows, out, batchStats(net, d, l));
}

function drops(net: NetworkSpec, d: PassScratch | null, hiddenLayer: number): d is PassScratch {
  return d !== null && d.dropout && net.dropout != null && net.dropout[hiddenLayer]! > 0;
}

/** Whether hidden layer l is normalised (NetworkSpec.norm). */
function layerNormed(net: NetworkSpec, l: number): boolean {
  return net.norm != null && l < net.norm.length && net.norm[l] !== Norm.none;
}

// What layer ℓ reads: x, the previous layer's activations, or their dropped copy.
function layerInput(net: NetworkSpec, x: Float32Array, ws: Workspace, d: PassScratch | null, l: number): Float32Array {
  if (l === 0) return x;
  return drops(net, d, l - 1) ? d.outs[l - 1]! : ws.acts[l - 1]!;
}

// x (rows, sizes[0]) -> ws.acts[ℓ] (rows, sizes[ℓ+1]); returns the logits buffer (hidden
// activations applied, output transform not). With d, the dropped activations
// go to d.outs and feed the next layer. forwardWhole is the same pass at once.
function* forwardLayers(net: NetworkSpec, x: Float32Array, rows: number, ws: Workspace, d: PassScratch | null = null): Pieces<Float32Array> {
  const { sizes, params } = net;
  for (let l = 0; l + 1 < sizes.length; l++) {
    yield* gemmPieces(ws.acts[l]!, layerInput(net, x, ws, d, l), params[2 * l]!, rows, sizes[l + 1]!, sizes[l]!, false, true, 1, 0, ws.acc);
    forwardFinish(net, rows, ws, d, l);
  }
  return ws.acts[sizes.length - 2]!;
}

function forwardWhole(net: NetworkSpec, x: Float32Array, rows: number, ws: Workspace, d: PassScratch | null = null): Float32Array {
  const { sizes, params } = net;
  for (let l = 0; l + 1 < sizes.length; l++) {
    gemm(ws.acts[l]!, layerInput(net, x, ws, d, l), params[2 * l]!, rows, sizes[l + 1]!, sizes[l]!, false, true, 1, 0, ws.acc);
    forwardFinish(net, rows, ws, d, l);
  }
  return ws.acts[sizes.length - 2]!;
}

// Layer ℓ's forward after its product z = input·Wᵀ: bias or normalisation, then (hidden layers) activation and dropout.
function forwardFinish(net: NetworkSpec, rows: number, ws: Workspace, d: PassScratch | null, l: number): void {
  const hidden = l + 2 < net.sizes.length;
  const size = rows * net.sizes[l + 1]!;
  const z = ws.acts[l]!;
  normaliseOrBias(z, net, d, l, rows);
  if (hidden) activationForward(z, z, size, net.hiddenActivations[l]!, net.leakySlope);
  if (hidden && drops(net, d, l)) dropoutForward(d.outs[l]!, d.masks[l]!, z, size, net.dropout![l]!, d.rng!);
}

// The sparsity penalty of a forward pass's activations (0 when off); fills rhoHat.
function penalty(net: NetworkSpec, ws: Workspace, rows: number, rhoHat: Float64Array): number {
  const s = net.sparsity;
  if (!s) return 0;
  return sparsityPenalty(rhoHat, ws.acts[s.layer]!, rows, net.sizes[s.layer + 1]!, s);
}

// Layer ℓ's weight and bias gradients from its deltas dz (rows, out) and inputs aPrev (rows, in); zero when frozen
// (clipping's global norm then ignores it). A normalised layer's [γ, β] gradient comes from normalisationBackward.
// dW (out,in) = dzᵀ (out,rows) · aPrev (rows,in); db (out) = Σ_rows dz. layerGradientWhole is the same at once.
function* layerGradient(
  grads: Float32Array[],
  net: NetworkSpec,
  l: number,
  rows: number,
  aPrev: Float32Array,
  dz: Float32Array,
  acc: Float64Array,
): Pieces<void> {
  if (zeroIfFrozen(grads, net, l)) return;
  yield* gemmPieces(grads[2 * l]!, dz, aPrev, net.sizes[l + 1]!, net.sizes[l]!, rows, true, false, 1, 0, acc);
  biasGradient(grads, net, l, rows, dz, acc);
}

function layerGradientWhole(grads: Float32Array[], net: NetworkSpec, l: number, rows: number, aPrev: Float32Array, dz: Float32Array, acc: Float64Array): void {
  if (zeroIfFrozen(grads, net, l)) return;
  gemm(grads[2 * l]!, dz, aPrev, net.sizes[l + 1]!, net.sizes[l]!, rows, true, false, 1, 0, acc);
  biasGradient(grads, net, l, rows, dz, acc);
}

function zeroIfFrozen(grads: Float32Array[], net: NetworkSpec, l: number): boolean {
  if (!layerFrozen(net, l)) return false;
  grads[2 * l]!.fill(0);
  grads[2 * l + 1]!.fill(0);
  return true;
}

function biasGradient(grads: Float32Array[], net: NetworkSpec, l: number, rows: number, dz: Float32Array, acc: Float64Array): void {
  if (!layerNormed(net, l)) colSum(grads[2 * l + 1]!, dz, rows, net.sizes[l + 1]!, acc);
}

// A tied pair's two gradients become one (autoencoder-terms.ts).
function foldTied(grads: Float32Array[], net: NetworkSpec): void {
  const tied = net.tiedPairs;
  if (!tied) return;
  for (let i = 0; i < tied.length; i += 2) {
    const e = tied[i]!;
    foldTiedGradient(grads[2 * e]!, grads[2 * tied[i + 1]!]!, net.sizes[e + 1]!, net.sizes[e]!);
  }
}

// Given ws.deltas[last] = ∂loss/∂logits (rows, sizes[last]), fills every layer's deltas and, unless grads
// is null, writes grads (params' layout). Uses the weights as they are (the pre-update weights during
// training); rhoHat is what penalty() left when the sparsity penalty is on. For each layer ℓ from the
// top: its normalisation's backward, its gradients, then da (rows,in) = dz (rows,out) · W (out,in) into
// deltas[ℓ−1], finished by backwardFinish. backwardWhole is the same pass at once.
function* backwardLayers(
  grads: Float32Array[] | null,
  net: NetworkSpec,
  x: Float32Array,
  rows: number,
  ws: Workspace,
  rhoHat: Float64Array,
  d: PassScratch | null = null,
): Pieces<void> {
  const lowest = lowestTrained(net);
  for (let l = net.sizes.length - 2; l >= 0; l--) {
    backwardStart(grads, net, rows, ws, d, l, lowest);
    if (grads !== null) yield* layerGradient(grads, net, l, rows, layerInput(net, x, ws, d, l), ws.deltas[l]!, ws.acc);
    if (l > lowest) yield* gemmPieces(ws.deltas[l - 1]!, ws.deltas[l]!, net.params[2 * l]!, rows, net.sizes[l]!, net.sizes[l + 1]!, false, false, 1, 0, ws.acc);
    if (l > lowest) backwardFinish(net, rows, ws, rhoHat, d, l);
  }
  if (grads !== null) foldTied(grads, net);
}

function backwardWhole(
  grads: Float32Array[] | null,
  net: NetworkSpec,
  x: Float32Array,
  rows: number,
  ws: Workspace,
  rhoHat: Float64Array,
  d: PassScratch | null = null,
): void {
  const lowest = lowestTrained(net);
  for (let l = net.sizes.length - 2; l >= 0; l--) {
    backwardStart(grads, net, rows, ws, d, l, lowest);
    if (grads !== null) layerGradientWhole(grads, net, l, rows, layerInput(net, x, ws, d, l), ws.deltas[l]!, ws.acc);
    if (l > lowest) gemm(ws.deltas[l - 1]!, ws.deltas[l]!, net.params[2 * l]!, rows, net.sizes[l]!, net.sizes[l + 1]!, false, false, 1, 0, ws.acc);
    if (l > lowest) backwardFinish(net, rows, ws, rhoHat, d, l);
  }
  if (grads !== null) foldTied(grads, net);
}

// Below the lowest trainable layer no delta is needed: a frozen encoder costs its forward pass only.
function lowestTrained(net: NetworkSpec): number {
  let lowest = 0;
  while (lowest < net.sizes.length - 1 && layerFrozen(net, lowest)) lowest++;
  return lowest;
}

// Through layer ℓ's normalisation first: deltas[ℓ] becomes ∂loss/∂z of the linear map, and [γ, β] get their gradient.
function backwardStart(grads: Float32Array[] | null, net: NetworkSpec, rows: number, ws: Workspace, d: PassScratch | null, l: number, lowest: number): void {
  if (layerNormed(net, l) && l >= lowest) {
    normalisationBackward(ws.deltas[l]!, grads !== null && !layerFrozen(net, l) ? grads[2 * l + 1]! : null, net, d!, l, rows);
  }
}

// deltas[ℓ−1] holds da: dropout's mask, then the sparsity penalty's gradient (it reads layer ℓ−1's activations, so
// it joins da before f'), then dz(ℓ−1) = da ⊙ f'(a) in place.
function backwardFinish(net: NetworkSpec, rows: number, ws: Workspace, rhoHat: Float64Array, d: PassScratch | null, l: number): void {
  const inW = net.sizes[l]!;
  const dPrev = ws.deltas[l - 1]!;
  if (drops(net, d, l - 1)) dropoutBackward(dPrev, dPrev, d.masks[l - 1]!, rows * inW);
  if (net.sparsity && net.sparsity.layer === l - 1) sparsityBackward(dPrev, rhoHat, rows, inW, net.sparsity);
  activationBackward(dPrev, dPrev, ws.acts[l - 1]!, rows * inW, net.hiddenActivations[l - 1]!, net.leakySlope);
}

// out (n, sizes[last]) = network output (after the loss's output transform) for x (n, sizes[0]).
export function forward(out: Float32Array, net: NetworkSpec, x: Float32Array, n: number): void {
  forwardLoss(out, net, x, null, n, 'forward');
}

// forward, and in the same pass the mean loss over y (n, target columns), returned (0 when y is null); no penalty.
// fn: the backend function its failures are thrown as.
export function forwardLoss(out: Float32Array, net: NetworkSpec, x: Float32Array, y: Float32Array | null, n: number, fn = 'forwardLoss'): number {
  // The last layer writes straight into out; the output transform runs in place, after the loss read the logits.
  const ws = allocWorkspace(fn, net.sizes, n, false, out);
  const k = net.sizes[net.sizes.length - 1]!;
  const logits = forwardWhole(net, x, n, ws);
  const loss = y && n ? lossForwardBackward(null, logits, y, n, k, net.loss, net.lossParams) : 0;
  outputTransform(out, n, k, net.loss);
  return loss;
}

// grads (params' layout) = ∂(mean loss over the n rows of x (n, sizes[0]), y (n, sizes[last]))/∂params;
// returns that mean loss.
export function lossGradient(grads: Float32Array[], net: NetworkSpec, x: Float32Array, y: Float32Array, n: number): number {
  const ws = allocBatchWorkspace('lossGradient', net, n);
  const s = scratchOf(ws, null); // normalisation's buffers; no dropout outside training
  const k = net.sizes[net.sizes.length - 1]!;
  const logits = forwardWhole(net, x, n, ws, s);
  const loss = lossForwardBackward(ws.deltas[ws.deltas.length - 1]!, logits, y, n, k, net.loss, net.lossParams) + penalty(net, ws, n, ws.rhoHat);
  backwardWhole(grads, net, x, n, ws, ws.rhoHat, s);
  return loss;
}

// grads = ∂(Σ dOutput ⊙ logits)/∂params at x (n, sizes[0]); dOutput (n, sizes[last]).
export function backward(grads: Float32Array[], net: NetworkSpec, x: Float32Array, dOutput: Float32Array, n: number): void {
  const ws = allocBatchWorkspace('backward', net, n);
  const s = scratchOf(ws, null);
  forwardWhole(net, x, n, ws, s);
  penalty(net, ws, n, ws.rhoHat);
  ws.deltas[ws.deltas.length - 1]!.set(dOutput.subarray(0, n * net.sizes[net.sizes.length - 1]!));
  backwardWhole(grads, net, x, n, ws, ws.rhoHat, s);
}

/** Buffers for forward + backward of batches of up to `cap` rows, allocated
 * once per job: per-layer activations and deltas, the gathered batch, and one
 * gradient per parameter (params' layout). */
export interface BatchWorkspace extends Workspace {
  xb: Float32Array;
  yb: Float32Array;
  grads: Float32Array[];
  /** The sparse layer's mean activations, from forward to backward. */
  rhoHat: Float64Array;
  /** Dropout per hidden layer (empty where its rate is 0): masks and dropped activations. */
  dropMasks: Float32Array[];
  dropOuts: Float32Array[];
  /** Normalisation per hidden layer (empty where off): x̂ (cap, width), the scales 1/√(σ² + ε) (cap for
   * layer, width for batch normalisation), and batch normalisation's batch mean and unbiased variance (width). */
  normXhat: Float32Array[];
  normInvStd: Float32Array[];
  batchMean: Float32Array[];
  batchVar: Float32Array[];
}

/** fn: the backend function its failures are thrown as. */
export function allocBatchWorkspace(fn: string, net: NetworkSpec, cap: number): BatchWorkspace {
  const { acts, deltas, acc } = allocWorkspace(fn, net.sizes, cap, true);
  return allocatingScratch(fn, cap, () => new BatchBuffers(net, cap, acts, deltas, acc));
}

/** A BatchWorkspace built by a constructor, not as an object literal (nor a
 * spread, whose result gets a map of its own per call). V8 builds a
 * literal's later copies from its first, and the second copy widened the
 * field types of its typed arrays: every pass compiled against a fit's first
 * job (which nn/fit.ts runs in jobs of 4096 epochs) was deoptimised when the
 * second began. Objects built by one constructor keep one map and its field types. */
class BatchBuffers implements BatchWorkspace {
  readonly xb: Float32Array;
  readonly yb: Float32Array;
  readonly grads: Float32Array[];
  readonly rhoHat: Float64Array;
  readonly dropMasks: Float32Array[];
  readonly dropOuts: Float32Array[];
  readonly normXhat: Float32Array[];
  readonly normInvStd: Float32Array[];
  readonly batchMean: Float32Array[];
  readonly batchVar: Float32Array[];

  constructor(
    net: NetworkSpec,
    cap: number,
    readonly acts: Float32Array[],
    readonly deltas: Float32Array[],
    readonly acc: Float64Array,
  ) {
    const { sizes } = net;
    this.xb = new Float32Array(cap * sizes[0]!);
    this.yb = new Float32Array(cap * targetCols(net));
    this.grads = net.params.map((p) => new Float32Array(p.length));
    this.rhoHat = new Float64Array(maxWidth(sizes));
    this.dropMasks = Array.from(net.dropout ?? [], (rate, l) => new Float32Array(rate > 0 ? cap * sizes[l + 1]! : 0));
    this.dropOuts = Array.from(net.dropout ?? [], (rate, l) => new Float32Array(rate > 0 ? cap * sizes[l + 1]! : 0));
    this.normXhat = Array.from(net.norm ?? [], (code, l) => new Float32Array(code !== Norm.none ? cap * sizes[l + 1]! : 0));
    this.normInvStd = Array.from(net.norm ?? [], (code, l) => new Float32Array(code === Norm.layer ? cap : code === Norm.batch ? sizes[l + 1]! : 0));
    this.batchMean = Array.from(net.norm ?? [], (code, l) => new Float32Array(code === Norm.batch ? sizes[l + 1]! : 0));
    this.batchVar = Array.from(net.norm ?? [], (code, l) => new Float32Array(code === Norm.batch ? sizes[l + 1]! : 0));
  }
}

// Gathers rows order[start..start+rows) of x (n, sizes[0]), y (n, sizes[last]) into ws, runs forward and the
// loss and, when that loss is finite, backward: every layer's deltas and, unless grads is null, grads.
// Returns the batch mean loss (sparsity penalty included). With noise and rng the gathered inputs are
// corrupted before forward, the targets left clean (denoising); with rng, net.dropout applies
// too (masks drawn after the noise, layer by layer). Parameters are only read.
function* batchPass(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  start: number,
  rows: number,
  noise: InputNoise | null | undefined,
  rng: Rng | undefined,
  grads: Float32Array[] | null,
): Pieces<number> {
  const d = gatherBatch(ws, net, x, y, order, start, rows, noise, rng);
  const loss = batchLoss(net, ws, rows, yield* forwardLayers(net, ws.xb, rows, ws, d));
  if (Number.isFinite(loss)) yield* backwardLayers(grads, net, ws.xb, rows, ws, ws.rhoHat, d);
  // After the last piece: the running statistics change once the step can no longer stop.
  if (Number.isFinite(loss)) updateRunning(net, ws, d);
  return loss;
}

/** batchPass at once, for a step that is one piece (stepIsOnePiece): batchGradient's when grads is ws.grads,
 * batchDeltas' when null. */
export function batchPassWhole(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  start: number,
  rows: number,
  noise: InputNoise | null | undefined,
  rng: Rng | undefined,
  grads: Float32Array[] | null,
): number {
  const d = gatherBatch(ws, net, x, y, order, start, rows, noise, rng);
  const loss = batchLoss(net, ws, rows, forwardWhole(net, ws.xb, rows, ws, d));
  if (Number.isFinite(loss)) backwardWhole(grads, net, ws.xb, rows, ws, ws.rhoHat, d);
  if (Number.isFinite(loss)) updateRunning(net, ws, d);
  return loss;
}

// Rows order[start..start+rows) of x and y into ws.xb and ws.yb, noise on the inputs; the pass's scratch.
function gatherBatch(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  start: number,
  rows: number,
  noise: InputNoise | null | undefined,
  rng: Rng | undefined,
): PassScratch {
  const inW = net.sizes[0]!;
  const t = targetCols(net);
  const { xb, yb } = ws;
  for (let r = 0; r < rows; r++) {
    // Plain copies rather than set(subarray(...)): no view objects per row.
    const row = order[start + r]!;
    const xs = row * inW;
    const xd = r * inW;
    for (let j = 0; j < inW; j++) xb[xd + j] = x[xs + j]!;
    const ys = row * t;
    const yd = r * t;
    for (let j = 0; j < t; j++) yb[yd + j] = y[ys + j]!;
  }
  if (noise && rng) corruptInput(xb, rows * inW, noise, rng);
  return scratchOf(ws, rng ?? null);
}

// The batch's mean loss from its logits (the sparsity penalty included); ∂loss/∂logits into the top deltas.
function batchLoss(net: NetworkSpec, ws: BatchWorkspace, rows: number, logits: Float32Array): number {
  const k = net.sizes[net.sizes.length - 1]!;
  return lossForwardBackward(ws.deltas[ws.deltas.length - 1]!, logits, ws.yb, rows, k, net.loss, net.lossParams) + penalty(net, ws, rows, ws.rhoHat);
}

// Batch normalisation's running statistics from this batch's.
function updateRunning(net: NetworkSpec, ws: BatchWorkspace, d: PassScratch): void {
  net.norm?.forEach((code, l) => {
    if (code === Norm.batch && batchStats(net, d, l)) batchNormUpdateRunning(net.params[2 * l + 1]!, ws.batchMean[l]!, ws.batchVar[l]!, net.sizes[l + 1]!);
  });
}

/** batchPass leaving ws.grads = ∂(batch mean loss)/∂params (native network_batch_gradient). */
export function batchGradient(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  start: number,
  rows: number,
  noise?: InputNoise | null,
  rng?: Rng,
): Pieces<number> {
  return batchPass(ws, net, x, y, order, start, rows, noise, rng, ws.grads);
}

/** batchPass without the parameter gradients (native network_batch_deltas): the loss and, when it is
 * finite, ws.deltas, for an update that forms the gradients itself (sgd-rank1.ts). ws.grads is not touched. */
export function batchDeltas(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  start: number,
  rows: number,
  noise?: InputNoise | null,
  rng?: Rng,
): Pieces<number> {
  return batchPass(ws, net, x, y, order, start, rows, noise, rng, null);
}

/** ws.grads from what batchDeltas left in ws for its `rows` rows: afterwards ws is as batchGradient would
 * have left it. Only for passes without dropout or normalisation (sgd-rank1.ts takes no such net). */
export function* paramGradients(ws: BatchWorkspace, net: NetworkSpec, rows: number): Pieces<void> {
  for (let l = 0; l + 1 < net.sizes.length; l++) {
    yield* layerGradient(ws.grads, net, l, rows, layerInput(net, ws.xb, ws, null, l), ws.deltas[l]!, ws.acc);
  }
  foldTied(ws.grads, net);
}

/** Mean loss of net over x (n, sizes[0]), y (n, targetCols), forward in
 * blocks of ws capacity (no gradient), and Σ of the metric's per-row scores.
 * The sparsity penalty is not included: the reconstruction loss alone. */
export function* evaluate(
  ws: BatchWorkspace,
  net: NetworkSpec,
  x: Float32Array,
  y: Float32Array,
  n: number,
  metric: number,
): Pieces<{ loss: number; metricTotal: number }> {
  const { sizes } = net;
  const inW = sizes[0]!;
  const k = sizes[sizes.length - 1]!;
  const t = targetCols(net);
  const cap = ws.xb.length / inW;
  let lossSum = 0;
  let metricTotal = 0;
  for (let r0 = 0; r0 < n; r0 += cap) {
    const rows = Math.min(cap, n - r0);
    const logits = yield* forwardLayers(net, x.subarray(r0 * inW, (r0 + rows) * inW), rows, ws);
    const yb = y.subarray(r0 * t, (r0 + rows) * t);
    lossSum += lossForwardBackward(null, logits, yb, rows, k, net.loss, net.lossParams) * rows;
    metricTotal += metricSum(logits, yb, rows, k, metric);
  }
  return { loss: n ? lossSum / n : 0, metricTotal };
}

// params ← params − lr·(grads + weightDecay·params), decaying weights but not biases.
// Layers flagged in `frozen` (NetworkSpec.frozen) are left as they are.
export function sgdStep(params: Float32Array[], grads: Float32Array[], lr: number, weightDecay: number, frozen?: Uint8Array | null): void {
  for (let i = 0; i < params.length; i++) {
    if (frozen?.[i >> 1] === 1) continue;
    const p = params[i]!;
    sgdUpdate(p, grads[i]!, p.length, lr, i % 2 === 0 ? weightDecay : 0);
  }
}

// One epoch of minibatch SGD over job.order; returns Σ_batches batchLoss·batchSize.
export function trainEpoch(job: TrainJob): number {
  const { net, x, y, order, batchSize, learningRate, weightDecay } = job;
  const { params } = net;
  const total = order.length;
  if (total === 0) return 0;
  const ws = allocBatchWorkspace('trainEpoch', net, Math.min(batchSize, total));
  let sum = 0;
  for (let start = 0, batch = 0; start < total; start += batchSize, batch++) {
    const rows = Math.min(batchSize, total - start);
    const loss = batchPassWhole(ws, net, x, y, order, start, rows, null, undefined, ws.grads);
    // Checked before any update so a diverged batch leaves the weights as they were.
    if (!Number.isFinite(loss)) throw new Error(`trainEpoch: non-finite loss at batch ${batch}`);
    sgdStep(params, ws.grads, learningRate, weightDecay, net.frozen);
    sum += loss * rows;
  }
  return sum;
}
