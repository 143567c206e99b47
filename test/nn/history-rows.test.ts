/**
 * A fit's jobs write their epochs' rows into history rows on shared memory
 * (the native job in place, with no copy of its own), which the next fit
 * reuses once the fit has ended. Whatever an earlier fit left in them, a
 * fit's History holds its own epochs only; fits running at once, or after
 * an aborted one, keep theirs apart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FitJob } from '../../src/backend/backend.js';
import { getBackend, useBackend } from '../../src/backend/select.js';
import type { EpochInfo, FitOptions, History } from '../../src/nn/fit.js';
import { MLP } from '../../src/nn/mlp.js';
import { Rng } from '../../src/rng.js';
import { isShared } from '../../src/shared-memory.js';
import { backendsUnderTest } from '../helpers/backends.js';

const rng = new Rng(11);
const n = 8;
const x = Float32Array.from({ length: n * 3 }, () => rng.uniform() * 2 - 1);
const y = Float32Array.from({ length: n }, (_, i) => i % 2);

/** A fresh net's fit of `epochs` epochs at rate `lr`: its History and the epochs onEpoch saw (with `listen`). */
async function fitRecorded(epochs: number, lr: number, listen = true, extra: Partial<FitOptions> = {}): Promise<{ history: History; seen: EpochInfo[] }> {
  const seen: EpochInfo[] = [];
  const net = new MLP({ layers: [3, 5, 1], task: 'binary', seed: 2 });
  const onEpoch = listen ? (e: EpochInfo) => seen.push(e) : undefined;
  const history = await net.fit(x, y, { epochs, batchSize: 4, optimizer: { type: 'sgd', lr }, onEpoch, ...extra });
  return { history, seen };
}

function expectOwnEpochs({ history, seen }: { history: History; seen: EpochInfo[] }, epochs: number): void {
  expect(history.loss).toHaveLength(epochs);
  expect(seen.map((e) => e.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  expect(history.loss).toEqual(seen.map((e) => e.loss));
  expect(history.lr).toEqual(seen.map((e) => e.lr));
  expect(history.accuracy).toEqual(seen.map((e) => e.accuracy));
}

afterEach(() => vi.restoreAllMocks());

describe.each(backendsUnderTest().map((b) => [b.name]))('history rows on %s', (name) => {
  it('are shared memory, handed to every job', async () => {
    useBackend(name as 'js' | 'native');
    const train = vi.spyOn(getBackend(), 'train');
    await fitRecorded(3, 0.1);
    expect(train).toHaveBeenCalled();
    for (const [job] of train.mock.calls) expect(isShared((job as FitJob).history)).toBe(true);
  });

  it("hold a fit's own epochs only, after a longer fit left its rows behind", async () => {
    useBackend(name as 'js' | 'native');
    const before = await fitRecorded(7, 0.1);
    const long = await fitRecorded(3000, 0.5);
    const after = await fitRecorded(7, 0.1);
    expectOwnEpochs(before, 7);
    expectOwnEpochs(long, 3000);
    expectOwnEpochs(after, 7);
    expect(after.history).toEqual(before.history);
  });

  it('stay apart between fits running at once', async () => {
    useBackend(name as 'js' | 'native');
    // Long enough that their jobs overlap (native ones run on threads of their own, TS ones take turns in
    // slices), and each a few jobs long. With onEpoch, TS reads each row as soon as it is written; without, a
    // job's rows are read when it ends.
    for (const listen of [true, false]) {
      const alone = [await fitRecorded(12_000, 0.1, listen), await fitRecorded(16_000, 0.3, listen)];
      const together = await Promise.all([fitRecorded(12_000, 0.1, listen), fitRecorded(16_000, 0.3, listen)]);
      expect(alone[0]!.history.loss).toHaveLength(12_000);
      expect(alone[1]!.history.loss).toHaveLength(16_000);
      if (listen) expectOwnEpochs(alone[0]!, 12_000);
      expect(together[0]!.history).toEqual(alone[0]!.history);
      expect(together[1]!.history).toEqual(alone[1]!.history);
    }
  });

  it('are given back by an aborted fit, and the next fit is whole', async () => {
    useBackend(name as 'js' | 'native');
    const reference = await fitRecorded(20, 0.2);
    const stop = new AbortController();
    const aborted = fitRecorded(5000, 0.2, true, { signal: stop.signal, onEpoch: (e) => e.epoch === 100 && stop.abort(new Error('enough')) });
    await expect(aborted).rejects.toThrow('enough');
    const next = await fitRecorded(20, 0.2);
    expectOwnEpochs(next, 20);
    expect(next.history).toEqual(reference.history);
  });
});
