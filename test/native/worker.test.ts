/**
 * The addon keeps no per-process state (Napi::Addon instance data), so it
 * loads and computes in worker_threads while the main thread uses it too.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, nativeAddonPath } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');

// Plain JS run inside each Worker: load the addon and compute a 2×2 product.
const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads');
  const addon = require(workerData.path);
  const c = new Float32Array(4);
  addon.gemm(c, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), 2, 2, 2, false, false, 1, 0);
  parentPort.postMessage(Array.from(c));
`;

describe.runIf(hasNative)('native addon in worker_threads', () => {
  it('loads and computes in two workers while loaded in the main thread', async () => {
    const path = nativeAddonPath();
    const run = () =>
      new Promise<number[]>((resolve, reject) => {
        const worker = new Worker(workerSource, { eval: true, workerData: { path } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r).toEqual([19, 22, 43, 50]);
  });
});
