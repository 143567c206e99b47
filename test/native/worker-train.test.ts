/**
 * Native training in worker_threads: the addon keeps per-environment state
 * (instance data, its own thread pool and job registry), so two Workers and
 * the main thread training at once each get exactly the result of a run made
 * alone on one thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backend/native.js';
import { backendsUnderTest, nativeAddonPath } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');
const jobModule = new URL('../helpers/children/train-job.cjs', import.meta.url).pathname;
const { makeJob } = createRequire(import.meta.url)(jobModule) as {
  makeJob(o: object): { net: { params: Float32Array[] }; history: Float64Array };
};
const size = { n: 500, epochs: 2 };

const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads');
  const addon = require(workerData.addon);
  const job = require(workerData.jobModule).makeJob(workerData.size);
  addon.train(job, null).promise.then(() => parentPort.postMessage({ params: job.net.params, history: job.history }));
`;

describe.runIf(hasNative)('native training in worker_threads', () => {
  it('two Workers and the main thread training at once match a single-threaded run', async () => {
    const addon = loadNativeAddon();
    const before = addon.getThreads();
    addon.setThreads(1);
    const reference = makeJob(size);
    try {
      await addon.train(reference as never, null).promise;
    } finally {
      addon.setThreads(before);
    }
    const inWorker = () =>
      new Promise<{ params: Float32Array[]; history: Float64Array }>((resolve, reject) => {
        const worker = new Worker(workerSource, { eval: true, workerData: { addon: nativeAddonPath(), jobModule, size } });
        worker.once('message', (m) => {
          void worker.terminate();
          resolve(m);
        });
        worker.once('error', reject);
      });
    const main = makeJob(size);
    const results = await Promise.all([
      inWorker(),
      inWorker(),
      addon.train(main as never, null).promise.then(() => ({ params: main.net.params, history: main.history })),
    ]);
    for (const r of results) {
      expect(r.history).toEqual(reference.history);
      r.params.forEach((p, i) => expect(p).toEqual(reference.net.params[i]));
    }
  });
});
