// Training data for the benches: Fashion-MNIST from a folder the user names
// (--fashion-mnist DIR or FASTNN_FASHION_MNIST; Debian's dataset-fashion-mnist
// installs one), otherwise generated images of the same shape, and the bench
// says which. Generated classes are noisy copies of 10 random templates, so
// accuracy figures on them mean little; timings do not depend on the pixels.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Matrix, Rng, readIdxImages, readIdxLabels } from '../../dist/index.js';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

function find(dir, base) {
  for (const name of [base, `${base}.gz`]) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

export async function fashionMnist(dir) {
  if (dir) {
    const files = Object.fromEntries(Object.entries(FILES).map(([k, base]) => [k, find(dir, base)]));
    const missing = Object.entries(files)
      .filter(([, f]) => !f)
      .map(([k]) => FILES[k]);
    if (missing.length) throw new Error(`fashion-mnist: ${dir} lacks ${missing.join(', ')}`);
    return {
      source: `Fashion-MNIST from ${dir}`,
      train: { x: await readIdxImages(files.trainImages, { scale: true }), y: await readIdxLabels(files.trainLabels) },
      test: { x: await readIdxImages(files.testImages, { scale: true }), y: await readIdxLabels(files.testLabels) },
    };
  }
  const rng = new Rng(2024);
  const templates = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => rng.uniform()));
  const make = (n) => {
    const x = Matrix.zeros(n, 784);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.below(10);
      const t = templates[y[i]];
      for (let j = 0; j < 784; j++) x.data[i * 784 + j] = Math.min(1, Math.max(0, t[j] + 0.5 * (rng.uniform() - 0.5)));
    }
    return { x, y };
  };
  return { source: 'generated (no --fashion-mnist folder given)', train: make(60000), test: make(10000) };
}
