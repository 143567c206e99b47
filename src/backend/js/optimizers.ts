/**
 * Optimizer updates of the TS training step, mirroring
 * native/core/optimizers.cc operation for operation (see backend.ts
 * OptimizerSpec for the rules). SGD in float32 (elementwise.ts sgdNewWeight), the
 * others computed in float64 and stored as float32.
 *
 * Each kernel computes every new value. The dry run (`apply` false) writes no
 * weight or state and returns a mask: BAD_GRADIENT when a gradient entry is
 * not finite, BAD_UPDATE when a new value would not be finite in float32.
 * The update (`apply` true) stores the values. Both run in pieces of
 * pieceSize.entries entries (pieces.ts): the dry run may stop between two, the
 * update must run to its end.
 */
import { sgdNewWeight } from './elementwise.js';
import { pieceSize, type Pieces } from './pieces.js';
import { layerFrozen, Optimizer, StepOutcome, type NetworkSpec, type OptimizerSpec, type StepOutcomeCode } from '../backend.js';

const BAD_GRADIENT = 1;
const BAD_UPDATE = 2;

const nonfinite32 = (v: number): number => (Number.isFinite(Math.fround(v)) ? 0 : 1);
const check = (g: number, newValuesBad: number): number => (nonfinite32(g) * BAD_GRADIENT) | (newValuesBad * BAD_UPDATE);

// Below this many entries a loop copies faster than TypedArray.prototype.set,
// whose call alone costs what a loop over ~20 floats does (XOR's layers).
const SET_MIN = 32;

// dst[from..to) ← src[from..to).
function copy(dst: Float32Array, src: Float32Array, from: number, to: number): void {
  if (to - from >= SET_MIN) dst.set(from === 0 && to === src.length ? src : src.subarray(from, to), from);
  else for (let i = from; i < to; i++) dst[i] = src[i]!;
}

// w, g over [from, to): w ← sgdNewWeight(w, g, lr, decay). SGD has no state, so its dry run
// stages the new weights in g (each g[i] is read before it is overwritten)
// and applying them is a copy (a memcpy: recomputing them is ~20× slower on a
// large layer). The flags are check()'s, found without a branch per entry: x·0
// is 0 for finite x and NaN otherwise, so each sum stays 0 exactly when every
// entry is finite (about a quarter faster; per-sample SGD spends much time here).
function sgdStage(w: Float32Array, g: Float32Array, from: number, to: number, lr: number, decay: number): number {
  let gradZeros = 0;
  let newZeros = 0;
  const lr32 = Math.fround(lr);
  const decay32 = Math.fround(decay);
  for (let i = from; i < to; i++) {
    const gi = g[i]!;
    const wn = sgdNewWeight(w[i]!, gi, lr32, decay32);
    gradZeros += gi * 0;
    newZeros += wn * 0;
    g[i] = wn;
  }
  return (gradZeros === 0 ? 0 : BAD_GRADIENT) | (newZeros === 0 ? 0 : BAD_UPDATE);
}

// w, v, g over [from, to): g' = g + decay·w; v ← μ·v + g'; w ← w − lr·(nesterov ? g' + μ·v : v).
function momentumKernel(
  apply: boolean,
  w: Float32Array,
  v: Float32Array,
  g: Float32Array,
  from: number,
  to: number,
  lr: number,
  mu: number,
  decay: number,
  nesterov: boolean,
): number {
  let bad = 0;
  for (let i = from; i < to; i++) {
    const wi = w[i]!;
    const gi = g[i]! + decay * wi;
    const vi = mu * v[i]! + gi;
    const wn = wi - lr * (nesterov ? gi + mu * vi : vi);
    if (apply) {
      v[i] = vi;
      w[i] = wn;
    } else {
      bad |= check(g[i]!, nonfinite32(vi) | nonfinite32(wn));
    }
  }
  return bad;
}

