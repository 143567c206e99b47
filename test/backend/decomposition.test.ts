/**
 * Backend.centredGram and Backend.symmetricEigen, the decompositions behind
 * PCA and classical MDS, against float64 references on both backends: the
 * column means bit for bit and the product within float32 rounding, in both
 * orientations and over several blocks; eigenvalues and eigenvectors (up to
 * the fixed sign) against a Jacobi solver on odd sizes, degenerate spectra,
 * k from 0 to m; non-finite input; abort and progress. Then the agreement
 * suite: symmetricEigen gives the same bits on both backends, on every
 * native kernel path and thread count.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { loadNativeAddon } from '../../src/backend/native.js';
import { Rng } from '../../src/rng.js';
import { Matrix } from '../../src/tensor.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { centredGramReference, jacobiEigen, signedColumn } from '../helpers/eigen-reference.js';

function randomMatrix(rows: number, cols: number, seed: number, offset = 0): Matrix {
  const rng = new Rng(seed);
  return new Matrix(
    Float32Array.from({ length: rows * cols }, (_, i) => offset + (i % 7) * 0.1 + rng.uniform() - 0.5),
    rows,
    cols,
  );
}

/** A random symmetric (m, m) float32 matrix; its eigenvalues are distinct with probability 1. */
function randomSymmetric(m: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) a[i * m + j] = a[j * m + i] = 2 * rng.uniform() - 1;
  return a;
}

/** The means as both backends must give them: float64 sums in row order, rounded to float32. */
function exactMeans(x: Matrix): Float32Array {
  const sums = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) sums[j] = sums[j]! + x.data[i * x.cols + j]!;
  return Float32Array.from(sums, (s) => (x.rows === 0 ? 0 : s / x.rows));
}

/** Checks entries (a, b) of out against the float64 product: within float32 rounding of the Σ|terms|. */
function expectGram(out: Float32Array, x: Matrix, rows: boolean, alpha: number, entries: [number, number][]): void {
  const mean = exactMeans(x);
  const { rows: n, cols: d, data } = x;
  const side = rows ? n : d;
  for (const [a, b] of entries) {
    let s = 0;
    let size = 0;
    const terms = rows ? d : n;
    for (let t = 0; t < terms; t++) {
      // The centring is float32 in both backends: the reference subtracts the same way.
      const p = rows
        ? Math.fround(data[a * d + t]! - mean[t]!) * Math.fround(data[b * d + t]! - mean[t]!)
        : Math.fround(data[t * d + a]! - mean[a]!) * Math.fround(data[t * d + b]! - mean[b]!);
      s += p;
      size += Math.abs(p);
    }
    expect(Math.abs(out[a * side + b]! - alpha * s)).toBeLessThanOrEqual(Math.abs(alpha) * size * 2e-6 + 1e-30);
    expect(out[a * side + b]).toBe(out[b * side + a]);
  }
}

function allEntries(side: number): [number, number][] {
  return Array.from({ length: side * side }, (_, i) => [Math.floor(i / side), i % side] as [number, number]);
}

