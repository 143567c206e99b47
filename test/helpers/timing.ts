/**
 * Wall-clock checks on a shared CI machine (2 cores, other builds and tests
 * running): load alone can make any single try slow, so a timing guarantee
 * holds if one of a few tries meets it. A real regression — a blocked event
 * loop, an abort that waits for the end of the job — fails every try.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Runs `trial` until one try passes (no throw); after `tries` failures, throws them all. */
export async function inSomeTry(tries: number, trial: (attempt: number) => Promise<void> | void): Promise<void> {
  const failures: string[] = [];
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      await trial(attempt);
      return;
    } catch (err) {
      failures.push(`try ${attempt + 1}: ${(err as Error).message}`);
    }
  }
  throw new Error(`failed in all ${tries} tries:\n${failures.join('\n')}`);
}

/** The event loop's p99 delay (ms) while `work` runs. */
export async function loopDelayP99(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return histogram.percentile(99) / 1e6;
}

/**
 * The baseline for loopDelayP99: the p99 delay (ms) of a loop kept busy for
 * `ms` by 1 ms slices of work, each followed by a yield — a job that never
 * blocks. What remains is the machine's load: a process that is always
 * runnable waits for its turn among the others, which a sleeping one does not.
 */
export function busyLoopBaselineP99(ms: number): Promise<number> {
  return loopDelayP99(async () => {
    for (const end = performance.now() + ms; performance.now() < end; ) {
      for (const slice = performance.now() + 1; performance.now() < slice; ) {
        /* busy, like a training slice */
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
}
