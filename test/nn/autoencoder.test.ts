/**
 * Autoencoders on both backends: reconstruction, denoising, sparsity, codes as
 * features, save/load, stacked pretraining, linear AE = PCA, and the same
 * seeded run giving the same weights natively and in TS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Autoencoder, MLP, Matrix, ModelFileError, PCA, useBackend } from '../../src/index.js';
import { generateShapes } from '../../src/datasets/shapes.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { largestAngleCosine, orthonormalizeRows, planted } from '../helpers/subspace.js';

afterAll(() => useBackend('auto'));

const SIDE = 10;
const data = generateShapes(800, { side: SIDE, seed: 1 });
const test = generateShapes(200, { side: SIDE, seed: 2 });
/** The first 400 images: enough for the tests that only compare two models. */
const small = new Matrix(data.images.data.subarray(0, 400 * SIDE * SIDE), 400, SIDE * SIDE);
const adam = { type: 'adam' as const, lr: 0.01 };

/** x with a fraction `level` of its values zeroed (our own RNG, not the trainer's). */
function masked(x: Matrix, level: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return new Matrix(
    x.data.map((v) => (rng.uniform() < level ? 0 : v)),
    x.rows,
    x.cols,
  );
}

function mse(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i]! - b.data[i]!) ** 2;
  return s / a.data.length;
}