// w, m, v, g over [from, to) at step t ≥ 1; decoupled = AdamW (decay applied to w, not added to g).
function adamKernel(
  apply: boolean,
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  from: number,
  to: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  decay: number,
  decoupled: boolean,
  t: number,
): number {
  const c1 = 1 - beta1 ** t;
  const c2 = 1 - beta2 ** t;
  let bad = 0;
  for (let i = from; i < to; i++) {
    let wi = w[i]!;
    let gi = g[i]!;
    if (decoupled) wi -= lr * decay * wi;
    else gi += decay * wi;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    const wn = wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    if (apply) {
      m[i] = mi;
      v[i] = vi;
      w[i] = wn;
    } else {
      bad |= check(g[i]!, nonfinite32(mi) | nonfinite32(vi) | nonfinite32(wn));
    }
  }
  return bad;
}

// Every parameter through the configured rule, pieceSize.entries at a time; the
// dry run's mask (0 when applying). Only the dry run may stop between pieces.
// updateAllWhole is the same at once.
function* updateAll(apply: boolean, net: NetworkSpec, grads: Float32Array[], opt: OptimizerSpec, lr: number, t: number): Pieces<number> {
  let bad = 0;
  let sinceYield = 0; // entries since the last yield: small parameters share a piece
  for (let p = 0; p < net.params.length; p++) {
    if (layerFrozen(net, p >> 1)) continue; // weights, decay and state all stay as they are
    const n = net.params[p]!.length;
    for (let from = 0; from < n; from += pieceSize.entries) {
      if (sinceYield >= pieceSize.entries) {
        yield !apply;
        sinceYield = 0;
      }
      const to = Math.min(n, from + pieceSize.entries);
      sinceYield += to - from;
      bad |= updateRange(apply, net, grads, opt, lr, t, p, from, to);
    }
  }
  return bad;
}

function updateAllWhole(apply: boolean, net: NetworkSpec, grads: Float32Array[], opt: OptimizerSpec, lr: number, t: number): number {
  let bad = 0;
  for (let p = 0; p < net.params.length; p++) {
    if (!layerFrozen(net, p >> 1)) bad |= updateRange(apply, net, grads, opt, lr, t, p, 0, net.params[p]!.length);
  }
  return bad;
}

// Entries [from, to) of parameter p through the configured rule; the dry run's mask (0 when applying).
function updateRange(
  apply: boolean,
  net: NetworkSpec,
  grads: Float32Array[],
  opt: OptimizerSpec,
  lr: number,
  t: number,
  p: number,
  from: number,
  to: number,
): number {
  const { params } = net;
  const w = params[p]!;
  const g = grads[p]!;
  const decay = p % 2 === 0 ? opt.weightDecay : 0; // weights decay, biases do not
  switch (opt.type) {
    case Optimizer.sgd:
      if (apply) copy(w, g, from, to);
      return apply ? 0 : sgdStage(w, g, from, to, lr, decay);
    case Optimizer.momentum:
      return momentumKernel(apply, w, opt.state[p]!, g, from, to, lr, opt.momentum, decay, opt.nesterov);
    default:
      return adamKernel(
        apply,
        w,
        opt.state[p]!,
        opt.state[params.length + p]!,
        g,
        from,
        to,
        lr,
        opt.beta1,
        opt.beta2,
        opt.eps,
        decay,
        opt.type === Optimizer.adamw,
        t,
      );
  }
}

/** What optimizerStep did: applied the update, or refused it (writing no
 * weight or state) for a non-finite gradient entry or new value. */
export type StepOutcomeName = 'applied' | 'gradient' | 'update';

/** One update of every parameter from grads (params' layout, used as scratch:
 * scaled in place when clipping, overwritten by SGD's staging); sumSq = Σ g²
 * over all of them is read only when clipping. The update is first computed
 * without storing any weight or state; the step count advances only when applied.
 * optimizerStepWhole is the same at once. */
