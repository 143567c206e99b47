/**
 * Per-sample SGD steps of a small network as one plain function, the TS
 * counterpart of native/core/tiny_step.{h,cc}: the pass (gather, forward,
 * loss gradient, backward) in straight loops over the layers, then its own
 * update (tinyUpdate). For a 2-4-1 net (XOR) the general whole-step driver
 * (batchPassWhole's per-layer helpers and gemm's dispatch) cost more than the
 * arithmetic, and its many small functions each had to warm up in V8 before
 * a fit ran at speed; one function with loops is optimised within the first
 * fit.
 *
 * Which fits take it (tinyStepApplies, decided once per fit): every batch
 * one row (batch size 1, one process), plain SGD without clipping and every
 * layer TINY_WIDTH units wide or less, with nothing a pass keeps for
 * backward beyond activations and deltas: no tied weights, frozen layers,
 * dropout, normalisation, sparsity penalty or input noise. Every activation
 * and loss is taken.
 *
 * Why it gives the general path's bits: the same float64 sums in the same
 * order (gemm.ts dot and columnDot, which gemm's one-row products use), each
 * rounded to float32 where the general path stores it; sigmoid units through
 * sigmoid32 and its derivative as activationBackward writes it; other
 * activations and every loss through the same functions; and the same
 * float32 rule for each new weight (sgdNewWeight of the outer product's
 * entry, as Rank1Sgd forms it). test/backend/train.test.ts compares both
 * paths bit for bit.
 */
import { Activation, Loss, NoiseType, type FitJob, type NetworkSpec, type OptimizerSpec } from '../backend.js';
import { activationBackward, activationForward, sigmoid32, sigmoidBackward } from './activations.js';
import { sgdNewWeight } from './elementwise.js';
import { columnDot, dot, outerEntry } from './gemm.js';
import { LOSS_LANES, lossForwardBackward, sigmoidCe32, sigmoidMse32 } from './losses.js';
import { paramGradients, type BatchWorkspace } from './network.js';
import { optimizerStepWhole, type StepOutcomeName } from './optimizers.js';
import { whole } from './pieces.js';
import { Rank1Sgd } from './sgd-rank1.js';

/** The widest layer (inputs included) of a net the tiny step takes, as native's kTinyWidth. */
export const TINY_WIDTH = 32;

/** Whether every step of `job` (on `net`, its same-shape spec) takes this path; `alone`: not data-parallel. */
export function tinyStepApplies(net: NetworkSpec, job: FitJob, alone: boolean): boolean {
  const narrow = net.sizes.every((w) => w <= TINY_WIDTH);
  const noNoise = !job.inputNoise || job.inputNoise.type === NoiseType.none;
  return narrow && alone && job.batchSize === 1 && noNoise && !net.sparsity && Rank1Sgd.applies(net, job.optimizer, 1);
}

// A term's gradient, as laneLoss passes it.
const gradient = new Float64Array(1);

/** The loss of one row's logits z (k) against targets r, ∂loss/∂z into g:
 * lossForwardBackward's value and bits for rows = 1. The sigmoid-output
 * losses inline, in laneLoss's order: lane j sums the terms j, j + LOSS_LANES, …
 * in turn, then the lanes add up in order (k ≤ TINY_WIDTH is one chunk, whose sum
 * added to +0 is itself; the lanes past k hold +0, and the mean over one
 * row divides by 1 and scales by 1, which change no bit). */
function outputLoss(g: Float32Array, z: Float32Array, r: Float32Array, k: number, net: NetworkSpec): number {
  if (net.loss !== Loss.sigmoidMse && net.loss !== Loss.sigmoidCrossEntropy) return lossForwardBackward(g, z, r, 1, k, net.loss, net.lossParams);
  const term = net.loss === Loss.sigmoidMse ? sigmoidMse32 : sigmoidCe32;
  let total = 0;
  for (let j = 0; j < k && j < LOSS_LANES; j++) {
    let lane = 0;
    for (let i = j; i < k; i += LOSS_LANES) {
      lane += term(z[i]!, r[i]!, 1, gradient);
      g[i] = gradient[0]!;
    }
    total += lane;
  }
  return total;
}

/** Row `row` of x (n, sizes[0]) and y (n, target columns) into ws.xb and ws.yb,
 * forward, the loss and, when it is finite, every layer's deltas: batchDeltas'
 * bits for that one-row batch. Returns the loss. */
