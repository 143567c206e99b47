/**
 * SliceClock (src/backend/js/slice-clock.ts): every clock of the JS thread
 * shares one slice until the event loop turns. A job started right after
 * another one, with no turn between them (a fit's next job, one `await`
 * later), continues that slice: it pauses once the two together have run
 * SLICE_MS, not after SLICE_MS of its own. Back-to-back jobs that each ran
 * just short of a slice held the loop for all of them (a 20 000-epoch XOR
 * fit on the TS backend: five jobs, one 41 ms gap). A turn of the event
 * loop, or a pause, opens a new slice.
 */
import { describe, expect, it } from 'vitest';
import { SLICE_MS, SliceClock } from '../../src/backend/js/slice-clock.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs on the JS thread until `clock`'s slice is spent. */
function runUntilSpent(clock: SliceClock): void {
  while (!clock.spent()) {
    // busy: the JS thread's work in a slice
  }
}

describe('SliceClock', () => {
  it('a clock made before the event loop turns continues the slice of the one before', async () => {
    await turn();
    const made = performance.now();
    runUntilSpent(new SliceClock(() => false));
    expect(performance.now() - made).toBeGreaterThanOrEqual(SLICE_MS);
    // The next job, started without a turn of the event loop: its slice is already spent.
    expect(new SliceClock(() => false).spent()).toBe(true);
  });

  it('a turn of the event loop opens a new slice', async () => {
    await turn();
    runUntilSpent(new SliceClock(() => false));
    await turn();
    const made = performance.now();
    const after = new SliceClock(() => false);
    expect(after.spent()).toBe(false);
    runUntilSpent(after);
    expect(performance.now() - made).toBeGreaterThanOrEqual(SLICE_MS);
  });

  it('a pause opens a new slice, for this clock and any other', async () => {
    await turn();
    const clock = new SliceClock(() => false);
    const other = new SliceClock(() => false);
    runUntilSpent(clock);
    expect(other.spent()).toBe(true);
    await clock.pause();
    expect(clock.spent()).toBe(false);
    expect(other.spent()).toBe(false);
  });

  it('tick pauses once the slice is spent, then says whether to stop', async () => {
    await turn();
    let stop = false;
    const clock = new SliceClock(() => stop);
    runUntilSpent(clock);
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    stop = true;
    expect(await clock.tick()).toBe(true);
    expect(turned).toBe(true);
    expect(clock.spent()).toBe(false);
  });
});
