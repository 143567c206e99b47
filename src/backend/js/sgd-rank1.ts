/**
 * Per-sample SGD without a gradient buffer, the TS counterpart of
 * native/core/sgd_rank1.{h,cc}. For a batch of one row, layer ℓ's weight
 * gradient is the outer product dz·aᵀ of its deltas and inputs, so
 * w ← w − lr·(dz·aᵀ + λ·w) runs as one pass that forms each gradient entry
 * where it is used, instead of a gemm that writes the gradient,
 * optimizerStep's dry run over it and a copy back: for XOR-sized nets those
 * passes and their calls were most of a step. The result is bit for bit
 * optimizerStep's SGD after batchGradient, with the same outcome for
 * non-finite numbers; nothing is written unless the update is applied.
 * It runs in pieces of pieceSize.entries weights (pieces.ts), as the general
 * path does, or at once (stepWhole) when the step is one piece.
 */
import { Optimizer, type NetworkSpec, type OptimizerSpec } from '../backend.js';
import { sgdNewWeight } from './elementwise.js';
import { outerEntry } from './gemm.js';
import { paramGradients, type BatchWorkspace } from './network.js';
import { optimizerStep, type StepOutcomeName } from './optimizers.js';
import { pieceSize, whole, type Pieces } from './pieces.js';

// Bounds below this leave every gradient entry, intermediate and new weight
// finite in float32: its largest value is just under 2^128, so a factor 2
// covers the roundings of the products and sums the bounds leave out.
const SAFE = 2 ** 127;

// A bias is a weight whose input is always 1 (and which does not decay).
const ONE = new Float32Array([1]);

// max |x[i]| over x[from..to), NaN when some x[i] is NaN (Math.max would do the same, slower).
function maxAbs(x: Float32Array, from: number, to: number): number {
  let top = 0;
  for (let i = from; i < to; i++) {
    const v = Math.abs(x[i]!);
    if (v > top) top = v;
    else if (Number.isNaN(v)) return v;
  }
  return top;
}

// Rows [r0, r1) of w (rows, cols) ← sgdNewWeight(w, g, lr32, decay32) with g[i,j] = dz[i]·a[j]
// formed as gemm forms the batch-1 weight gradient (outerEntry, rounded to
// float32 as it is stored); lr32 and decay32 already rounded. Returns max |new w| over those rows.
function rank1Update(w: Float32Array, dz: Float32Array, a: Float32Array, r0: number, r1: number, cols: number, lr32: number, decay32: number): number {
  let top = 0;
  for (let i = r0; i < r1; i++) {
    const d = dz[i]!;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const wn = sgdNewWeight(w[o + j]!, Math.fround(outerEntry(d, a[j]!)), lr32, decay32);
      w[o + j] = wn;
      const m = Math.abs(wn);
      if (m > top) top = m;
    }
  }
  return top;
}

export class Rank1Sgd {
  /** max |param| per parameter, kept current by every fused update; not
   * `known` until the first step and after any other update of the weights. */
  private readonly maxAbs: Float64Array;
  private known = false;

  constructor(net: NetworkSpec) {
    this.maxAbs = new Float64Array(net.params.length);
  }

  /** Whether a batch of `rows` rows takes this path (native Rank1Sgd::applies):
   * one row, plain SGD, no clipping (its norm needs the whole gradient first),
   * no tied weights (their gradients are folded together before the update),
   * no frozen layer, no dropout (its update reads the undropped activations),
   * no normalisation (its gradient needs the whole batch). An empty array
   * counts as absent, as native reads it. */
  static applies(net: NetworkSpec, opt: OptimizerSpec, rows: number): boolean {
    return (
      rows === 1 &&
      opt.type === Optimizer.sgd &&
      opt.clipNorm <= 0 &&
      !net.tiedPairs?.length &&
      !net.frozen?.length &&
      !net.dropout?.length &&
      !net.norm?.length
    );
  }

  /** The weights changed by some other update: the next step measures them again. */
  forget(): void {
    this.known = false;
  }

  /** Measures the weights at once, as stepWhole's first step would. A fit
   * whose steps are one piece calls it before them: code that runs only at a
   * job's first step runs before V8 collects feedback for it, so the steps'
   * optimised code, compiled without that feedback, would give it up at the
   * first step of every later job and run unoptimised until compiled again. */
  measureWhole(net: NetworkSpec): void {
    const { params } = net;
    for (let p = 0; p < params.length; p++) this.maxAbs[p] = maxAbs(params[p]!, 0, params[p]!.length);
    this.known = true;
  }

