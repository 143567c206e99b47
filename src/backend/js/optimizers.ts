/**
 * Optimizer updates of the TS training step, mirroring
 * native/core/optimizers.cc operation for operation (see backend.ts
 * OptimizerSpec for the rules). Computed in float64, stored as float32.
 */
import { Optimizer, type NetworkSpec, type OptimizerSpec } from '../backend.js';
import { sgdUpdate } from './elementwise.js';

// w (n), v (n), g (n): g' = g + decay·w; v ← μ·v + g'; w ← w − lr·(nesterov ? g' + μ·v : v).
export function momentumUpdate(w: Float32Array, v: Float32Array, g: Float32Array, n: number, lr: number, mu: number,
                               decay: number, nesterov: boolean): void {
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const gi = g[i]! + decay * wi;
    const vi = mu * v[i]! + gi;
    v[i] = vi;
    w[i] = wi - lr * (nesterov ? gi + mu * vi : vi);
  }
}

// w, m, v, g (n) at step t ≥ 1; decoupled = AdamW (decay applied to w, not added to g).
export function adamUpdate(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, n: number, lr: number,
                           beta1: number, beta2: number, eps: number, decay: number, decoupled: boolean, t: number): void {
  const c1 = 1 - Math.pow(beta1, t);
  const c2 = 1 - Math.pow(beta2, t);
  for (let i = 0; i < n; i++) {
    let wi = w[i]!;
    let gi = g[i]!;
    if (decoupled) wi -= lr * decay * wi;
    else gi += decay * wi;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/** One update of every parameter from grads (params' layout; scaled in place
 * when clipping), given sumSq = Σ g² over all of them. */
export function optimizerStep(net: NetworkSpec, grads: Float32Array[], sumSq: number, opt: OptimizerSpec, lr: number): void {
  const { params } = net;
  const count = params.length;
  // Clipping by global norm: one scale for every gradient, so the update keeps its direction.
  const norm = Math.sqrt(sumSq);
  if (opt.clipNorm > 0 && norm > opt.clipNorm) {
    const scale = opt.clipNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
  }
  opt.step[0]! += 1;
  const t = opt.step[0]!;
  for (let p = 0; p < count; p++) {
    const w = params[p]!;
    const g = grads[p]!;
    const decay = p % 2 === 0 ? opt.weightDecay : 0; // weights decay, biases do not
    switch (opt.type) {
      case Optimizer.sgd: sgdUpdate(w, g, w.length, lr, decay); break;
      case Optimizer.momentum: momentumUpdate(w, opt.state[p]!, g, w.length, lr, opt.momentum, decay, opt.nesterov); break;
      default:
        adamUpdate(w, opt.state[p]!, opt.state[count + p]!, g, w.length, lr, opt.beta1, opt.beta2, opt.eps, decay,
          opt.type === Optimizer.adamw, t);
    }
  }
}
