/** Accuracy metrics from the logits, as native/core/metrics.cc computes them (backend.ts Metric). */
import { Metric } from '../backend.js';

// Index of the first largest of a[o .. o+cols).
function argmax(a: Float32Array, o: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (a[o + j]! > a[o + best]!) best = j;
  return best;
}

/** Σ over rows of the row's score in [0, 1] for logits (rows,cols) against target (rows,cols). */
export function metricSum(logits: Float32Array, target: Float32Array, rows: number, cols: number, metric: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    if (metric === Metric.binaryAccuracy) {
      let right = 0;
      for (let j = 0; j < cols; j++) if (logits[o + j]! >= 0 === target[o + j]! >= 0.5) right++;
      sum += right / cols;
    } else if (metric === Metric.categoricalAccuracy) {
      sum += argmax(logits, o, cols) === argmax(target, o, cols) ? 1 : 0;
    }
  }
  return sum;
}