  /** One update of net from the deltas batchDeltas left in ws for a one-row
   * batch at rate lr: what paramGradients then optimizerStep would do,
   * outcome included; nothing is written unless it returns 'applied'. */
  *step(net: NetworkSpec, ws: BatchWorkspace, opt: OptimizerSpec, lr: number): Pieces<StepOutcomeName> {
    const { sizes, params } = net;
    if (!this.known) {
      for (let p = 0; p < params.length; p++) {
        const w = params[p]!;
        let top = 0;
        for (let from = 0; from < w.length; from += pieceSize.entries) {
          if (from > 0) yield true;
          const m = maxAbs(w, from, Math.min(w.length, from + pieceSize.entries));
          // NaN stays NaN, as one pass would leave it.
          top = m > top || Number.isNaN(m) ? m : top;
          if (Number.isNaN(top)) break;
        }
        this.maxAbs[p] = top;
      }
    }
    this.known = true;
    const verdict = this.verdict(net, ws, opt, lr);
    if (verdict !== true) return verdict === 'gradient' ? verdict : yield* this.fallback(net, ws, opt, lr);
    // From here weights change: the pieces must run to the end.
    for (let l = 0; l + 1 < sizes.length; l++) {
      let top = 0;
      for (let r0 = 0, band = Math.max(1, Math.floor(pieceSize.entries / sizes[l]!)); r0 < sizes[l + 1]!; r0 += band) {
        if (r0 > 0) yield false;
        top = Math.max(top, this.updateRows(net, ws, l, lr, opt, r0, Math.min(sizes[l + 1]!, r0 + band)));
      }
      this.endLayer(net, ws, l, lr, top);
    }
    return this.applied(opt);
  }

  /** `step` at once, for a step that is one piece (trainer.ts stepIsOnePiece):
   * the same operations, one piece of each loop, with no generator. */
  stepWhole(net: NetworkSpec, ws: BatchWorkspace, opt: OptimizerSpec, lr: number): StepOutcomeName {
    const { sizes } = net;
    if (!this.known) this.measureWhole(net);
    const verdict = this.verdict(net, ws, opt, lr);
    if (verdict !== true) return verdict === 'gradient' ? verdict : whole(this.fallback(net, ws, opt, lr));
    for (let l = 0; l + 1 < sizes.length; l++) this.endLayer(net, ws, l, lr, this.updateRows(net, ws, l, lr, opt, 0, sizes[l + 1]!));
    return this.applied(opt);
  }

  /** 'gradient' when some gradient entry is not finite, else whether the
   * bounds prove every new weight finite (true: the fused update may run). */
  private verdict(net: NetworkSpec, ws: BatchWorkspace, opt: OptimizerSpec, lr: number): 'gradient' | boolean {
    const { sizes } = net;
    const maxW = this.maxAbs;
    // Gradient entries are dz[i]·a[j] (weights) and dz[i] (biases). A NaN or
    // ∞ in dz or a makes some entry non-finite (times anything, 0 included),
    // which is the dry run's 'gradient' verdict; it outranks any overflow, so
    // every layer is checked before the bounds decide anything.
    // The float32 rule (sgdNewWeight) rounds lr and λ first, then forms
    // g + λ·w, lr·(g + λ·w) and w − lr·(g + λ·w): each must stay below the
    // bound, and a NaN rate, decay or weight fails the tests too.
    const lrAbs = Math.abs(lr);
    const decayAbs = Math.abs(opt.weightDecay);
    let bounded = lrAbs < SAFE && decayAbs < SAFE;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const a = maxAbs(l === 0 ? ws.xb : ws.acts[l - 1]!, 0, sizes[l]!);
      const dz = maxAbs(ws.deltas[l]!, 0, sizes[l + 1]!);
      if (!Number.isFinite(a) || !Number.isFinite(dz)) return 'gradient';
      const wSum = dz * a + decayAbs * maxW[2 * l]!; // ≥ |g + λ·w|
      const wBound = maxW[2 * l]! + lrAbs * wSum; // ≥ |new w|
      const bBound = maxW[2 * l + 1]! + lrAbs * dz;
      bounded = bounded && wSum < SAFE && lrAbs * wSum < SAFE && wBound < SAFE && lrAbs * dz < SAFE && bBound < SAFE;
    }
    return bounded;
  }

  /** Near float32's limits: the general path's dry run decides exactly. */
  private *fallback(net: NetworkSpec, ws: BatchWorkspace, opt: OptimizerSpec, lr: number): Pieces<StepOutcomeName> {
    yield* paramGradients(ws, net, 1);
    const outcome = yield* optimizerStep(net, ws.grads, 0, opt, lr);
    if (outcome === 'applied') this.known = false;
    return outcome;
  }

  /** Rows [r0, r1) of layer l's weights updated; returns their max |new w|. */
  private updateRows(net: NetworkSpec, ws: BatchWorkspace, l: number, lr: number, opt: OptimizerSpec, r0: number, r1: number): number {
    const a = l === 0 ? ws.xb : ws.acts[l - 1]!;
    return rank1Update(net.params[2 * l]!, ws.deltas[l]!, a, r0, r1, net.sizes[l]!, Math.fround(lr), Math.fround(opt.weightDecay));
  }

  /** Layer l's weights done (max |new w| = top): its bias is updated. */
  private endLayer(net: NetworkSpec, ws: BatchWorkspace, l: number, lr: number, top: number): void {
    this.maxAbs[2 * l] = top;
    this.maxAbs[2 * l + 1] = rank1Update(net.params[2 * l + 1]!, ws.deltas[l]!, ONE, 0, net.sizes[l + 1]!, 1, Math.fround(lr), 0);
  }

  private applied(opt: OptimizerSpec): StepOutcomeName {
    opt.step[0] = opt.step[0]! + 1;
    return 'applied';
  }
}
