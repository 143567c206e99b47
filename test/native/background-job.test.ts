/**
 * The native background-job machinery every trainer runs on: its own thread,
 * progress through a thread-safe function, cancellation, failures on the
 * job's thread as rejections, and Workers terminated mid-job.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runAddonJob } from '../../src/backend/job.js';
import type { NativeAddon, NativeTestHooks } from '../../src/backend/native.js';
import { backendsUnderTest, nativeAddonPath, nativeWithTestHooks } from '../helpers/backends.js';
import { inSomeTry } from '../helpers/timing.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');

describe.runIf(hasNative)('native background jobs', () => {
  const addon: NativeAddon & NativeTestHooks = hasNative ? nativeWithTestHooks() : (null as never);

  it('reports monotonic progress ending at the last step, then resolves', async () => {
    const seen: number[] = [];
    const done = await addon.testBackgroundJob(50, 200, 0, ([step]) => seen.push(step)).promise;
    expect(done).toBe(50);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(50);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });

  it('keeps the event loop free while it runs', async () => {
    // A 5 ms timer ticks up to 60 times in 300 ms; a blocked loop, at most once.
    // Load may starve a try, so the bound (> 10) need hold in one of three.
    await inSomeTry(3, async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      await addon.testBackgroundJob(30, 10_000, 0).promise; // 300 ms of native work
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(10);
    });
  });

  it('stops promptly when cancelled, and no progress arrives afterwards', async () => {
    // Within 250 ms of the abort in one of three tries (load may stall one);
    // an ignored cancel would run the job's 100 s.
    await inSomeTry(3, async () => {
      const controller = new AbortController();
      let settled = false;
      let lateReports = 0;
      const job = addon.testBackgroundJob(100_000, 1000, 0, () => {
        if (settled) lateReports++;
      });
      setTimeout(() => controller.abort(new Error('enough')), 20);
      const started = performance.now();
      const steps = await runAddonJob(job, controller.signal);
      settled = true;
      const settleMs = performance.now() - started;
      expect(steps).toBeLessThan(100_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lateReports).toBe(0);
      expect(settleMs).toBeLessThan(250 + 20);
    });
  });

  it('turns an exception on the job thread into a rejected Promise', async () => {
    await expect(addon.testBackgroundJob(10, 100, 4).promise).rejects.toThrow('forced failure at step 4');
  });

  it('rejects with the error a progress callback throws, and stops the job', async () => {
    const job = addon.testBackgroundJob(100_000, 500, 0, () => {
      throw new TypeError('callback broke');
    });
    await expect(job.promise).rejects.toThrow('callback broke');
  });

  it('validates its arguments', () => {
    expect(() => addon.testBackgroundJob(-1, 0, 0)).toThrow(RangeError);
    expect(() => addon.testBackgroundJob(1, 0, 0, 'no' as never)).toThrow('onProgress must be a function');
  });

  it('survives Workers terminated in the middle of a job', async () => {
    const path = nativeAddonPath();
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      addon.testBackgroundJob(100000, 1000, 0, () => {});
      parentPort.postMessage('started');
    `;
    for (let i = 0; i < 20; i++) {
      const worker = new Worker(source, { eval: true, workerData: { path } });
      await new Promise((resolve) => worker.once('message', resolve));
      await new Promise((resolve) => setTimeout(resolve, (i * 7) % 15));
      await worker.terminate();
    }
    // Still alive, and the addon still works here.
    expect(await addon.testBackgroundJob(3, 10, 0).promise).toBe(3);
  });
});
