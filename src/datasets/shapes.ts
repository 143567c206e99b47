/**
 * Built-in generated images for trying autoencoders without a dataset: side×side
 * grey images in [0, 1] of four kinds of simple shapes at random places and
 * sizes (0 rectangle outline, 1 filled disc, 2 horizontal stroke, 3 vertical
 * stroke), each lightly blurred by anti-aliased edges. Seeded, so a seed gives
 * the same images everywhere.
 */
import { Rng } from '../rng.js';
import { Matrix } from '../tensor.js';

export const SHAPE_KINDS = ['rectangle', 'disc', 'horizontal', 'vertical'] as const;

export interface ShapeImages {
  /** (n, side²) pixels in [0, 1], row-major images. */
  images: Matrix;
  /** (n) the kind of each image, an index into SHAPE_KINDS. */
  labels: Int32Array;
  side: number;
}

export function generateShapes(n: number, options: { side?: number; seed?: number } = {}): ShapeImages {
  const side = options.side ?? 28;
  const rng = new Rng(options.seed ?? 0);
  const images = Matrix.shared(n, side * side);
  const labels = new Int32Array(n);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  for (let i = 0; i < n; i++) {
    const kind = rng.below(SHAPE_KINDS.length);
    labels[i] = kind;
    const cx = between(0.3, 0.7) * side;
    const cy = between(0.3, 0.7) * side;
    const r = between(0.15, 0.3) * side;
    const half = Math.max(1, 0.05 * side);
    // Coverage of a pixel centre by the shape, with a one-pixel soft edge.
    const soft = (d: number) => Math.min(1, Math.max(0, 0.5 - d));
    const img = images.data.subarray(i * side * side, (i + 1) * side * side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        let v: number;
        if (kind === 0) v = soft(Math.abs(Math.max(Math.abs(dx), Math.abs(dy)) - r) - half);
        else if (kind === 1) v = soft(Math.hypot(dx, dy) - r);
        else if (kind === 2) v = Math.min(soft(Math.abs(dy) - half), soft(Math.abs(dx) - r));
        else v = Math.min(soft(Math.abs(dx) - half), soft(Math.abs(dy) - r));
        img[y * side + x] = v;
      }
    }
  }
  return { images, labels, side };
}