export function tinyPass(ws: BatchWorkspace, net: NetworkSpec, x: Float32Array, y: Float32Array, row: number): number {
  const { sizes, params, hiddenActivations, leakySlope } = net;
  const { xb, yb, acts, deltas } = ws;
  const layers = sizes.length - 1;
  const inW = sizes[0]!;
  const t = yb.length;
  for (let j = 0; j < inW; j++) xb[j] = x[row * inW + j]!;
  for (let j = 0; j < t; j++) yb[j] = y[row * t + j]!;
  let a = xb;
  for (let l = 0; l < layers; l++) {
    const k = sizes[l]!;
    const out = sizes[l + 1]!;
    const w = params[2 * l]!;
    const b = params[2 * l + 1]!;
    const z = acts[l]!;
    // gemm's product, stored (rounded), then the bias added to what was stored.
    for (let j = 0; j < out; j++) z[j] = dot(a, 0, w, j * k, k);
    for (let j = 0; j < out; j++) z[j]! += b[j]!;
    if (l + 1 < layers) {
      const act = hiddenActivations[l]!;
      if (act === Activation.sigmoid) for (let j = 0; j < out; j++) z[j] = sigmoid32(z[j]!);
      else activationForward(z, z, out, act, leakySlope);
    }
    a = z;
  }
  const k = sizes[layers]!;
  const loss = outputLoss(deltas[layers - 1]!, acts[layers - 1]!, yb, k, net);
  if (!Number.isFinite(loss)) return loss;
  for (let l = layers - 1; l > 0; l--) {
    // dz(ℓ−1) = (dz(ℓ) · W(ℓ)) ⊙ f'(a(ℓ−1)), W(ℓ) stored (out, in).
    const width = sizes[l]!;
    const out = sizes[l + 1]!;
    const dz = deltas[l]!;
    const w = params[2 * l]!;
    const dPrev = deltas[l - 1]!;
    for (let j = 0; j < width; j++) dPrev[j] = columnDot(dz, 0, 1, w, width, j, out);
    const act = hiddenActivations[l - 1]!;
    const yAct = acts[l - 1]!;
    if (act === Activation.sigmoid) {
      for (let j = 0; j < width; j++) dPrev[j] = sigmoidBackward(dPrev[j]!, yAct[j]!);
    } else {
      activationBackward(dPrev, dPrev, yAct, width, act, leakySlope);
    }
  }
  return loss;
}

/** Layer l's weights (out, in) and biases (out) replaced by their new values
 * (inputs a, deltas dz; a bias has input 1 and no decay), the old values into
 * ws.grads[2l] and ws.grads[2l + 1]. Returns 0 when every new value is finite,
 * NaN otherwise (v·0 is NaN exactly for ±∞ and NaN). */
function replaceLayer(net: NetworkSpec, ws: BatchWorkspace, l: number, lr32: number, decay32: number): number {
  const inW = net.sizes[l]!;
  const out = net.sizes[l + 1]!;
  const w = net.params[2 * l]!;
  const b = net.params[2 * l + 1]!;
  const wOld = ws.grads[2 * l]!;
  const bOld = ws.grads[2 * l + 1]!;
  const a = l === 0 ? ws.xb : ws.acts[l - 1]!;
  const dz = ws.deltas[l]!;
  let bad = 0;
  for (let i = 0; i < out; i++) {
    const d = dz[i]!;
    const o = i * inW;
    for (let j = 0; j < inW; j++) {
      const old = w[o + j]!;
      const value = sgdNewWeight(old, Math.fround(outerEntry(d, a[j]!)), lr32, decay32);
      wOld[o + j] = old;
      w[o + j] = value;
      bad += value * 0;
    }
    const old = b[i]!;
    const value = sgdNewWeight(old, Math.fround(outerEntry(d, 1)), lr32, 0);
    bOld[i] = old;
    b[i] = value;
    bad += value * 0;
  }
  return bad;
}

/** The SGD update after tinyPass left a finite loss and every layer's deltas
 * in ws: optimizerStep's outcome and bits after paramGradients, as native's
 * TinyStep::update. Each weight is replaced at once. A non-finite gradient
 * entry, rate or intermediate leaves its new weight non-finite (∞ and NaN
 * survive each later operation of the rule, 0·∞ included), so when every new
 * value is finite optimizerStep would have applied exactly these; otherwise
 * the old weights go back and optimizerStep decides, writing nothing it
 * refuses. */
export function tinyUpdate(net: NetworkSpec, ws: BatchWorkspace, opt: OptimizerSpec, lr: number): StepOutcomeName {
  const lr32 = Math.fround(lr);
  const decay32 = Math.fround(opt.weightDecay);
  let bad = 0;
  for (let l = 0; l + 1 < net.sizes.length; l++) bad += replaceLayer(net, ws, l, lr32, decay32);
  if (bad === 0) {
    opt.step[0] = opt.step[0]! + 1;
    return 'applied';
  }
  for (let p = 0; p < net.params.length; p++) net.params[p]!.set(ws.grads[p]!);
  whole(paramGradients(ws, net, 1));
  return optimizerStepWhole(net, ws.grads, 0, opt, lr);
}