async function eigen(backend: Backend, a: Float32Array, m: number, k: number) {
  const values = new Float64Array(k);
  const vectors = new Float32Array(k * m);
  expect(await backend.symmetricEigen(values, vectors, a, m, k, null)).toBe(true);
  return { values, vectors };
}

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('centredGram (%s)', (_name, backend) => {
  it.each([
    [1, 1],
    [2, 3],
    [7, 5],
    [40, 17],
    [3, 40],
    [33, 33],
  ])('x (%i, %i): means bit for bit, products within rounding', async (n, d) => {
    const x = randomMatrix(n, d, n * 100 + d, 3);
    for (const rows of [false, true]) {
      const side = rows ? n : d;
      const out = new Float32Array(side * side).fill(NaN);
      const mean = new Float32Array(d);
      const alpha = rows ? 1 : 1 / Math.max(1, n - 1);
      expect(await backend.centredGram(out, mean, x.data, n, d, rows, alpha, null)).toBe(true);
      expect(Array.from(mean)).toEqual(Array.from(exactMeans(x)));
      expectGram(out, x, rows, alpha, allEntries(side));
      const ref = centredGramReference(x, rows, alpha);
      ref.gram.forEach((g, i) => expect(Math.abs(out[i]! - g)).toBeLessThan(1e-4 * (1 + Math.abs(g))));
    }
  });

  it('sums several blocks of x (columns mode: rows of x; rows mode: its columns)', async () => {
    // TS: 256 rows (columns) per block; native: 65 536 columns per block in rows mode at n = 64.
    const rng = new Rng(5);
    const sample = (side: number) => Array.from({ length: 150 }, () => [rng.below(side), rng.below(side)] as [number, number]);
    const tall = randomMatrix(6000, 64, 1, -2);
    const outTall = new Float32Array(64 * 64);
    expect(await backend.centredGram(outTall, new Float32Array(64), tall.data, 6000, 64, false, 1 / 5999, null)).toBe(true);
    expectGram(outTall, tall, false, 1 / 5999, [...sample(64), [0, 0], [63, 63]]);
    const wide = randomMatrix(64, 150_000, 2, 1);
    const outWide = new Float32Array(64 * 64);
    expect(await backend.centredGram(outWide, new Float32Array(150_000), wide.data, 64, 150_000, true, 0.5, null)).toBe(true);
    expectGram(outWide, wide, true, 0.5, [...sample(64), [0, 0], [63, 63]]);
  });

  it('x with no rows: zero means and a zero product', async () => {
    const out = new Float32Array(9).fill(NaN);
    const mean = new Float32Array(3).fill(NaN);
    expect(await backend.centredGram(out, mean, new Float32Array(0), 0, 3, false, 1, null)).toBe(true);
    expect([...out, ...mean]).toEqual(new Array(12).fill(0));
  });

  it('reports its progress in rows of x, and resolves false for an aborted signal', async () => {
    const x = randomMatrix(6000, 64, 3);
    const reports: { done: number; total: number }[] = [];
    await backend.centredGram(new Float32Array(64 * 64), new Float32Array(64), x.data, 6000, 64, false, 1, (p) => reports.push(p));
    expect(reports.at(-1)).toEqual({ done: 6000, total: 6000 });
    reports.forEach((p, i) => expect(p.done).toBeGreaterThan(i > 0 ? reports[i - 1]!.done : 0));
    let calls = 0;
    expect(await backend.centredGram(new Float32Array(64 * 64), new Float32Array(64), x.data, 6000, 64, false, 1, () => calls++, AbortSignal.abort())).toBe(
      false,
    );
    expect(calls).toBe(0);
  });
});

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('symmetricEigen (%s)', (_name, backend) => {
  it.each([1, 2, 3, 5, 16, 17, 33, 64, 100])('m = %i: eigenpairs of a random matrix as a Jacobi solver gives them', async (m) => {
    const a = randomSymmetric(m, m);
    const ref = jacobiEigen(Float64Array.from(a), m);
    for (const k of new Set([m, Math.min(3, m), 1])) {
      const { values, vectors } = await eigen(backend, a, m, k);
      for (let c = 0; c < k; c++) {
        expect(Math.abs(values[c]! - ref.values[c]!)).toBeLessThan(1e-12 * m);
        const v = signedColumn(ref.vectors, m, c);
        // Float32 output: the reference rounded, within a few units of 2^-24; random spectra are well separated.
        v.forEach((r, j) => expect(Math.abs(vectors[c * m + j]! - r)).toBeLessThan(1e-6));
      }
    }
  });

  it('degenerate spectra: orthonormal eigenvectors with A·v = λ·v, each signed by its largest entry', async () => {
    const m = 24;
    const rng = new Rng(9);
    const u = Float64Array.from({ length: m }, () => rng.uniform() - 0.5);
    const cases: [string, (i: number, j: number) => number][] = [
      ['zero', () => 0],
      ['identity', (i, j) => (i === j ? 1 : 0)],
      ['repeated diagonal', (i, j) => (i === j ? i % 3 : 0)],
      ['rank one', (i, j) => u[i]! * u[j]!],
    ];
    for (const [label, entry] of cases) {
      const a = Float32Array.from({ length: m * m }, (_, i) => entry(Math.floor(i / m), i % m));
      const { values, vectors } = await eigen(backend, a, m, m);
      const ref = jacobiEigen(Float64Array.from(a), m);
      values.forEach((v, c) => expect(Math.abs(v - ref.values[c]!), label).toBeLessThan(1e-12));
      for (let c = 0; c < m; c++) {
        const row = vectors.subarray(c * m, (c + 1) * m);
        let big = 0;
        for (let j = 1; j < m; j++) if (Math.abs(row[j]!) > Math.abs(row[big]!)) big = j;
        expect(row[big], label).toBeGreaterThan(0);
        for (let i = 0; i < m; i++) {
          let av = 0;
          for (let j = 0; j < m; j++) av += a[i * m + j]! * row[j]!;
          expect(Math.abs(av - values[c]! * row[i]!), label).toBeLessThan(1e-6);
        }
        for (let e = 0; e <= c; e++) {
          let dot = 0;
          for (let j = 0; j < m; j++) dot += row[j]! * vectors[e * m + j]!;
          expect(Math.abs(dot - (e === c ? 1 : 0)), label).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('reads only the lower triangle; k = 0 and m = 0 write nothing', async () => {
    const a = randomSymmetric(9, 4);
    const upper = a.map((v, i) => (i % 9 > Math.floor(i / 9) ? 1e30 : v));
    expect(await eigen(backend, upper, 9, 9)).toEqual(await eigen(backend, a, 9, 9));
    expect(await backend.symmetricEigen(new Float64Array(0), new Float32Array(0), a, 9, 0, null)).toBe(true);
    expect(await backend.symmetricEigen(new Float64Array(0), new Float32Array(0), new Float32Array(0), 0, 0, null)).toBe(true);
  });

  it('rejects a non-finite entry of the lower triangle with a RangeError naming it', async () => {
    const a = randomSymmetric(6, 5);
    a[0 * 6 + 4] = NaN; // upper triangle: never read
    a[3 * 6 + 2] = -Infinity;
    a[4 * 6 + 1] = NaN;
    const run = backend.symmetricEigen(new Float64Array(2), new Float32Array(12), a, 6, 2, null);
    await expect(run).rejects.toThrow(RangeError);
    await expect(run).rejects.toThrow('symmetricEigen: a contains -Infinity at row 3, column 2');
  });

  it('reports its progress up to the total, and resolves false for an aborted signal', async () => {
    const a = randomSymmetric(50, 6);
    const reports: { done: number; total: number }[] = [];
    await backend.symmetricEigen(new Float64Array(5), new Float32Array(250), a, 50, 5, (p) => reports.push(p));
    expect(reports.at(-1)).toEqual({ done: 48 + 50 + 5, total: 48 + 50 + 5 });
    let calls = 0;
    expect(await backend.symmetricEigen(new Float64Array(5), new Float32Array(250), a, 50, 5, () => calls++, AbortSignal.abort())).toBe(false);
    expect(calls).toBe(0);
  });

  it('stops mid-way when the signal aborts: resolves false promptly, no report afterwards', async () => {
    const m = 600;
    const a = randomSymmetric(m, 7);
    const controller = new AbortController();
    let aborted = 0;
    let late = 0;
    const run = backend.symmetricEigen(
      new Float64Array(m),
      new Float32Array(m * m),
      a,
      m,
      m,
      (p) => {
        if (aborted) late++;
        else if (p.done >= 10) aborted = performance.now();
        if (aborted) controller.abort();
      },
      controller.signal,
    );
    expect(await run).toBe(false);
    // Within 250 ms of the abort (a whole solve of 600² takes seconds on the TS backend).
    expect(performance.now() - aborted).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(late).toBe(0);
  });
});

describe.runIf(backendPair() !== null)('decompositions: native and TS agree', () => {
  const { js, native } = backendPair() ?? ({} as ReturnType<typeof backendPair> & object);
  const addon = backendPair() ? loadNativeAddon() : null;
  const initial = addon ? { path: addon.gemmPath(), threads: addon.getThreads() } : null;
  afterAll(() => {
    addon?.setGemmPath(initial!.path);
    addon?.setThreads(initial!.threads);
  });

  it('symmetricEigen gives the same bits on both backends, every kernel path and thread count', async () => {
    // 300 crosses every threshold at which the native job shares its work over the pool.
    for (const m of [1, 2, 3, 17, 64, 300]) {
      const a = randomSymmetric(m, 40 + m);
      const k = Math.min(m, 12);
      const expected = await eigen(js!, a, m, k);
      for (const path of addon!.gemmPaths()) {
        for (const threads of [1, 2, 3]) {
          addon!.setGemmPath(path);
          addon!.setThreads(threads);
          const got = await eigen(native!, a, m, k);
          expect(got.values, `m ${m}, ${path}, ${threads} threads`).toEqual(expected.values);
          expect(got.vectors, `m ${m}, ${path}, ${threads} threads`).toEqual(expected.vectors);
        }
      }
    }
  });

  it('centredGram: the same means, products within float32 rounding, the same bits on any native thread count', async () => {
    const x = randomMatrix(3000, 96, 7, 5);
    const run = async (be: Backend) => {
      const out = new Float32Array(96 * 96);
      const mean = new Float32Array(96);
      await be.centredGram(out, mean, x.data, 3000, 96, false, 1 / 2999, null);
      return { out, mean };
    };
    const expected = await run(js!);
    addon!.setThreads(1);
    const one = await run(native!);
    addon!.setThreads(2);
    const two = await run(native!);
    expect(two).toEqual(one);
    expect(one.mean).toEqual(expected.mean);
    one.out.forEach((v, i) => expect(Math.abs(v - expected.out[i]!)).toBeLessThan(2e-5 * (1 + Math.abs(expected.out[i]!))));
  });
});
