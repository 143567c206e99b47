/**
 * Whole training jobs on the TS backend: the same epochs, shuffles, checks
 * and history as native/core/trainer.cc, step for step, but run in slices of
 * a few milliseconds with a yield to the event loop between them, so timers
 * and I/O keep flowing and an AbortSignal is noticed between batches.
 */
import { HISTORY_FIELDS, type FitJob, type FitResult, type TrainProgress } from '../backend.js';
import { Rng } from '../../rng.js';
import { allocBatchWorkspace, batchGradient, sgdStep, type BatchWorkspace } from './network.js';

/** Longest stretch of training between two yields. */
const SLICE_MS = 8;
const FIELDS = HISTORY_FIELDS.length;
const F_LOSS = HISTORY_FIELDS.indexOf('loss');
const F_LR = HISTORY_FIELDS.indexOf('lr');
const F_SKIPPED = HISTORY_FIELDS.indexOf('skipped');

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// Σ g² over every gradient, in float64: finite exactly when every entry is.
function gradientSumSquares(ws: BatchWorkspace): number {
  let s = 0;
  for (const g of ws.grads) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return s;
}

/** Trains job.net in place; `report` gets what TrainProgress describes. Stops
 * (resolving with what was done) once `stopped()` is true between batches. */
export async function fit(job: FitJob, report: (p: TrainProgress) => void, stopped: () => boolean): Promise<FitResult> {
  const { net, x, y, n, epochs, batchSize, learningRate, weightDecay, history } = job;
  const ws = allocBatchWorkspace(net, Math.min(batchSize, n));
  const order = new Uint32Array(n);
  const rng = new Rng(1);
  rng.setState(job.rngState);
  const out: FitResult = { epochs: 0, samples: 0 };
  let sliceStart = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = 0; i < n; i++) order[i] = i;
    if (job.shuffle) rng.shuffle(order);
    job.rngState.set(rng.getState());
    let lossSum = 0;
    let applied = 0;
    let skipped = 0;
    for (let start = 0, batch = 0; start < n; start += batchSize, batch++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      if (stopped()) return out;
      const rows = Math.min(batchSize, n - start);
      const loss = batchGradient(ws, net, x, y, order.subarray(start, start + rows), rows);
      // Both checks come before any update: a bad batch never reaches the weights.
      const bad = !Number.isFinite(loss) ? 'loss' : !Number.isFinite(gradientSumSquares(ws)) ? 'gradient' : null;
      if (bad !== null && !job.skipNonFinite) {
        throw new Error(`train: non-finite ${bad} at epoch ${epoch}, batch ${batch}; that batch was not applied`);
      }
      if (bad !== null) {
        skipped++;
      } else {
        sgdStep(net.params, ws.grads, learningRate, weightDecay);
        lossSum += loss * rows;
        applied += rows;
      }
      out.samples += rows;
      if (job.progressEvery !== 0 && (batch + 1) % job.progressEvery === 0) {
        report({ epochs: out.epochs, batches: batch + 1, samples: out.samples, loss: applied ? lossSum / applied : 0 });
      }
    }
    const row = (epoch - 1) * FIELDS;
    // An epoch whose every batch was skipped has no mean loss: NaN says so.
    history[row + F_LOSS] = applied ? lossSum / applied : NaN;
    history[row + F_LR] = learningRate;
    history[row + F_SKIPPED] = skipped;
    out.epochs = epoch;
    report({ epochs: epoch, batches: 0, samples: out.samples, loss: history[row + F_LOSS]! });
  }
  return out;
}
