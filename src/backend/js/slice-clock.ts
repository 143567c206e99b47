/**
 * How the TS backend's long jobs share the JS thread: the training loop
 * (trainer.ts) and the TS twins of the native decomposition and scan jobs
 * (gram.ts, symmetric-eigen.ts, scan.ts) run in slices of a few
 * milliseconds, with a turn of the event loop between two slices, where the
 * native jobs run on a thread of their own. Work too long for one slice,
 * such as one step of a large network, comes as pieces (pieces.ts) that
 * `finish` runs across slices.
 */
import type { Pieces } from './pieces.js';

/** The longest stretch of work between two yields. */
export const SLICE_MS = 8;

export type KernelProgressFn = ((p: { done: number; total: number }) => void) | null | undefined;

/** What SliceClock.finish returns for pieces it abandoned because the job was stopped. */
export const STOPPED: unique symbol = Symbol('stopped');

/**
 * The slice the JS thread is in, shared by every clock: a job that starts
 * right after another one ends (a fit's next job, one `await` later, with no
 * turn of the event loop between them) continues that job's slice rather
 * than opening one of its own, so back-to-back jobs that each end just short
 * of SLICE_MS cannot add up to one long stretch. A slice stays open until the
 * event loop turns: opening one queues the immediate that closes it, ahead of
 * any `pause` of that slice.
 */
let sliceStart = 0;
let sliceOpen = false;

function openSlice(): void {
  if (sliceOpen) return;
  sliceOpen = true;
  sliceStart = performance.now();
  setImmediate(() => {
    sliceOpen = false;
  });
}

export class SliceClock {
  constructor(private readonly stopped: () => boolean) {
    openSlice();
  }

  /** Whether the slice has run its length: time for `pause`. After a turn
   * of the event loop (an `await` on I/O) the job is in a new slice. */
  spent(): boolean {
    openSlice();
    return performance.now() - sliceStart > SLICE_MS;
  }

  /** A turn of the event loop; the next slice starts after it. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    openSlice();
  }

  /** Call between two units of work: yields when the slice is spent, then says whether to stop. */
  async tick(): Promise<boolean> {
    if (this.spent()) await this.pause();
    return this.stopped();
  }

  /** Runs the rest of `pieces`, whose last yield said `mayStop`, pausing
   * between two pieces when the slice is spent; STOPPED when the job was
   * stopped at a point where the pieces may be abandoned (they are then
   * closed, and have written nothing that outlives them). */
  async finish<T>(pieces: Pieces<T>, mayStop: boolean): Promise<T | typeof STOPPED> {
    for (;;) {
      if (this.spent()) await this.pause();
      if (mayStop && this.stopped()) {
        pieces.return(undefined as T);
        return STOPPED;
      }
      const r = pieces.next();
      if (r.done) return r.value;
      mayStop = r.value;
    }
  }
}
