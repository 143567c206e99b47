/**
 * Native jobs under GC pressure: what JS does to a job's arrays cannot pull
 * memory from under it (job_memory.h). test/helpers/children/gc-pressure.mjs (run with --expose-gc on dist/)
 * starts a training job, drops every JS reference to its inputs, weights and
 * optimizer state (or transfers the input's and a weight's buffer away to a
 * clone that is dropped, or gives x, y, the weights and the optimizer state on
 * SharedArrayBuffers, which the job reads or writes in place), forces gc() until the job settles while NaN-filled
 * arrays reuse freed memory, and reports the history next to a run whose
 * arrays stayed referenced: it must be identical, and the process must not crash.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');
const child = new URL('../helpers/children/gc-pressure.mjs', import.meta.url).pathname;

describe.runIf(hasNative)('native jobs under GC pressure', () => {
  it.each(['gc', 'transfer', 'shared'])('%s: the job settles with the result of a run whose arrays stayed referenced', async (mode) => {
    // Asynchronous, so the test worker stays responsive: the child takes ~2 s
    // natively but 20–30 s in CI's AddressSanitizer build on a busy machine.
    const run = await new Promise<{ stdout: string; stderr: string; signal: string | null; status: number | null }>((resolve) => {
      execFile(process.execPath, ['--expose-gc', child, mode], { encoding: 'utf8', timeout: 100_000 }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { signal?: string | null }) | null;
        resolve({ stdout, stderr, signal: e?.signal ?? null, status: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
      });
    });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { history: number[]; expected: number[]; error: string | null; gcs: number };
    expect(out.error).toBeNull();
    expect(out.gcs).toBeGreaterThan(1);
    expect(out.history).toEqual(out.expected);
  });
});
