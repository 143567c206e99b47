/**
 * A fit runs as jobs of at most EPOCHS_PER_JOB epochs, each continuing the
 * run: the same history and weights, bit for bit, as one job over all the
 * epochs, with the schedule's clock, optimizer state, shuffles and early
 * stopping carried across; and a huge `epochs` costs nothing up front.
 * The History's series, made with room for SERIES_ROOM epochs, grow past it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FitJob } from '../../src/backend/backend.js';
import { getBackend, useBackend } from '../../src/backend/select.js';
import { EPOCHS_PER_JOB, SERIES_ROOM, type EpochInfo, type FitOptions } from '../../src/nn/fit.js';
import { MLP } from '../../src/nn/mlp.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { inSomeTry } from '../helpers/timing.js';

const rng = new Rng(5);
const n = 12;
const x = Float32Array.from({ length: n * 3 }, () => rng.uniform() * 2 - 1);
const y = Float32Array.from({ length: n }, (_, i) => i % 2);

// At most two jobs, the second a partial one. On this data the training loss last improves
// by minDelta at epoch 3081 (in the first job) and patience runs out at 4181, in the second.
const epochs = EPOCHS_PER_JOB + 904;
const options = (onEpoch: (e: EpochInfo) => void): FitOptions => ({
  epochs,
  batchSize: 5,
  optimizer: { type: 'adam', lr: 0.01 },
  schedule: { type: 'cosine', per: 'step', minLr: 1e-4 },
  validationSplit: 0.25,
  earlyStopping: { monitor: 'loss', minDelta: 1e-4, patience: 1100, restoreBestWeights: true },
  onEpoch,
});

async function fitOnce(wholeRunInOneJob: boolean) {
  const be = getBackend();
  const train = be.train.bind(be);
  // The reference: the first job stretched over every epoch, with a history for all of them.
  if (wholeRunInOneJob) {
    vi.spyOn(be, 'train').mockImplementation((job: FitJob, ...rest) => {
      job.epochs = epochs;
      job.history = new Float64Array(epochs * (job.history.length / Math.min(epochs, EPOCHS_PER_JOB)));
      return train(job, ...rest);
    });
  }
  const net = new MLP({ layers: [3, 6, 1], task: 'binary', seed: 3 });
  const seen: number[] = [];
  const history = await net.fit(
    x,
    y,
    options((e) => seen.push(e.epoch)),
  );
  return { history, params: net.params.map((p) => Array.from(p)), seen, jobs: vi.mocked(be.train).mock?.calls.length };
}

afterEach(() => vi.restoreAllMocks());

describe.each(backendsUnderTest().map((b) => [b.name]))('fit in jobs of EPOCHS_PER_JOB epochs on %s', (name) => {
  it('equals the same fit in one job, bit for bit', async () => {
    useBackend(name as 'js' | 'native');
    const chunked = await fitOnce(false);
    const whole = await fitOnce(true);
    expect(whole.jobs).toBe(1);
    expect(chunked.history.stoppedEarly).toBe(true);
    expect(chunked.history.bestEpoch).toBeGreaterThan(0);
    expect(chunked.history.bestEpoch).toBeLessThan(EPOCHS_PER_JOB);
    expect(chunked.history.loss.length).toBeGreaterThan(EPOCHS_PER_JOB);
    expect(chunked.history).toEqual(whole.history);
    expect(chunked.params).toEqual(whole.params);
    expect(chunked.seen).toEqual(chunked.history.loss.map((_, i) => i + 1));
  }, 120_000);

  it('fills every series past the room it made, as onEpoch sees them', async () => {
    useBackend(name as 'js' | 'native');
    const run = SERIES_ROOM + 3;
    const seen: EpochInfo[] = [];
    const fit = (onEpoch?: (e: EpochInfo) => void) =>
      new MLP({ layers: [3, 2, 1], task: 'binary', seed: 3 }).fit(x.subarray(0, 6), y.subarray(0, 2), {
        epochs: run,
        batchSize: 2,
        validationSplit: 0.5,
        onEpoch,
      });
    const quiet = await fit();
    await fit((e) => seen.push(e));
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'skipped'] as const) {
      const series = quiet[key]!;
      expect(series.length, key).toBe(run);
      expect(Object.keys(series).length, `${key}: no holes`).toBe(run);
      expect(series, key).toEqual(seen.map((e) => e[key]));
    }
  }, 60_000);
});

describe.each(backendsUnderTest().map((b) => [b.name]))('fit with epochs: 1e8 on %s', (name) => {
  it('returns its promise at once, keeps RSS small and stops early', async () => {
    useBackend(name as 'js' | 'native');
    const net = new MLP({ layers: [3, 4, 1], task: 'binary', seed: 1 });
    const rssBefore = process.memoryUsage().rss;
    await inSomeTry(3, async () => {
      const t0 = performance.now();
      const fit = net.fit(x, y, { epochs: 1e8, batchSize: n, optimizer: { type: 'sgd', lr: 0.01 }, earlyStopping: { patience: 2, minDelta: 1e-3 } });
      const returned = performance.now() - t0;
      const history = await fit;
      expect(history.stoppedEarly).toBe(true);
      expect(history.loss.length).toBeLessThan(1e6);
      expect(returned, 'ms before fit returned its promise').toBeLessThanOrEqual(20);
    });
    // One job's history is 192 kB; all of 1e8 epochs' would be 4.8 GB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
  }, 60_000);

  it('refuses more epochs than the history can hold, naming the option', async () => {
    useBackend(name as 'js' | 'native');
    const fit = new MLP({ layers: [3, 1], task: 'binary' }).fit(x, y, { epochs: 2_000_000_000 });
    await expect(fit).rejects.toThrow(/^MLP\.fit: options\.epochs must be at most 100000000 .*, got 2000000000$/);
  });
});
