/**
 * PCA and classical MDS against cases with known answers and float64
 * references (the covariance or Gram matrix in float64, then a Jacobi
 * eigen-solver), on each backend; their options and bad input; then native
 * against TS.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Matrix, useBackend } from '../../src/index.js';
import { classicalMds } from '../../src/analysis/mds.js';
import { PCA } from '../../src/analysis/pca.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { centredGramReference, jacobiEigen, signedColumn, squaredDistances } from '../helpers/eigen-reference.js';
import { largestAngleCosine, planted } from '../helpers/subspace.js';

afterAll(() => useBackend('auto'));

/** n points in d dimensions with well-separated variances per axis (so the components are well defined), offset from 0. */
function spread(n: number, d: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return new Matrix(
    Float32Array.from({ length: n * d }, (_, i) => 5 + (rng.uniform() - 0.5) * (1 + (i % d)) ** 1.5),
    n,
    d,
  );
}

/** Column c of m as an array. */
const column = (m: Matrix, c: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + c]!);

describe.each(backendsUnderTest().map((b) => [b.name]))('PCA and MDS on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('PCA recovers a planted subspace and its reconstruction error is the noise', async () => {
    use();
    const d = 12;
    const k = 3;
    const noise = 0.05;
    const { x, basis } = planted(400, d, k, noise, 1);
    const pca = await PCA.fit(x, k);
    // Float32 covariance: cosines agree to ~1e-6; noise tilts the estimate by about noise²/variance.
    expect(largestAngleCosine(pca.components.data, basis, k, d)).toBeGreaterThan(0.999);
    expect(pca.explainedVariance[0]).toBeGreaterThan(pca.explainedVariance[1]!);
    // Residual = the noise in the d − k discarded directions: Var(noise·(u1+u2+u3−1.5)) = noise²/4.
    const expected = (((noise * noise) / 4) * (d - k)) / d;
    expect(pca.reconstructionError(x)).toBeGreaterThan(0.7 * expected);
    expect(pca.reconstructionError(x)).toBeLessThan(1.3 * expected);
    const codes = pca.transform(x);
    expect([codes.rows, codes.cols]).toEqual([400, 3]);
  });

  it("PCA matches the float64 covariance's eigenvectors (up to sign) and eigenvalues", async () => {
    use();
    for (const [n, d, k] of [
      [50, 7, 7],
      [300, 33, 5],
      [2, 4, 1],
    ] as const) {
      const x = spread(n, d, n + d);
      const pca = await PCA.fit(x, k);
      const { gram } = centredGramReference(x, false, 1 / (n - 1));
      const ref = jacobiEigen(gram, d);
      Array.from(pca.mean).forEach((m, j) => expect(m).toBeCloseTo(column(new Matrix(x.data, n, d), j).reduce((s, v) => s + v, 0) / n, 4));
      for (let c = 0; c < k; c++) {
        // Float32 data and covariance: relative 1e-5 on the variances, 1e-4 on the (well-separated) axes.
        expect(Math.abs(pca.explainedVariance[c]! - ref.values[c]!)).toBeLessThan(1e-5 * ref.values[0]!);
        if (n > 2) {
          const v = signedColumn(ref.vectors, d, c);
          v.forEach((r, j) => expect(Math.abs(pca.components.data[c * d + j]! - r), `n ${n}, component ${c}`).toBeLessThan(1e-4));
        }
      }
    }
  });

  it('classical MDS reproduces the distances of points that live in 2-D, from either side of the Gram matrix', async () => {
    use();
    const rng = new Rng(3);
    const flat = Matrix.zeros(40, 5);
    for (let i = 0; i < 40; i++) {
      const [u, v] = [rng.uniform() * 4, rng.uniform() * 4];
      flat.data.set([u, v, u + v, u - v, 0], i * 5); // a 2-D plane embedded in 5-D
    }
    // The same plane in 60-D (each coordinate 12 times): fewer points than dimensions, so MDS decomposes the 40 × 40 side.
    const wide = new Matrix(
      Float32Array.from({ length: 40 * 60 }, (_, i) => flat.data[Math.floor(i / 60) * 5 + (i % 5)]!),
      40,
      60,
    );
    for (const x of [flat, wide]) {
      const y = await classicalMds(x, 3);
      expect([y.rows, y.cols]).toEqual([40, 3]);
      const dx = squaredDistances(x);
      const dy = squaredDistances(
        new Matrix(
          Float32Array.from({ length: 80 }, (_, i) => y.data[Math.floor(i / 2) * 3 + (i % 2)]!),
          40,
          2,
        ),
      );
      for (let i = 0; i < dx.length; i++) expect(Math.sqrt(dy[i]!)).toBeCloseTo(Math.sqrt(dx[i]!), 3);
      // The third dimension is beyond the data's rank: zero, to rounding. From the d × d side it is Xc·v, float32
      // rounding of the map (~1e-7); from the n × n side v·√λ with λ a float32 rounding error of the Gram matrix,
      // whose square root is ~√u = 2.4e-4 of the map (measured up to 7e-4).
      const size = Math.max(...y.data.map(Math.abs));
      column(y, 2).forEach((v) => expect(Math.abs(v)).toBeLessThan((x === wide ? 3e-3 : 1e-5) * size));
    }
  });

  it("classical MDS matches the float64 double-centred Gram matrix's eigenvectors scaled by √λ, columns signed", async () => {
    use();
    for (const [n, d] of [
      [30, 8],
      [9, 20],
    ] as const) {
      const x = spread(n, d, 7 * n + d);
      const y = await classicalMds(x, 3);
      const { gram } = centredGramReference(x, true, 1);
      const ref = jacobiEigen(gram, n);
      for (let c = 0; c < 3; c++) {
        const v = signedColumn(ref.vectors, n, c);
        const scale = Math.sqrt(ref.values[c]!);
        column(y, c).forEach((got, i) => expect(Math.abs(got - v[i]! * scale), `(${n}, ${d}) column ${c}`).toBeLessThan(1e-4 * Math.sqrt(ref.values[0]!)));
      }
    }
  });

  it('reports its progress by stage, gram before eigen, each up to its total', async () => {
    use();
    const seen: { stage: string; done: number; total: number }[] = [];
    await PCA.fit(spread(200, 10, 1), 2, { onProgress: (p) => seen.push(p) });
    const stages = seen.map((p) => p.stage);
    expect(stages.indexOf('eigen')).toBeGreaterThan(stages.lastIndexOf('gram'));
    for (const stage of ['gram', 'eigen']) {
      const last = seen.filter((p) => p.stage === stage).at(-1)!;
      expect(last.done).toBe(last.total);
    }
    const mds: string[] = [];
    await classicalMds(spread(20, 30, 2), 2, { onProgress: (p) => mds.push(p.stage) });
    expect(new Set(mds)).toEqual(new Set(['gram', 'eigen']));
  });

  it('an aborted signal rejects with its reason, before or during the work', async () => {
    use();
    const reason = new Error('stop');
    await expect(PCA.fit(spread(10, 3, 1), 2, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(classicalMds(spread(10, 3, 1), 2, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    let reports = 0;
    const fit = PCA.fit(spread(4000, 300, 2), 10, {
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 1) controller.abort(reason);
      },
    });
    await expect(fit).rejects.toBe(reason);
    const after = reports;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toBe(after);
  });

  describe('bad input', () => {
    const x = spread(6, 4, 1);
    const nan = new Matrix(x.data.slice(), 6, 4);
    nan.data[2 * 4 + 3] = NaN;
    it.each([
      ['k above d', () => PCA.fit(x, 5), RangeError, 'PCA.fit: k must be an integer in [1, 4], got 5'],
      ['k 0', () => PCA.fit(x, 0), RangeError, 'PCA.fit: k must be an integer in [1, 4], got 0'],
      ['k fractional', () => PCA.fit(x, 1.5), RangeError, 'PCA.fit: k must be an integer in [1, 4], got 1.5'],
      ['a bare Float32Array', () => PCA.fit(x.data as never, 2), TypeError, 'PCA.fit: x must be a Matrix or a non-empty array of rows'],
      ['ragged rows', () => PCA.fit([[1, 2], [3]], 1), RangeError, 'PCA.fit: x[1] must have 2 values, got 1'],
      ['one row', () => PCA.fit([[1, 2]], 1), RangeError, 'PCA.fit: x must have at least 2 rows, got 1'],
      ['NaN', () => PCA.fit(nan, 2), RangeError, 'PCA.fit: x contains NaN at row 2, column 3'],
      [
        'Infinity in rows',
        () =>
          PCA.fit(
            [
              [1, 2],
              [Infinity, 0],
            ],
            1,
          ),
        RangeError,
        'PCA.fit: x contains Infinity at row 1, column 0',
      ],
      [
        'an overflowing covariance',
        () =>
          PCA.fit(
            [
              [3e38, 0],
              [-3e38, 1],
            ],
            1,
          ),
        RangeError,
        'PCA.fit: the covariance of x overflows float32 (Infinity at row 0, column 0); scale x down',
      ],
      ['options not an object', () => PCA.fit(x, 2, 'fast' as never), TypeError, 'PCA.fit: options must be an object'],
      [
        'an unknown option',
        () => PCA.fit(x, 2, { sigal: AbortSignal.abort() } as never),
        TypeError,
        "PCA.fit: unknown option 'sigal' in options (expected one of: onProgress, signal)",
      ],
      ['onProgress not a function', () => PCA.fit(x, 2, { onProgress: 'log' as never }), TypeError, 'PCA.fit: options.onProgress must be a function'],
      [
        'signal not an AbortSignal',
        () => PCA.fit(x, 2, { signal: new AbortController() as never }),
        TypeError,
        'PCA.fit: options.signal must be an AbortSignal',
      ],
      ['MDS dims above n', () => classicalMds(x, 7), RangeError, 'classicalMds: dims must be an integer in [1, 6], got 7'],
      ['MDS dims 0', () => classicalMds(x, 0), RangeError, 'classicalMds: dims must be an integer in [1, 6], got 0'],
      ['MDS NaN', () => classicalMds(nan, 2), RangeError, 'classicalMds: x contains NaN at row 2, column 3'],
      ['MDS one row', () => classicalMds([[1, 2, 3]]), RangeError, 'classicalMds: x must have at least 2 rows, got 1'],
      ['MDS a bare Float32Array', () => classicalMds(x.data as never), TypeError, 'classicalMds: x must be a Matrix or a non-empty array of rows'],
      [
        'MDS an unknown option',
        () => classicalMds(x, 2, { progress: () => {} } as never),
        TypeError,
        "classicalMds: unknown option 'progress' in options (expected one of: onProgress, signal)",
      ],
      ['MDS signal not an AbortSignal', () => classicalMds(x, 2, { signal: {} as never }), TypeError, 'classicalMds: options.signal must be an AbortSignal'],
    ])('%s', async (_label, run, cls, message) => {
      use();
      const call = run();
      await expect(call).rejects.toThrow(cls);
      await expect(call).rejects.toThrow(message);
    });
  });
});

describe.runIf(backendPair() !== null)('PCA and MDS: native and TS agree', () => {
  it('the same components within 1e-5 and variances within 1e-5 relative; the same MDS map within 1e-4', async () => {
    const x = spread(500, 40, 9);
    const run = async (be: 'js' | 'native') => {
      useBackend(be);
      return { pca: await PCA.fit(x, 6), map: await classicalMds(x, 2) };
    };
    const [js, native] = [await run('js'), await run('native')];
    expect(native.pca.mean).toEqual(js.pca.mean); // float64 sums in row order on both
    js.pca.components.data.forEach((v, i) => expect(Math.abs(v - native.pca.components.data[i]!)).toBeLessThan(1e-5));
    js.pca.explainedVariance.forEach((v, i) => expect(Math.abs(v - native.pca.explainedVariance[i]!)).toBeLessThan(1e-5 * v));
    const size = Math.max(...js.map.data.map(Math.abs));
    js.map.data.forEach((v, i) => expect(Math.abs(v - native.map.data[i]!)).toBeLessThan(1e-4 * size));
  });
});
