/**
 * The demo's data: interleaved spiral arms in 2-D, one class per arm. They
 * are not linearly separable, so a perceptron fails on them where a small
 * MLP succeeds.
 */
import { Rng } from '../rng.js';
import { Matrix } from '../tensor.js';

/** n points per class on `classes` spiral arms, with a little noise. */
export function spirals(n: number, classes: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const x = Matrix.shared(n * classes, 2);
  const y = new Int32Array(n * classes);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      const r = i / n;
      const angle = (c * 2 * Math.PI) / classes + 4 * r + 0.2 * (rng.uniform() - 0.5);
      const row = c * n + i;
      x.data[2 * row] = r * Math.sin(angle);
      x.data[2 * row + 1] = r * Math.cos(angle);
      y[row] = c;
    }
  }
  return { x, y };
}
