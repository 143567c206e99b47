/**
 * PCA and classical MDS against cases with known answers.
 */
import { describe, expect, it } from 'vitest';
import { Matrix, useBackend } from '../../src/index.js';
import { jacobiEigen, topEigen } from '../../src/analysis/eigen.js';
import { classicalMds, squaredDistances } from '../../src/analysis/mds.js';
import { PCA } from '../../src/analysis/pca.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { largestAngleCosine, planted } from '../helpers/subspace.js';

describe('eigen solvers', () => {
  it('Jacobi diagonalises a symmetric matrix: A·v = λ·v', () => {
    const a = Float64Array.of(4, 1, 2, 1, 3, 0, 2, 0, 5);
    const { values, vectors } = jacobiEigen(a, 3);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += a[i * 3 + j]! * vectors[j * 3 + c]!;
        expect(av).toBeCloseTo(values[c]! * vectors[i * 3 + c]!, 10);
      }
    }
    expect(values[0]).toBeGreaterThan(values[1]!);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(12, 10); // trace
  });

  it('subspace iteration finds the leading eigenpairs of a diagonal matrix', () => {
    const d = 30;
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) a[i * d + i] = d - i;
    const { values, vectors } = topEigen(a, d, 3);
    expect(Array.from(values)).toEqual([30, 29, 28].map((v) => expect.closeTo(v, 8)));
    expect(Math.abs(vectors[0]!)).toBeCloseTo(1, 8);
  });
});

describe.each(backendsUnderTest().map((b) => [b.name]))('PCA and MDS on %s', (name) => {
  it('PCA recovers a planted subspace and its reconstruction error is the noise', () => {
    useBackend(name as 'js' | 'native');
    const d = 12;
    const k = 3;
    const noise = 0.05;
    const { x, basis } = planted(400, d, k, noise, 1);
    const pca = PCA.fit(x, k);
    // Float32 covariance: cosines agree to ~1e-6; noise tilts the estimate by about noise²/variance.
    expect(largestAngleCosine(pca.components.data, basis, k, d)).toBeGreaterThan(0.999);
    expect(pca.explainedVariance[0]).toBeGreaterThan(pca.explainedVariance[1]!);
    // Residual = the noise in the d − k discarded directions: Var(noise·(u1+u2+u3−1.5)) = noise²/4.
    const expected = (noise * noise / 4) * (d - k) / d;
    expect(pca.reconstructionError(x)).toBeGreaterThan(0.7 * expected);
    expect(pca.reconstructionError(x)).toBeLessThan(1.3 * expected);
    const codes = pca.transform(x);
    expect([codes.rows, codes.cols]).toEqual([400, 3]);
    expect(() => PCA.fit(x, 13)).toThrow('k must be an integer in [1, 12], got 13');
    expect(() => PCA.fit(x.data as never, 2)).toThrow(TypeError);
  });

  it('classical MDS reproduces the distances of points that live in 2-D', () => {
    useBackend(name as 'js' | 'native');
    const rng = new Rng(3);
    const flat = Matrix.zeros(40, 5);
    for (let i = 0; i < 40; i++) {
      const [u, v] = [rng.uniform() * 4, rng.uniform() * 4];
      flat.data.set([u, v, u + v, u - v, 0], i * 5); // a 2-D plane embedded in 5-D
    }
    const y = classicalMds(flat, 2);
    const dx = squaredDistances(flat);
    const dy = squaredDistances(y);
    for (let i = 0; i < dx.length; i++) expect(Math.sqrt(dy[i]!)).toBeCloseTo(Math.sqrt(dx[i]!), 3);
  });
});
