/**
 * MLP checkpoints: a run interrupted after epoch k and resumed from its
 * checkpoint ends byte-identical (weights, optimizer state, generator) to an
 * uninterrupted run, on every backend; broken checkpoints are refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Autoencoder,
  fitAutoencoderWithCheckpoints,
  fitWithCheckpoints,
  MLP,
  ModelFileError,
  resumeAutoencoderFit,
  resumeFit,
  useBackend,
  type CheckpointOptions,
  type CheckpointSettings,
  type History,
  type ResumeOptions,
} from '../../src/index.js';
import { loadCheckpoint } from '../../src/nn/checkpoint.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';

afterAll(() => useBackend('auto'));

const rng = new Rng(11);
const x = Float32Array.from({ length: 200 * 6 }, () => rng.uniform() * 2 - 1);
const y = Int32Array.from({ length: 200 }, (_, i) => (x[i * 6]! + x[i * 6 + 1]! > 0 ? 1 : 0) + (x[i * 6 + 2]! > 0.5 ? 1 : 0));
const fresh = () => new MLP({ layers: [6, 16, 3], task: 'multiclass', seed: 5 });
const bytesOf = (net: MLP | Autoencoder) =>
  [...net.params, ...(net.optimizerState?.state ?? []), net.optimizerState!.step, net.rngState].map((a) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex'),
  );

describe.each(backendsUnderTest().map((b) => [b.name]))('checkpoints on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');
  const settings: CheckpointSettings = { epochs: 6, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 }, validationSplit: 0.1 };

  it.each([1, 4])('interrupted after epoch %i and resumed, the run ends byte-identical', async (k) => {
    use();
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const straight = fresh();
    const full = await straight.fit(x, y, settings);

    // The interrupted run: aborted inside epoch k + 1's segment (its weights move on, its checkpoint is never written).
    const abort = new AbortController();
    const path = join(dir, 'run.ckpt');
    await expect(
      fitWithCheckpoints(
        fresh(),
        x,
        y,
        {
          ...settings,
          signal: abort.signal,
          onEpoch: (e) => {
            if (e.epoch === k + 1) abort.abort(new Error('stop'));
          },
        },
        { path, everyEpochs: 1 },
      ),
    ).rejects.toThrow('stop');

    const epochs: number[] = [];
    const { model, history } = await resumeFit(path, x, y, {
      onEpoch: (e) => {
        epochs.push(e.epoch);
      },
    });
    expect(epochs).toEqual(Array.from({ length: 6 - k }, (_, i) => k + 1 + i));
    expect(history.loss).toEqual(full.loss.slice(k));
    expect(bytesOf(model)).toEqual(bytesOf(straight));
  });

  it('a checkpointed run equals a plain one and its file resumes to nothing left', async () => {
    use();
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ckpt-')), 'run.ckpt');
    const straight = fresh();
    const full = await straight.fit(x, y, settings);
    const net = fresh();
    const history = await fitWithCheckpoints(net, x, y, settings, { path, everyEpochs: 4 });
    expect(history.loss).toEqual(full.loss);
    expect(history.valAccuracy).toEqual(full.valAccuracy);
    expect(bytesOf(net)).toEqual(bytesOf(straight));
    const resumed = await resumeFit(path, x, y);
    expect(resumed.history.loss).toEqual([]);
    expect(bytesOf(resumed.model)).toEqual(bytesOf(straight));
  });

  it('the model is busy from the first segment to the last write: checkpoints are written from its own arrays', async () => {
    use();
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ckpt-')), 'run.ckpt');
    const net = fresh();
    // Tries a predict at every turn of the event loop, between segments and during each checkpoint's write too.
    let running = true;
    const outcomes: string[] = [];
    const probe = (): void => {
      if (!running) return;
      try {
        net.predict(x.subarray(0, 6));
        outcomes.push('ran');
      } catch (err) {
        outcomes.push((err as Error).message);
      }
      setImmediate(probe);
    };
    setImmediate(probe);
    const history = await fitWithCheckpoints(net, x, y, settings, { path, everyEpochs: 1 });
    running = false;
    expect(history.loss).toHaveLength(settings.epochs);
    expect(outcomes.length).toBeGreaterThan(settings.epochs);
    expect(new Set(outcomes)).toEqual(new Set(['MLP.predict: the model is busy training; wait for fit() to settle first']));
    // The file holds the run's end, byte for byte.
    const resumed = await resumeFit(path, x, y);
    expect(bytesOf(resumed.model)).toEqual(bytesOf(net));
  });
});

// Runs that depend on the run's position: a schedule counting epochs or steps
// from the run's start (with warm-up), and early stopping whose patience and
// best weights span the checkpoints (it stops, and restores an earlier epoch).
const scheduled: CheckpointSettings = {
  epochs: 8,
  batchSize: 16,
  optimizer: { type: 'momentum', lr: 0.05 },
  validationSplit: 0.2,
  schedule: { type: 'cosine', per: 'step', warmup: 12 },
};
const perEpoch: CheckpointSettings = { ...scheduled, schedule: { type: 'step', stepSize: 2, gamma: 0.5, warmup: 3 } };
const stopping: CheckpointSettings = {
  epochs: 40,
  batchSize: 8,
  optimizer: { type: 'adam', lr: 0.05 },
  validationSplit: 0.5,
  earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true },
};
const shapes = Float32Array.from({ length: 120 * 8 }, (_, i) => Math.abs(Math.sin(i * 0.37 + (i % 8))));
const freshDropout = () => new MLP({ layers: [6, 16, 16, 3], task: 'multiclass', seed: 5, dropout: [0.3, 0.2], norm: ['layer', 'batch'] });
const freshAe = () => new Autoencoder({ layers: [8, 3], denoise: 0.2, seed: 4 });
const aeStopping: CheckpointSettings = { ...stopping, epochs: 60, optimizer: { type: 'adam', lr: 0.2 }, validationSplit: 0.3 };

interface Kind {
  name: string;
  straight: (s: CheckpointSettings) => Promise<{ model: MLP | Autoencoder; history: History }>;
  interrupted: (s: CheckpointSettings & ResumeOptions, checkpoint: CheckpointOptions) => Promise<unknown>;
  resume: (path: string) => Promise<{ model: MLP | Autoencoder; history: History }>;
}
const kinds: Kind[] = [
  {
    name: 'MLP',
    straight: async (s) => {
      const model = fresh();
      return { model, history: await model.fit(x, y, s) };
    },
    interrupted: (s, checkpoint) => fitWithCheckpoints(fresh(), x, y, s, checkpoint),
    resume: (path) => resumeFit(path, x, y),
  },
  {
    // Dropout draws, normalisation (batch norm's running statistics) and a frozen layer inside the fused step:
    // the generator, the statistics and the freeze setting travel in the checkpoint.
    name: 'MLP with dropout, normalisation and a frozen layer',
    straight: async (s) => {
      const model = freshDropout();
      return { model, history: await model.fit(x, y, { ...s, freeze: [0] }) };
    },
    interrupted: (s, checkpoint) => fitWithCheckpoints(freshDropout(), x, y, { ...s, freeze: [0] }, checkpoint),
    resume: (path) => resumeFit(path, x, y),
  },
  {
    name: 'Autoencoder',
    straight: async (s) => {
      const model = freshAe();
      return { model, history: await model.fit(shapes, s) };
    },
    interrupted: (s, checkpoint) => fitAutoencoderWithCheckpoints(freshAe(), shapes, s, checkpoint),
    resume: (path) => resumeAutoencoderFit(path, shapes),
  },
];

describe.each(backendsUnderTest().map((b) => [b.name]))('checkpoints with schedules and early stopping on %s', (name) => {
  it.each(
    kinds.flatMap(
      (kind) =>
        [
          [kind.name, 'per-step cosine with warm-up', kind, scheduled, 3],
          [kind.name, 'per-epoch step decay with warm-up', kind, perEpoch, 2],
          [kind.name, 'early stopping with restoreBestWeights', kind, kind.name.startsWith('MLP') ? stopping : aeStopping, 0],
        ] as const,
    ),
  )('%s, %s: interrupted and resumed, the run ends byte-identical', async (_, __, kind, settings, at) => {
    useBackend(name as 'js' | 'native');
    const straight = await kind.straight(settings);
    const { history } = straight;
    const k = at || history.bestEpoch; // early stopping: interrupted after the best epoch, before it stops
    if (settings.earlyStopping) {
      // The defence is exercised: the run stops early and ends on an earlier epoch's weights.
      expect(history.stoppedEarly).toBe(true);
      expect(history.bestEpoch).toBeLessThan(history.loss.length);
    }
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ckpt-')), 'run.ckpt');
    const abort = new AbortController();
    const onEpoch = (e: { epoch: number }) => {
      if (e.epoch === k + 1) abort.abort(new Error('stop'));
    };
    await expect(kind.interrupted({ ...settings, signal: abort.signal, onEpoch }, { path })).rejects.toThrow('stop');
    const resumed = await kind.resume(path);
    expect(resumed.history.loss).toEqual(history.loss.slice(k));
    expect(resumed.history.lr).toEqual(history.lr.slice(k));
    expect(resumed.history.bestEpoch).toBe(history.bestEpoch);
    expect(resumed.history.stoppedEarly).toBe(history.stoppedEarly);
    expect(bytesOf(resumed.model)).toEqual(bytesOf(straight.model));
  });
});

// Aborted between two batches of epoch k + 1 (saveOnAbort): the checkpoint holds
// that point (the epoch's partial sums, the generator before its shuffle), and
// the resumed run finishes the epoch and ends byte-identical. The TS backend
// stops right after the batch whose report aborts; the native one, whose
// reports arrive (coalesced) while it trains on, stops later, wherever that is.
describe.each(backendsUnderTest().map((b) => [b.name]))('checkpoints written mid-epoch on abort on %s', (name) => {
  const plain: CheckpointSettings = { ...scheduled, schedule: undefined };
  it.each(
    kinds.flatMap(
      (kind) =>
        [
          [kind.name, 'no schedule', kind, plain, 2, 5],
          [kind.name, 'per-step cosine with warm-up', kind, scheduled, 3, 1],
          [kind.name, 'early stopping with restoreBestWeights', kind, kind.name.startsWith('MLP') ? stopping : aeStopping, 0, 4],
        ] as const,
    ),
  )('%s, %s: aborted mid-epoch and resumed, the run ends byte-identical', async (_, __, kind, settings, at, batch) => {
    useBackend(name as 'js' | 'native');
    const straight = await kind.straight(settings);
    const { history } = straight;
    const k = at || history.bestEpoch;
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ckpt-')), 'run.ckpt');
    const abort = new AbortController();
    const stop = () => {
      if (!abort.signal.aborted) abort.abort(new Error('stop'));
    };
    const onProgress = (p: { epoch: number; batch: number }) => {
      if (p.epoch > k + 1 || (p.epoch === k + 1 && p.batch >= batch)) stop();
    };
    // Reports coalesce on native: should none of epoch k + 1 arrive in time, its end stops the run (at the next epoch's start).
    const onEpoch = (e: { epoch: number }) => {
      if (e.epoch > k) stop();
    };
    await expect(kind.interrupted({ ...settings, signal: abort.signal, onProgress, onEpoch, progressEvery: 1 }, { path, saveOnAbort: true })).rejects.toThrow(
      'stop',
    );
    const { meta } = await loadCheckpoint(path);
    const done = meta.epochsDone;
    if (name === 'js') {
      expect(done).toBe(k);
      expect(meta.partial?.[0]).toBe(batch);
    }
    const resumed = await kind.resume(path);
    expect(resumed.history.loss).toEqual(history.loss.slice(done));
    expect(resumed.history.lr).toEqual(history.lr.slice(done));
    expect(resumed.history.valLoss).toEqual(history.valLoss?.slice(done));
    expect(resumed.history.bestEpoch).toBe(history.bestEpoch);
    expect(resumed.history.stoppedEarly).toBe(history.stoppedEarly);
    expect(bytesOf(resumed.model)).toEqual(bytesOf(straight.model));
  });
});

// Long epochs, so that on native too the abort lands inside one: a few tries
// (each a fresh run) make sure the mid-epoch path is what gets checked there.
describe.each(backendsUnderTest().map((b) => [b.name]))('a long epoch aborted mid-epoch on %s', (name) => {
  const tiles = 20;
  const xLong = Float32Array.from({ length: x.length * tiles }, (_, i) => x[i % x.length]!);
  const yLong = Int32Array.from({ length: y.length * tiles }, (_, i) => y[i % y.length]!);
  // Eight epochs: the native job runs on while the abort travels to it, and must not finish first.
  const long: CheckpointSettings = { ...scheduled, epochs: 8, batchSize: 2, optimizer: { type: 'adam', lr: 0.002 } };

  it('stops between two batches of epoch 2 and resumes byte-identical', async () => {
    useBackend(name as 'js' | 'native');
    const straight = fresh();
    const full = await straight.fit(xLong, yLong, long);
    const path = join(mkdtempSync(join(tmpdir(), 'fastnn-ckpt-')), 'run.ckpt');
    let meta: Awaited<ReturnType<typeof loadCheckpoint>>['meta'] | undefined;
    for (let attempt = 0; attempt < 5 && !meta?.partial; attempt++) {
      const abort = new AbortController();
      const onProgress = (p: { epoch: number; batch: number }) => {
        if (p.epoch >= 2 && p.batch >= 50) abort.abort(new Error('stop'));
      };
      await expect(
        fitWithCheckpoints(fresh(), xLong, yLong, { ...long, signal: abort.signal, onProgress, progressEvery: 1 }, { path, everyEpochs: 0, saveOnAbort: true }),
      ).rejects.toThrow('stop');
      ({ meta } = await loadCheckpoint(path));
    }
    // Stopped inside an epoch after the first (where the abort lands depends on the machine).
    expect(meta!.partial?.[0]).toBeGreaterThan(0);
    expect(meta!.epochsDone).toBeGreaterThanOrEqual(1);
    expect(meta!.batchesPerEpoch).toBe(1600);
    // Other rows cut the epoch into other batches: the stopped epoch's position would mean something else.
    await expect(resumeFit(path, xLong.subarray(0, 6 * 3000), yLong.subarray(0, 3000))).rejects.toThrow(
      'MLP.fit: the run stopped within an epoch of 1600 batches, but 2400 training rows in batches of 2 make 1200',
    );
    const { model, history } = await resumeFit(path, xLong, yLong);
    expect(history.loss).toEqual(full.loss.slice(meta!.epochsDone));
    expect(history.lr).toEqual(full.lr.slice(meta!.epochsDone));
    expect(bytesOf(model)).toEqual(bytesOf(straight));
  });
});

describe('broken checkpoints', () => {
  it('a model file, a tampered state and a missing optimizer tensor are refused with ModelFileError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const model = join(dir, 'model.safetensors');
    await fresh().save(model);
    await expect(resumeFit(model, x, y)).rejects.toThrow(/not a checkpoint/);
    const path = join(dir, 'run.ckpt');
    await fitWithCheckpoints(fresh(), x, y, { epochs: 1, optimizer: { type: 'momentum' } }, { path });
    const bytes = readFileSync(path);
    const tamper = (from: string, to: string) => {
      const text = bytes.toString('latin1').replace(from, to);
      expect(text).not.toBe(bytes.toString('latin1'));
      const file = join(dir, `t${from.length}.ckpt`);
      writeFileSync(file, Buffer.from(text, 'latin1'));
      return resumeFit(file, x, y);
    };
    await expect(tamper('\\"epochsDone\\":1', '\\"epochsDone\\":9')).rejects.toThrow(ModelFileError);
    await expect(tamper('\\"everyEpochs\\":1', '\\"everyEpochs\\":0')).rejects.toThrow(/malformed/);
    await expect(tamper('optimizer.state.0', 'optimizer.state.7')).rejects.toThrow(/missing tensor 'optimizer.state.0'/);
  });

  it('non-finite optimizer state and negative Adam second moments are refused naming the file, not blamed on the learning rate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const path = join(dir, 'adam.ckpt');
    await fitWithCheckpoints(fresh(), x, y, { epochs: 1, optimizer: { type: 'adam' }, earlyStopping: { restoreBestWeights: true } }, { path });
    const tampered = async (name: string, value: number) => {
      const { metadata, tensors } = await readSafetensors(path);
      tensors.get(name)!.data[3] = value;
      const file = join(dir, `${name}.ckpt`);
      await writeSafetensors(
        file,
        metadata,
        [...tensors].map(([n, t]) => [n, t.shape, t.data]),
      );
      return { file, resumed: resumeFit(file, x, y) };
    };
    // fresh() has 4 parameter arrays: Adam's first moments are state 0-3, its second moments 4-7.
    for (const [name, value, why] of [
      ['optimizer.state.0', NaN, 'holds NaN at index 3'],
      ['optimizer.state.6', Infinity, 'holds Infinity at index 3'],
      ['optimizer.state.5', -1, 'holds a negative second moment -1 at index 3'],
      ['best.2', NaN, 'holds NaN at index 3'],
    ] as const) {
      const { file, resumed } = await tampered(name, value);
      await expect(resumed).rejects.toThrow(ModelFileError);
      await expect(resumed).rejects.toThrow(`${file}: tensor '${name}' ${why}`);
    }
  });

  it("stored fit settings a fit would refuse are reported as the checkpoint file's, not as the resuming call's options", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const path = join(dir, 'settings.ckpt');
    // Stopped after epoch 1 of 2: the resumed run has an epoch to train with the stored settings.
    const stop = new AbortController();
    await expect(
      fitWithCheckpoints(
        fresh(),
        x,
        y,
        {
          epochs: 2,
          batchSize: 16,
          optimizer: { type: 'adam', lr: 0.01 },
          validationSplit: 0.1,
          signal: stop.signal,
          onEpoch: () => stop.abort(new Error('stop')),
        },
        { path, saveOnAbort: true },
      ),
    ).rejects.toThrow('stop');
    expect((await loadCheckpoint(path)).meta.epochsDone).toBe(1);
    const text = readFileSync(path).toString('latin1');
    // Same-length edits of the settings JSON, so the header keeps its declared size.
    for (const [from, to, why] of [
      ['\\"batchSize\\":16', '\\"batchSize\\":-1', 'options.batchSize must be a positive integer, got -1'],
      ['\\"lr\\":0.01', '\\"lr\\":-1.0', 'options.optimizer.lr must be a finite number ≥ 0, got -1'],
      ['\\"type\\":\\"adam\\"', '\\"type\\":\\"adaX\\"', 'options.optimizer.type must be one of sgd, momentum, adam, adamw, got adaX'],
      ['\\"validationSplit\\":0.1', '\\"validationSplit\\":1.0', 'options.validationSplit must be a fraction below 1, got 1'],
    ]) {
      const file = join(dir, 'tampered.ckpt');
      expect(text).toContain(from);
      writeFileSync(file, Buffer.from(text.replace(from, to), 'latin1'));
      const resumed = resumeFit(file, x, y);
      await expect(resumed).rejects.toThrow(ModelFileError);
      await expect(resumed).rejects.toThrow(`${file}: invalid settings: ${why}`);
    }
  });

  it('a mid-epoch checkpoint whose epoch in progress does not fit the run is refused as malformed', async () => {
    useBackend('js'); // stops right after the batch whose report aborts
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const path = join(dir, 'run.ckpt');
    const abort = new AbortController();
    const onProgress = (p: { batch: number }) => {
      if (p.batch === 3) abort.abort(new Error('stop'));
    };
    await expect(
      fitWithCheckpoints(fresh(), x, y, { epochs: 2, batchSize: 16, signal: abort.signal, onProgress, progressEvery: 1 }, { path, saveOnAbort: true }),
    ).rejects.toThrow('stop');
    const text = readFileSync(path).toString('latin1');
    const bad = join(dir, 'bad.ckpt');
    // 13 batches an epoch, 3 done; a file saying 3 an epoch has no batch left to do.
    writeFileSync(bad, Buffer.from(text.replace('\\"batchesPerEpoch\\":13', '\\"batchesPerEpoch\\": 3'), 'latin1'));
    expect(readFileSync(bad).equals(readFileSync(path))).toBe(false);
    await expect(resumeFit(bad, x, y)).rejects.toThrow(/malformed/);
    expect((await resumeFit(path, x, y)).history.loss).toHaveLength(2);
  });

  it('a checkpoint truncated at every byte length is refused with ModelFileError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-ckpt-'));
    const path = join(dir, 'small.ckpt');
    const tiny = new MLP({ layers: [2, 2, 1], task: 'binary', seed: 1 });
    await fitWithCheckpoints(
      tiny,
      Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1),
      Int32Array.of(0, 1, 1, 0),
      { epochs: 2, batchSize: 2, optimizer: { type: 'adam' }, earlyStopping: { patience: 5, restoreBestWeights: true }, validationSplit: 0.5 },
      { path },
    );
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.ckpt');
    for (let length = 0; length < bytes.length; length++) {
      writeFileSync(cut, bytes.subarray(0, length));
      await expect(resumeFit(cut, x, y), `truncated to ${length} bytes`).rejects.toThrow(ModelFileError);
    }
  }, 30_000);
});
