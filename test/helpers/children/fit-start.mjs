// Run by test/nn/fit-memory.test.ts as `node --expose-gc fit-start.mjs <backend> <shared|plain>`
// on the compiled package (dist/). Fits an MLP on a 160 MB training set
// (51 000 × 784 floats) for a few batches, then aborts, and prints one JSON
// line: how long fit() took to return its promise, the longest gap a 1 ms
// interval saw from the call to the first progress report (the start of a
// fit: value checks, staging, the job's start), and how far RSS rose above
// its level before the call, sampled on every tick until the fit settled.
import { MLP, Matrix, useBackend } from '../../../dist/index.js';

const [backend, kind] = process.argv.slice(2);
useBackend(backend);
const rows = 51_000;
const cols = 784;
const x = kind === 'shared' ? Matrix.shared(rows, cols) : new Matrix(new Float32Array(rows * cols), rows, cols);
for (let i = 0; i < x.data.length; i++) x.data[i] = ((i * 2654435761) >>> 24) / 255;
const y = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10);
const net = new MLP({ layers: [cols, 64, 10], task: 'multiclass', hidden: 'relu', seed: 1 });

globalThis.gc();
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
let last = performance.now();
let gap = 0;
let started = false;
const probe = setInterval(() => {
  const now = performance.now();
  if (!started) gap = Math.max(gap, now - last);
  last = now;
  peak = Math.max(peak, process.memoryUsage().rss);
}, 1);
const stop = new AbortController();
const t0 = performance.now();
const fit = net.fit(x, y, {
  epochs: 1,
  batchSize: 64,
  progressEvery: 5,
  signal: stop.signal,
  onProgress: ({ batch }) => {
    started = true;
    if (batch >= 20) stop.abort();
  },
});
const returnMs = performance.now() - t0;
await fit.catch((err) => {
  if (!stop.signal.aborted) throw err;
});
clearInterval(probe);
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(
  JSON.stringify({
    returnMs,
    gapMs: gap,
    dataMB: x.data.byteLength / 2 ** 20,
    rssRiseMB: (peak - rssBefore) / 2 ** 20,
    started,
  }) + '\n',
);
