/**
 * How the TS twins of the native decomposition jobs (gram.ts,
 * symmetric-eigen.ts) share the JS thread: they run in slices of a few
 * milliseconds, with a turn of the event loop between two slices, where the
 * native jobs run on a thread of their own.
 */

/** The longest stretch of work between two yields. */
const SLICE_MS = 8;

export type KernelProgressFn = ((p: { done: number; total: number }) => void) | null | undefined;

export class SliceClock {
  private start = performance.now();

  constructor(private readonly stopped: () => boolean) {}

  /** Call between two units of work: yields when the slice is spent, then says whether to stop. */
  async tick(): Promise<boolean> {
    if (performance.now() - this.start > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.start = performance.now();
    }
    return this.stopped();
  }
}
