/**
 * The extra terms of representation learning, as native/core/autoencoder_terms.cc
 * computes them (same float64 sums, same order of random draws): input
 * corruption for denoising, the KL sparsity penalty on a code layer, and the
 * folded gradient of tied weights.
 */
import { NoiseType, type InputNoise, type SparsitySpec } from '../backend.js';
import type { Rng } from '../../rng.js';

const TWO_PI = 6.283185307179586;
const RHO_CLAMP = 1e-7;

/** Corrupts x[0..n) in place: masking zeroes an entry when a uniform draw is
 * below level; Gaussian adds level·N(0,1) by Box–Muller (two draws, cos branch). */
export function corruptInput(x: Float32Array, n: number, noise: InputNoise, rng: Rng): void {
  if (noise.type === NoiseType.mask) {
    for (let i = 0; i < n; i++) if (rng.uniform() < noise.level) x[i] = 0;
  } else if (noise.type === NoiseType.gaussian) {
    for (let i = 0; i < n; i++) {
      const u1 = 1 - rng.uniform();
      const u2 = rng.uniform();
      x[i] = x[i]! + noise.level * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2));
    }
  }
}

/** rhoHat (cols) = clamped column means of a (rows, cols); returns β·Σⱼ KL(ρ‖ρ̂ⱼ). */
export function sparsityPenalty(rhoHat: Float64Array, a: Float32Array, rows: number, cols: number, s: SparsitySpec): number {
  rhoHat.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) rhoHat[j] += a[r * cols + j]!;
  let kl = 0;
  for (let j = 0; j < cols; j++) {
    const q = Math.min(Math.max(rhoHat[j]! / rows, RHO_CLAMP), 1 - RHO_CLAMP);
    rhoHat[j] = q;
    kl += s.rho * Math.log(s.rho / q) + (1 - s.rho) * Math.log((1 - s.rho) / (1 - q));
  }
  return s.beta * kl;
}

/** da (rows, cols) += β/rows·(−ρ/ρ̂ⱼ + (1−ρ)/(1−ρ̂ⱼ)). */
export function sparsityBackward(da: Float32Array, rhoHat: Float64Array, rows: number, cols: number, s: SparsitySpec): void {
  for (let j = 0; j < cols; j++) {
    const q = rhoHat[j]!;
    const g = (s.beta / rows) * (-s.rho / q + (1 - s.rho) / (1 - q));
    for (let r = 0; r < rows; r++) da[r * cols + j] = da[r * cols + j]! + g;
  }
}

/** ge (out, in) += gdᵀ, then gd (in, out) = geᵀ: the shared matrix's gradient seen from both layers. */
export function foldTiedGradient(ge: Float32Array, gd: Float32Array, out: number, inW: number): void {
  for (let o = 0; o < out; o++) for (let i = 0; i < inW; i++) ge[o * inW + i] = ge[o * inW + i]! + gd[i * out + o]!;
  for (let o = 0; o < out; o++) for (let i = 0; i < inW; i++) gd[i * out + o] = ge[o * inW + i]!;
}
