// How fast one thread updates a layer's weights in place (the native SGD
// update: read w and g, write w, 12 bytes an entry), alone and while every
// other core does the same on its own arrays: whether the cores share the
// bandwidth of the caches that hold a training step's weights. Where they
// do, the passes of a step that stream memory (the update, packing,
// gathering the batch) gain nothing from a second thread, and a step's
// speed-up on two threads stays well below its products'.
//
// Each thread is a worker_thread with its own addon instance and arrays,
// started together through a shared counter; run as a worker when
// workerData is set.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadNativeAddon } from '../../dist/backend/native.js';
import { median, secondsPerCall } from './stats.mjs';

const BYTES_PER_ENTRY = 12;

/** GB/s of `addon`'s sgdUpdate over arrays of `bytes` each (lib/stats.mjs secondsPerCall: warmed up, median of 3). */
function measure(addon, bytes) {
  const n = Math.max(1, Math.floor(bytes / 4));
  const w = new Float32Array(n).fill(1);
  const g = new Float32Array(n).fill(0.5);
  const seconds = secondsPerCall(() => addon.sgdUpdate(w, g, n, 1e-9, 0), { runs: 3, minSeconds: 0.1 });
  return (n * BYTES_PER_ENTRY) / seconds / 1e9;
}

if (!isMainThread && workerData?.updateRate) {
  const { bytes, ready } = workerData;
  const addon = loadNativeAddon();
  const flags = new Int32Array(ready);
  // Check in, then wait until every thread has: all of them measure together.
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
  while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 10);
  parentPort.postMessage(measure(addon, bytes));
}

/** The rate of `threads` threads updating at once, each its own arrays of `bytes`: GB/s per thread. */
async function together(threads, bytes) {
  const ready = new SharedArrayBuffer(8);
  const flags = new Int32Array(ready);
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: { updateRate: true, bytes, ready } }));
  const rates = workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject)));
  try {
    while (Atomics.load(flags, 0) < threads) await new Promise((resolve) => setTimeout(resolve, 5));
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    return await Promise.all(rates);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** { bytes, alone, together, threads }: medians over `runs` of one thread's GB/s alone and of each of `threads` at once. */
export async function updateRates(bytes, threads, runs) {
  const alone = [];
  const all = [];
  for (let r = 0; r < runs; r++) {
    alone.push((await together(1, bytes))[0]);
    all.push(median(await together(threads, bytes)));
  }
  return { bytes, threads, alone: median(alone), together: median(all) };
}
