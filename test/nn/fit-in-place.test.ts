/**
 * A fit trains the model's own arrays in place: its weights, optimizer state
 * and restoreBestWeights' best weights live on SharedArrayBuffers, which a
 * native job writes from its own thread with no copy on the JS thread
 * (native/napi/job_memory.h), however large the model. Seen from JS during a
 * fit without callbacks: the weights and Adam's moments change before the fit
 * settles (a job working on copies writes them back only at a progress report
 * or at its end), and they are still the same arrays afterwards. Arrays a user
 * puts on ordinary ArrayBuffers still train (natively as copies), to the same
 * bits. A checkpoint loads its optimizer state and best weights onto shared
 * memory too, so a resumed run trains them in place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { fitWithCheckpoints, loadCheckpoint } from '../../src/nn/checkpoint.js';
import { EPOCHS_PER_JOB, type FitOptions } from '../../src/nn/fit.js';
import { MLP } from '../../src/nn/mlp.js';
import { Rng } from '../../src/rng.js';
import { isShared } from '../../src/shared-memory.js';
import { backendsUnderTest } from '../helpers/backends.js';

const rng = new Rng(9);
const rows = 256;
const x = Float32Array.from({ length: rows * 8 }, () => rng.uniform() * 2 - 1);
const labels = Int32Array.from({ length: rows }, (_, i) => (x[i * 8]! > 0 ? 1 : 0));

const changed = (a: Float32Array, b: Float32Array) => a.some((v, i) => v !== b[i]);

describe.each(backendsUnderTest().map((b) => [b.name]))('a fit trains the model in place (%s)', (name) => {
  it('the weights and optimizer state are shared arrays that change while the fit runs', async () => {
    useBackend(name as 'js' | 'native');
    const net = new MLP({ layers: [8, 32, 2], task: 'multiclass', seed: 1 });
    expect(net.params.every(isShared)).toBe(true);
    const weights = net.params[0]!;
    const start = weights.slice();
    const controller = new AbortController();
    // One job (a run of several jobs would copy at their ends), long enough to be seen running: it is aborted once
    // the updates show, or after 20 s.
    let settled = false;
    const fit = net
      .fit(x, labels, { epochs: EPOCHS_PER_JOB, batchSize: 4, optimizer: { type: 'adam' }, signal: controller.signal })
      .then(
        () => null,
        (e: Error) => e,
      )
      .finally(() => (settled = true));
    const deadline = performance.now() + 20_000;
    let seen = { weights: false, moments: false };
    while (!settled && performance.now() < deadline && !(seen.weights && seen.moments)) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (settled) break;
      seen = { weights: seen.weights || changed(weights, start), moments: seen.moments || (net.optimizerState?.state[0]?.some((v) => v !== 0) ?? false) };
    }
    controller.abort(new Error('stop'));
    const err = await fit;
    expect(seen, 'what changed before the fit settled').toEqual({ weights: true, moments: true });
    expect(err?.message).toBe('stop');
    expect(net.params[0]).toBe(weights);
    expect(net.optimizerState!.state.every(isShared)).toBe(true);
  }, 60_000);

  it('weights and optimizer state on ordinary ArrayBuffers train to the same bits', async () => {
    useBackend(name as 'js' | 'native');
    const options: FitOptions = {
      epochs: 4,
      batchSize: 8,
      optimizer: { type: 'adam', lr: 0.01 },
      validationSplit: 0.25,
      earlyStopping: { patience: 10, restoreBestWeights: true },
      onEpoch: () => undefined,
    };
    const [shared, plain] = [new MLP({ layers: [8, 16, 2], task: 'multiclass', seed: 2 }), new MLP({ layers: [8, 16, 2], task: 'multiclass', seed: 2 })];
    plain.params.forEach((p, i) => (plain.params[i] = p.slice()));
    const first = [await shared.fit(x, labels, options), await plain.fit(x, labels, options)];
    // The second fit continues the Adam state, handed over on ordinary ArrayBuffers.
    const state = plain.optimizerState!;
    plain.optimizerState = { type: state.type, state: state.state.map((s) => s.slice()), step: state.step.slice() };
    expect([...plain.params, ...plain.optimizerState.state].some(isShared)).toBe(false);
    const second = [await shared.fit(x, labels, options), await plain.fit(x, labels, options)];
    expect(first[1]).toEqual(first[0]);
    expect(second[1]).toEqual(second[0]);
    expect(plain.params.map((p) => Array.from(p))).toEqual(shared.params.map((p) => Array.from(p)));
    expect(plain.optimizerState.state.map((s) => Array.from(s))).toEqual(shared.optimizerState!.state.map((s) => Array.from(s)));
    expect(Array.from(plain.optimizerState.step)).toEqual(Array.from(shared.optimizerState!.step));
  });

  it('a checkpoint loads its optimizer state and best weights onto shared memory', async () => {
    useBackend(name as 'js' | 'native');
    const dir = mkdtempSync(join(tmpdir(), 'fastnn-in-place-'));
    try {
      const path = join(dir, 'run.checkpoint');
      const net = new MLP({ layers: [8, 16, 2], task: 'multiclass', seed: 3 });
      const settings = { epochs: 2, batchSize: 32, optimizer: { type: 'adam' as const }, validationSplit: 0.25, earlyStopping: { restoreBestWeights: true } };
      await fitWithCheckpoints(net, x, labels, settings, { path });
      const { model, run } = await loadCheckpoint(path);
      expect(run.bestParams).toHaveLength(model.params.length);
      expect([...model.params, ...model.optimizerState!.state, ...run.bestParams].every(isShared)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
