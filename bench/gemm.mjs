// Suite "gemm": GFLOP/s per shape and driver, side by side, each as a share
// of the probe's FMA peak × the threads the driver used. Drivers (better-
// sqlite3 benchmark/drivers.js style): a map name -> { threads, maxSize?, run };
// each trial runs once per driver. OpenBLAS drivers join when installed.
import { openblasDriver } from './lib/openblas.mjs';
import { secondsPerCall } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

export const name = 'gemm';

// [label, m, n, k, transA, transB]: squares, then the MLP shapes of issue 3
// (batch 64/256, 784-256 layers) forward (a·Wᵀ), weight gradient (dzᵀ·a) and
// input gradient (dz·W).
const SHAPES = [
  ...[64, 128, 256, 512, 1024, 2048].map((s) => [`${s}²`, s, s, s, false, false]),
  ['fwd 64×784·(256×784)ᵀ', 64, 256, 784, false, true],
  ['fwd 256×784·(256×784)ᵀ', 256, 256, 784, false, true],
  ['fwd 256×256·(784×256)ᵀ', 256, 784, 256, false, true],
  ['dW (64×256)ᵀ·64×784', 256, 784, 64, true, false],
  ['dW (256×256)ᵀ·256×784', 256, 784, 256, true, false],
  ['dW (256×784)ᵀ·256×256', 784, 256, 256, true, false],
  ['dA 64×256·256×784', 64, 784, 256, false, false],
  ['dA 256×256·256×784', 256, 784, 256, false, false],
  ['dA 256×784·784×256', 256, 256, 784, false, false],
];

// setup() runs once per trial, before the timing (e.g. sizing the pool).
function inProcess(gemm, threads, maxSize = Infinity, setup = () => {}) {
  return {
    threads,
    maxSize,
    run(m, n, k, tA, tB, runs) {
      setup();
      const a = Float32Array.from({ length: m * k }, () => Math.random() - 0.5);
      const b = Float32Array.from({ length: k * n }, () => Math.random() - 0.5);
      const c = new Float32Array(m * n);
      return secondsPerCall(() => gemm(c, a, b, m, n, k, tA, tB, 1, 0), { runs });
    },
  };
}

export async function run({ addon, jsBackend, runs, probe }) {
  const all = addon.getThreads();
  const drivers = {
    native1: inProcess(addon.gemm, 1, Infinity, () => addon.setThreads(1)),
    nativeAll: inProcess(addon.gemm, all, Infinity, () => addon.setThreads(all)),
    // The TS kernel is slow: squares up to 512 only.
    ts: inProcess(jsBackend.gemm, 1, 512),
  };
  const blas = openblasDriver();
  const skipped = {};
  if (blas.skipped) skipped.openblas = blas.skipped;
  else {
    drivers.openblas1 = { threads: 1, run: (m, n, k, tA, tB, r) => blas.run(m, n, k, tA, tB, 1, r) };
    drivers.openblasAll = { threads: all, run: (m, n, k, tA, tB, r) => blas.run(m, n, k, tA, tB, all, r) };
  }

  const rows = [];
  try {
    for (const [label, m, n, k, tA, tB] of SHAPES) {
      const row = { label, m, n, k, transA: tA, transB: tB, drivers: {} };
      for (const [dname, d] of Object.entries(drivers)) {
        if (Math.max(m, n, k) > (d.maxSize ?? Infinity)) continue;
        const seconds = d.run(m, n, k, tA, tB, runs);
        const gflops = (2 * m * n * k) / seconds / 1e9;
        row.drivers[dname] = { threads: d.threads, seconds, gflops, pctPeak: (100 * gflops) / (probe.peakGflopsPerCore * d.threads) };
      }
      rows.push(row);
    }
  } finally {
    addon.setThreads(all);
    blas.cleanup?.();
  }

  const names = Object.keys(drivers);
  const cell = (r, d) => (r.drivers[d] ? `${r.drivers[d].gflops.toFixed(1)} (${r.drivers[d].pctPeak.toFixed(0)}%)` : null);
  const ratio = (r, a, b) => (r.drivers[a] && r.drivers[b] ? (r.drivers[a].gflops / r.drivers[b].gflops).toFixed(2) : null);
  const extra = blas.skipped ? [] : ['native1/openblas1', 'nativeAll/openblasAll'];
  console.log(
    `GFLOP/s (% of ${probe.path} FMA peak ${probe.peakGflopsPerCore.toFixed(1)} GFLOP/s/core × threads); ` +
      `threads: ${names.map((d) => `${d}=${drivers[d].threads}`).join(', ')}`,
  );
  if (blas.skipped) console.log(`openblas: skipped (${blas.skipped})`);
  printTable(
    ['shape (m×n×k)', ...names, ...extra],
    rows.map((r) => [
      `${r.label} [${r.m}×${r.n}×${r.k}]`,
      ...names.map((d) => cell(r, d)),
      ...(blas.skipped ? [] : [ratio(r, 'native1', 'openblas1'), ratio(r, 'nativeAll', 'openblasAll')]),
    ]),
  );
  return { path: probe.path, peakGflopsPerCore: probe.peakGflopsPerCore, threads: all, skipped, rows };
}
