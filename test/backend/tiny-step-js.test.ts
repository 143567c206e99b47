/**
 * Which fits the TS backend trains through its tiny step
 * (src/backend/js/tiny-step.ts, the twin of native/core/tiny_step.h): every
 * batch one row of a net no wider than 32 units, alone, plain SGD, and
 * nothing a pass keeps beyond activations and deltas. Each condition
 * broken on its own sends the fit to the general path; that both give the
 * same bits, non-finite steps included, is test/backend/train.test.ts's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Activation, HISTORY_FIELDS, Loss, NoiseType, POSITION, POSITION_FIELDS, type FitJob } from '../../src/backend/backend.js';
import { sameShapeSpec } from '../../src/backend/js/network.js';
import { Rank1Sgd } from '../../src/backend/js/sgd-rank1.js';
import { TINY_WIDTH, tinyStepApplies } from '../../src/backend/js/tiny-step.js';
import { fit } from '../../src/backend/js/trainer.js';
import { Rng } from '../../src/rng.js';
import { makeNet, makeTargets, plainTraining, randomF32 } from '../helpers/reference.js';

function perSample(sizes: number[]): FitJob {
  const rng = new Rng(sizes.length);
  const net = makeNet(
    rng,
    sizes,
    sizes.slice(2).map(() => Activation.sigmoid),
    Loss.sigmoidMse,
  );
  return {
    net,
    x: randomF32(rng, 4 * sizes[0]!, 0, 1),
    y: makeTargets(rng, 4, sizes[sizes.length - 1]!, Loss.sigmoidMse),
    n: 4,
    ...plainTraining(0.5, 0),
    epochs: 1,
    batchSize: 1,
    shuffle: false,
    rngState: new Rng(1).getState(),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(HISTORY_FIELDS.length),
  };
}

const applies = (job: FitJob, alone = true) => tinyStepApplies(sameShapeSpec(job.net), job, alone);

afterEach(() => vi.restoreAllMocks());

describe('the TS tiny step', () => {
  it('updates the weights itself: the fused general update neither measures nor steps', async () => {
    const spies = (['measureWhole', 'stepWhole', 'step'] as const).map((m) => vi.spyOn(Rank1Sgd.prototype, m));
    const job = { ...perSample([2, 4, 1]), epochs: 3, history: new Float64Array(3 * HISTORY_FIELDS.length) };
    const before = job.net.params.map((p) => p.slice());
    const result = await fit(job, null, () => false);
    expect(result.steps).toBe(12);
    expect(job.optimizer.step[0]).toBe(12);
    job.net.params.forEach((p, i) => expect(p, `params[${i}]`).not.toEqual(before[i]));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    // One unit wider, the same fit goes through Rank1Sgd.
    await fit({ ...perSample([2, TINY_WIDTH + 1, 1]), epochs: 1 }, null, () => false);
    expect(spies[1]).toHaveBeenCalledTimes(4);
  });

  it(`takes per-sample SGD of nets up to ${TINY_WIDTH} units wide, every layer counted`, () => {
    expect(applies(perSample([2, 4, 1]))).toBe(true);
    expect(applies(perSample([TINY_WIDTH, TINY_WIDTH, TINY_WIDTH]))).toBe(true);
    expect(applies(perSample([TINY_WIDTH + 1, 4, 1]))).toBe(false);
    expect(applies(perSample([2, TINY_WIDTH + 1, 1]))).toBe(false);
    expect(applies(perSample([2, 4, TINY_WIDTH + 1]))).toBe(false);
  });

  it('leaves to the general path every fit that breaks one condition', () => {
    const job = perSample([2, 4, 1]);
    const { net, optimizer } = job;
    const broken: [string, FitJob, boolean?][] = [
      ['batches of 2', { ...job, batchSize: 2 }],
      ['data-parallel', job, false],
      ['momentum', { ...job, optimizer: { ...optimizer, type: 1 } }],
      ['clipping', { ...job, optimizer: { ...optimizer, clipNorm: 1 } }],
      ['input noise', { ...job, inputNoise: { type: NoiseType.mask, level: 0.1 } }],
      ['sparsity', { ...job, net: { ...net, sparsity: { layer: 0, rho: 0.05, beta: 0.1 } } }],
      ['dropout', { ...job, net: { ...net, dropout: Float64Array.of(0.5) } }],
      ['frozen layers', { ...job, net: { ...net, frozen: Uint8Array.of(1, 0) } }],
      ['normalisation', { ...job, net: { ...net, norm: Uint8Array.of(1) } }],
      ['tied weights', { ...job, net: { ...net, tiedPairs: Int32Array.of(0, 1) } }],
    ];
    for (const [what, j, alone] of broken) expect(applies(j, alone), what).toBe(false);
    expect(applies({ ...job, inputNoise: { type: NoiseType.none, level: 0 } }), 'no noise').toBe(true);
  });

  // Its batches run in a loop of their own (trainer.ts tinyBatches), which
  // must still stop before the next batch once a progress report stops the fit.
  it('stops before the batch after the report that stopped it', async () => {
    for (const at of [1, 3, 6, 64, 65, 130]) {
      const job = { ...perSample([2, 4, 1]), n: 4, epochs: 50, progressEvery: 1, position: new Float64Array(POSITION_FIELDS.length) };
      job.history = new Float64Array(job.epochs * HISTORY_FIELDS.length);
      let stop = false;
      const result = await fit(
        job,
        (p) => (stop ||= p.batches !== 0 && p.samples === at),
        () => stop,
      );
      expect(result.steps, `stopped at ${at}`).toBe(at);
      expect(job.position[POSITION.epochs] * 4 + job.position[POSITION.batch]!).toBe(at);
    }
  });
});
