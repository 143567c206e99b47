/**
 * Losses on the logits, one forward+backward function per loss as in
 * fastText's loss.h: each returns the mean over rows of the per-row loss and,
 * when dlogits is given, writes ∂loss/∂logits. Everything is computed in
 * float64; only the stored gradient is rounded to float32. With rows = 0 the
 * loss is 0 and nothing is written.
 */
import { Loss } from '../backend.js';
import { sigmoid } from './activations.js';

// logits (rows,cols), target (rows,cols) -> mean ½Σ(z−r)²; dlogits (rows,cols) = (z−r)/rows.
export function mseLoss(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                        rows: number, cols: number): number {
  if (rows === 0) return 0;
  const len = rows * cols;
  const inv = 1 / rows;
  let total = 0;
  for (let i = 0; i < len; i++) {
    const d = logits[i]! - target[i]!;
    total += d * d;
    if (dlogits) dlogits[i] = d * inv;
  }
  return (0.5 * total) / rows;
}

// logits (rows,cols), target (rows,cols) -> mean Σ [max(z,0) − z·r + log1p(e^−|z|)];
// dlogits = (σ(z) − r)/rows. The softplus form never overflows and equals
// −[r·log σ(z) + (1−r)·log(1−σ(z))] exactly.
export function sigmoidCrossEntropyLoss(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                                        rows: number, cols: number): number {
  if (rows === 0) return 0;
  const len = rows * cols;
  const inv = 1 / rows;
  let total = 0;
  for (let i = 0; i < len; i++) {
    const z = logits[i]!;
    const r = target[i]!;
    total += Math.max(z, 0) - z * r + Math.log1p(Math.exp(-Math.abs(z)));
    if (dlogits) dlogits[i] = (sigmoid(z) - r) * inv;
  }
  return total / rows;
}

// logits (rows,cols), target (rows,cols) -> mean Σ_j r_j·(lse − z_j) with lse the row's
// log-sum-exp; dlogits = (softmax(z)_j·Σ_j r_j − r_j)/rows, which is the exact
// gradient also for targets that do not sum to 1.
export function softmaxCrossEntropyLoss(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                                        rows: number, cols: number): number {
  if (rows === 0) return 0;
  const inv = 1 / rows;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = logits[o + j]!;
      if (v > max) max = v;
    }
    let sumExp = 0;
    let sumR = 0;
    for (let j = 0; j < cols; j++) {
      sumExp += Math.exp(logits[o + j]! - max);
      sumR += target[o + j]!;
    }
    const lse = max + Math.log(sumExp);
    for (let j = 0; j < cols; j++) {
      const z = logits[o + j]!;
      const r = target[o + j]!;
      total += r * (lse - z);
      // softmax_j = exp(z_j − lse), kept in float64 until the store.
      if (dlogits) dlogits[o + j] = (Math.exp(z - lse) * sumR - r) * inv;
    }
  }
  return total / rows;
}

// Dispatch on the loss code; see the functions above for shapes.
export function lossForwardBackward(dlogits: Float32Array | null, logits: Float32Array, target: Float32Array,
                                    rows: number, cols: number, loss: number): number {
  switch (loss) {
    case Loss.mse: return mseLoss(dlogits, logits, target, rows, cols);
    case Loss.sigmoidCrossEntropy: return sigmoidCrossEntropyLoss(dlogits, logits, target, rows, cols);
    case Loss.softmaxCrossEntropy: return softmaxCrossEntropyLoss(dlogits, logits, target, rows, cols);
    default: throw new RangeError(`lossForwardBackward: unknown loss ${loss}`);
  }
}
