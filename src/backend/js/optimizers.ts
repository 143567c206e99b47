/**
 * Optimizer updates of the TS training step, mirroring
 * native/core/optimizers.cc operation for operation (see backend.ts
 * OptimizerSpec for the rules). Computed in float64, stored as float32.
 *
 * Each kernel computes every new value and reports whether all are finite
 * once rounded to float32; it stores them only when `apply`, so the same
 * arithmetic serves as the dry run (nothing written) and as the update.
 */
import { Optimizer, type NetworkSpec, type OptimizerSpec } from '../backend.js';

const finite32 = (v: number): boolean => Number.isFinite(Math.fround(v));

// w (n), g (n): w ← w − lr·(g + decay·w).
function sgdKernel(apply: boolean, w: Float32Array, g: Float32Array, n: number, lr: number, decay: number): boolean {
  let ok = true;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const wn = wi - lr * (g[i]! + decay * wi);
    ok &&= finite32(wn);
    if (apply) w[i] = wn;
  }
  return ok;
}

// w (n), v (n), g (n): g' = g + decay·w; v ← μ·v + g'; w ← w − lr·(nesterov ? g' + μ·v : v).
function momentumKernel(apply: boolean, w: Float32Array, v: Float32Array, g: Float32Array, n: number, lr: number,
                        mu: number, decay: number, nesterov: boolean): boolean {
  let ok = true;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const gi = g[i]! + decay * wi;
    const vi = mu * v[i]! + gi;
    const wn = wi - lr * (nesterov ? gi + mu * vi : vi);
    ok &&= finite32(vi) && finite32(wn);
    if (apply) {
      v[i] = vi;
      w[i] = wn;
    }
  }
  return ok;
}

// w, m, v, g (n) at step t ≥ 1; decoupled = AdamW (decay applied to w, not added to g).
function adamKernel(apply: boolean, w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, n: number,
                    lr: number, beta1: number, beta2: number, eps: number, decay: number, decoupled: boolean,
                    t: number): boolean {
  const c1 = 1 - Math.pow(beta1, t);
  const c2 = 1 - Math.pow(beta2, t);
  let ok = true;
  for (let i = 0; i < n; i++) {
    let wi = w[i]!;
    let gi = g[i]!;
    if (decoupled) wi -= lr * decay * wi;
    else gi += decay * wi;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    const wn = wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    ok &&= finite32(mi) && finite32(vi) && finite32(wn);
    if (apply) {
      m[i] = mi;
      v[i] = vi;
      w[i] = wn;
    }
  }
  return ok;
}

function updateAll(apply: boolean, net: NetworkSpec, grads: Float32Array[], opt: OptimizerSpec, lr: number, t: number): boolean {
  const { params } = net;
  const count = params.length;
  let ok = true;
  for (let p = 0; p < count; p++) {
    const w = params[p]!;
    const g = grads[p]!;
    const decay = p % 2 === 0 ? opt.weightDecay : 0; // weights decay, biases do not
    switch (opt.type) {
      case Optimizer.sgd: ok = sgdKernel(apply, w, g, w.length, lr, decay) && ok; break;
      case Optimizer.momentum:
        ok = momentumKernel(apply, w, opt.state[p]!, g, w.length, lr, opt.momentum, decay, opt.nesterov) && ok;
        break;
      default:
        ok = adamKernel(apply, w, opt.state[p]!, opt.state[count + p]!, g, w.length, lr, opt.beta1, opt.beta2, opt.eps,
          decay, opt.type === Optimizer.adamw, t) && ok;
    }
  }
  return ok;
}

/** One update of every parameter from grads (params' layout; scaled in place
 * when clipping), given sumSq = Σ g² over all of them. Writes nothing and
 * returns false when some new weight or state value would not be finite. */
export function optimizerStep(net: NetworkSpec, grads: Float32Array[], sumSq: number, opt: OptimizerSpec, lr: number): boolean {
  // Clipping by global norm: one scale for every gradient, so the update keeps its direction.
  const norm = Math.sqrt(sumSq);
  if (opt.clipNorm > 0 && norm > opt.clipNorm) {
    const scale = opt.clipNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
  }
  const t = opt.step[0]! + 1;
  if (!updateAll(false, net, grads, opt, lr, t)) return false;
  updateAll(true, net, grads, opt, lr, t);
  opt.step[0] = t;
  return true;
}
