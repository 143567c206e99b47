// Where threading starts to pay: GEMM on 1 thread vs the whole pool for
// products from 2·16³ to 2·320³ flops (squares and 64-row training-like
// shapes), medians of 9 runs, in one process with the threading threshold
// at 0 (FASTNN_GEMM_THREADED_FLOPS=0, set here by re-running itself) so the
// pool is used at every size. gemm.h's kGemmThreadedFlops comes from this.
//   node bench/crossover.mjs        (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.FASTNN_GEMM_THREADED_FLOPS !== '0') {
  execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, FASTNN_GEMM_THREADED_FLOPS: '0' },
  });
  process.exit(0);
}

const { loadNativeAddon } = await import('../dist/backend/native.js');
const { secondsPerCall } = await import('./lib/stats.mjs');
const { printTable } = await import('./lib/table.mjs');
const addon = loadNativeAddon();
const all = addon.getThreads();
const shapes = [];
for (const s of [16, 24, 32, 48, 64, 80, 96, 128, 160, 192, 256, 320]) shapes.push([s, s, s]);
for (const k of [16, 32, 64, 96, 128, 192, 256, 384]) shapes.push([64, 256, k]);
const rows = [];
for (const [m, n, k] of shapes.sort((x, y) => x[0] * x[1] * x[2] - y[0] * y[1] * y[2])) {
  const a = Float32Array.from({ length: m * k }, Math.random);
  const b = Float32Array.from({ length: k * n }, Math.random);
  const c = new Float32Array(m * n);
  const t = [1, all].map((threads) => {
    addon.setThreads(threads);
    return secondsPerCall(() => addon.gemm(c, a, b, m, n, k, false, false, 1, 0), { runs: 9, minSeconds: 0.01 });
  });
  rows.push([`${m}×${n}×${k}`, (2 * m * n * k).toExponential(2), (t[0] * 1e6).toFixed(1), (t[1] * 1e6).toFixed(1), (t[0] / t[1]).toFixed(2)]);
}
addon.setThreads(all);
console.log(`kernel path ${addon.gemmPath()}; speed-up of ${all} threads over 1`);
printTable(['m×n×k', 'flops', '1 thread µs', `${all} threads µs`, 'speed-up'], rows);