describe.each(backendsUnderTest().map((b) => [b.name]))('Autoencoder on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('reconstruction improves with training; encode then decode is reconstruct', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 32], loss: 'bce', seed: 1 });
    const before = ae.evaluate(test.images).mse;
    const history = await ae.fit(data.images, { epochs: 15, batchSize: 16, optimizer: adam });
    expect(history.loss[history.loss.length - 1]).toBeLessThan(history.loss[0]!);
    const after = ae.evaluate(test.images).mse;
    expect(after).toBeLessThan(before / 3);
    const codes = ae.encode(test.images);
    expect([codes.rows, codes.cols]).toEqual([200, 32]);
    expect(mse(ae.decode(codes), ae.reconstruct(test.images))).toBeLessThan(1e-10);
  });

  it('a denoising AE restores masked inputs better than a plain one trained alike', async () => {
    use();
    const opts = { epochs: 15, batchSize: 16, optimizer: adam };
    const plain = new Autoencoder({ layers: [SIDE * SIDE, 64], loss: 'bce', seed: 3 });
    const denoising = new Autoencoder({ layers: [SIDE * SIDE, 64], loss: 'bce', seed: 3, denoise: 0.4 });
    await plain.fit(small, opts);
    await denoising.fit(small, opts);
    const corrupted = masked(test.images, 0.4, 9);
    const errPlain = mse(plain.reconstruct(corrupted), test.images);
    const errDenoising = mse(denoising.reconstruct(corrupted), test.images);
    expect(errDenoising).toBeLessThan(0.8 * errPlain);
    // Gaussian corruption trains too, and the targets stayed clean: the loss
    // compares with the clean input, so reconstructions of clean data are good.
    const gauss = new Autoencoder({ layers: [SIDE * SIDE, 64], loss: 'bce', seed: 3, denoise: { type: 'gaussian', level: 0.3 } });
    await gauss.fit(small, opts);
    expect(gauss.evaluate(test.images).mse).toBeLessThan(0.5 * new Autoencoder({ layers: [SIDE * SIDE, 64], loss: 'bce', seed: 3 }).evaluate(test.images).mse);
  });

  it('a sparse over-complete AE keeps its mean code activation near ρ and still reconstructs', async () => {
    use();
    const rho = 0.05;
    const opts = { epochs: 15, batchSize: 32, optimizer: adam };
    // 150 code units for 100 inputs: without the penalty the code could copy the input.
    const sparse = new Autoencoder({ layers: [SIDE * SIDE, 150], loss: 'bce', seed: 4, sparse: { rho, beta: 3 } });
    const dense = new Autoencoder({ layers: [SIDE * SIDE, 150], loss: 'bce', seed: 4 });
    await sparse.fit(small, opts);
    await dense.fit(small, opts);
    const meanCode = (ae: Autoencoder) => {
      const c = ae.encode(test.images);
      return c.data.reduce((s, v) => s + v, 0) / c.data.length;
    };
    expect(Math.abs(meanCode(sparse) - rho)).toBeLessThan(0.03);
    expect(meanCode(dense)).toBeGreaterThan(0.2);
    // Useful: far better than predicting the mean image.
    const mean = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < data.images.rows; i++) for (let j = 0; j < mean.length; j++) mean[j]! += data.images.data[i * mean.length + j]! / data.images.rows;
    const meanImage = new Matrix(
      new Float32Array(test.images.data.length).map((_, i) => mean[i % mean.length]!),
      test.images.rows,
      mean.length,
    );
    expect(sparse.evaluate(test.images).mse).toBeLessThan(0.7 * mse(meanImage, test.images));
  });

  it('codes are features: an MLP on 16-unit codes classifies the shapes', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 48, 16], loss: 'bce', seed: 5 });
    await ae.fit(data.images, { epochs: 30, batchSize: 16, optimizer: adam });
    const clf = new MLP({ layers: [16, 64, 4], task: 'multiclass', hidden: 'relu', seed: 5 });
    await clf.fit(ae.encode(data.images), data.labels, { epochs: 60, batchSize: 16, optimizer: adam });
    const acc = clf.evaluate(ae.encode(test.images), test.labels).accuracy!;
    expect(acc).toBeGreaterThan(0.9); // chance is 0.25
  });

  it('tied weights stay tied through training; save/load round-trips the model', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 40, 12], loss: 'bce', tiedWeights: true, denoise: 0.2, seed: 6 });
    await ae.fit(data.images, { epochs: 5, batchSize: 16, optimizer: adam });
    const [w0, w3] = [ae.params[0]!, ae.params[6]!];
    for (let o = 0; o < 40; o++) for (let i = 0; i < 100; i++) expect(w3[i * 40 + o]).toBe(w0[o * 100 + i]);
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ae-')), 'ae.safetensors');
    await ae.save(path);
    const again = await Autoencoder.load(path);
    expect(again.config()).toEqual(ae.config());
    expect(mse(again.reconstruct(test.images), ae.reconstruct(test.images))).toBe(0);
    // A file whose decoder copy is not the encoder's transpose would load untied.
    again.params[6]![3 * 40 + 5] += 0.5;
    await again.save(path);
    const refused = Autoencoder.load(path);
    await expect(refused).rejects.toThrow(ModelFileError);
    await expect(refused).rejects.toThrow(
      `${path}: tensor 'layers.3.weight' must be the transpose of 'layers.0.weight' (the layers are tied), but [3, 5] differs from [5, 3]`,
    );
  });

  it('stacked: greedy layer-wise pretraining then fine-tuning trains a deep AE', async () => {
    use();
    const ae = new Autoencoder({ layers: [SIDE * SIDE, 48, 16], loss: 'bce', seed: 7 });
    const before = ae.evaluate(test.images).mse;
    const history = await ae.pretrainStacked(data.images, {
      epochsPerLayer: 5,
      layerOptions: { batchSize: 16, optimizer: adam },
      fineTune: { epochs: 5, batchSize: 16, optimizer: adam },
    });
    expect(history.loss).toHaveLength(5);
    expect(ae.evaluate(test.images).mse).toBeLessThan(before / 3);
  });

  // A linear AE (identity activations, MSE) with k code units spans the top-k
  // principal subspace at its optimum (Baldi & Hornik 1989), whatever basis it picks.
  it("a linear AE with k code units finds the principal subspace and PCA's error", async () => {
    use();
    const d = 10;
    const k = 3;
    const { x: raw } = planted(500, d, k, 0.1, 11);
    const pca = await PCA.fit(raw, k);
    // Centred first: the biases could absorb planted()'s offset of 3, but
    // that makes plain gradient descent ill-conditioned and slow; the optimum is the same.
    const x = new Matrix(
      raw.data.map((v, i) => v - pca.mean[i % d]!),
      raw.rows,
      d,
    );
    const ae = new Autoencoder({ layers: [d, k], hidden: 'identity', loss: 'mse', seed: 11 });
    await ae.fit(x, { epochs: 100, batchSize: 10, optimizer: { type: 'adam', lr: 0.01 }, schedule: { type: 'cosine', minLr: 1e-4 } });
    // The decoder's columns span the learned subspace: orthonormalise them.
    const wd = ae.params[2]!; // (d, k)
    const basis = new Float64Array(k * d);
    for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) basis[r * d + j] = wd[j * k + r]!;
    orthonormalizeRows(basis, k, d);
    // Largest principal angle under 1° (measured: 0.05°).
    expect(largestAngleCosine(basis, pca.components.data, k, d)).toBeGreaterThan(Math.cos(Math.PI / 180));
    // Reconstruction error within 3% of PCA's, the optimum for k linear codes (measured: +1.6%).
    const pcaErr = mse(pca.inverseTransform(pca.transform(raw)), raw);
    const aeErr = ae.evaluate(x).mse;
    expect(aeErr).toBeGreaterThanOrEqual(pcaErr * 0.999);
    expect(aeErr).toBeLessThan(pcaErr * 1.03);
  });

  it('refuses bad configs, naming the option', () => {
    use();
    expect(() => new Autoencoder({ layers: [4, 2], sparse: { rho: 0.1, beta: 1 }, hidden: 'relu' })).toThrow(/sparse needs a sigmoid code layer/);
    expect(() => new Autoencoder({ layers: [4, 2], denoise: 1 })).toThrow(/config.denoise must be a masking fraction/);
    expect(() => new Autoencoder({ layers: [4, 2], tiedWeights: true, decoder: [3, 4] })).toThrow(/tiedWeights needs the mirrored decoder/);
    expect(() => new Autoencoder({ layers: [4, 2], denoize: 0.1 } as never)).toThrow(/unknown option 'denoize'/);
    expect(() => new Autoencoder({ layers: [4, 2], loss: 'bce' }).evaluate([[2, 0, 0, 0]])).not.toThrow();
    return expect(new Autoencoder({ layers: [4, 2], loss: 'bce' }).fit([[2, 0, 0, 0]])).rejects.toThrow(/values in \[0, 1\] for the bce loss/);
  });
});

describe.runIf(backendPair())('Autoencoder: the same seeded run on both backends', () => {
  it('gives the same weights natively and in TS (denoising, sparse, tied)', async () => {
    const run = async (be: 'js' | 'native', denoise: number | { type: 'gaussian'; level: number }) => {
      useBackend(be);
      const ae = new Autoencoder({ layers: [SIDE * SIDE, 24], loss: 'bce', seed: 8, denoise, sparse: { rho: 0.1, beta: 0.5 }, tiedWeights: true });
      await ae.fit(data.images.data.subarray(0, 100 * SIDE * SIDE), { epochs: 3, batchSize: 10, optimizer: adam });
      return ae.params;
    };
    for (const denoise of [0.3, { type: 'gaussian' as const, level: 0.2 }]) {
      const [a, b] = [await run('js', denoise), await run('native', denoise)];
      // Float32 GEMM sums in a different order natively; Gaussian noise may differ in the last
      // ulp of log/cos between V8 and libm. Both stay far below 1e-3 after 30 Adam steps.
      a.forEach((p, i) => p.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThan(1e-3)));
    }
  });
});