export function* optimizerStep(net: NetworkSpec, grads: Float32Array[], sumSq: number, opt: OptimizerSpec, lr: number): Pieces<StepOutcomeName> {
  const scale = clipScale(sumSq, opt);
  for (const g of scale === 1 ? [] : grads) {
    for (let from = 0; from < g.length; from += pieceSize.entries) {
      if (from > 0) yield true;
      scaleRange(g, from, Math.min(g.length, from + pieceSize.entries), scale);
    }
  }
  const t = opt.step[0]! + 1;
  const refused = refusal(yield* updateAll(false, net, grads, opt, lr, t));
  if (refused !== null) return refused;
  yield* updateAll(true, net, grads, opt, lr, t);
  return taken(opt, t);
}

export function optimizerStepWhole(net: NetworkSpec, grads: Float32Array[], sumSq: number, opt: OptimizerSpec, lr: number): StepOutcomeName {
  const scale = clipScale(sumSq, opt);
  if (scale !== 1) for (const g of grads) scaleRange(g, 0, g.length, scale);
  const t = opt.step[0]! + 1;
  const refused = refusal(updateAllWhole(false, net, grads, opt, lr, t));
  if (refused !== null) return refused;
  updateAllWhole(true, net, grads, opt, lr, t);
  return taken(opt, t);
}

// Clipping by global norm: one scale for every gradient, so the update keeps its direction (1: no clipping).
function clipScale(sumSq: number, opt: OptimizerSpec): number {
  const norm = Math.sqrt(sumSq);
  return opt.clipNorm > 0 && norm > opt.clipNorm ? opt.clipNorm / norm : 1;
}

function scaleRange(g: Float32Array, from: number, to: number, scale: number): void {
  for (let i = from; i < to; i++) g[i] = g[i]! * scale;
}

// The dry run's refusal for its mask, null when the update may be applied.
function refusal(bad: number): StepOutcomeName | null {
  return bad & BAD_GRADIENT ? 'gradient' : bad & BAD_UPDATE ? 'update' : null;
}

function taken(opt: OptimizerSpec, t: number): StepOutcomeName {
  opt.step[0] = t;
  return 'applied';
}

// Σ g² over every gradient, in float64: finite exactly when every entry is.
// Four partial sums (entry i into s[i mod 4]) break the add latency chain, in
// trainer.cc's and optimizers.cc's order. `partial` is the caller's (4
// entries, reused: a batch allocates nothing), as two fits may interleave.
// sumOfSquaresWhole is the same at once.
export function* sumOfSquares(grads: Float32Array[], partial: Float64Array): Pieces<number> {
  partial.fill(0);
  for (const g of grads) {
    for (let from = 0; from < g.length; from += pieceSize.entries) {
      if (from > 0) yield true;
      addSquares(partial, g, from, Math.min(g.length, from + pieceSize.entries));
    }
  }
  return partial[0]! + partial[1]! + (partial[2]! + partial[3]!);
}

export function sumOfSquaresWhole(grads: Float32Array[], partial: Float64Array): number {
  partial.fill(0);
  for (const g of grads) addSquares(partial, g, 0, g.length);
  return partial[0]! + partial[1]! + (partial[2]! + partial[3]!);
}

function addSquares(partial: Float64Array, g: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) partial[i & 3] += g[i]! * g[i]!;
}

const OUTCOME_CODE = { applied: StepOutcome.applied, gradient: StepOutcome.nonFiniteGradient, update: StepOutcome.nonFiniteUpdate } as const;

/** optimizerStep for a caller that has only the gradients (Backend.optimizerStep,
 * optimizers.cc optimizer_update): the sum of squares is computed here when clipping. */
export function optimizerUpdate(net: NetworkSpec, grads: Float32Array[], opt: OptimizerSpec, lr: number): StepOutcomeCode {
  const sumSq = opt.clipNorm > 0 ? sumOfSquaresWhole(grads, new Float64Array(4)) : 0;
  return OUTCOME_CODE[optimizerStepWhole(net, grads, sumSq, opt, lr)];
}
