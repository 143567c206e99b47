/**
 * Runs an epoch as a few backend calls of several minibatches each, yielding
 * to the event loop between calls so timers and I/O keep flowing and an
 * AbortSignal is noticed between minibatches. The number of batches per call
 * adapts so that each call lasts a few milliseconds: per-sample SGD on a tiny
 * net still makes few crossings, a big net still yields often.
 */
import type { Backend, TrainJob } from '../backend/backend.js';

const TARGET_MS_LOW = 4;
const TARGET_MS_HIGH = 16;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Trains one epoch of `job`; resolves with the mean loss over job.order. */
export async function trainEpochInChunks(backend: Backend, job: TrainJob, epoch: number,
                                         signal: AbortSignal | undefined): Promise<number> {
  const { order, batchSize } = job;
  const batches = Math.ceil(order.length / batchSize);
  let batchesPerCall = 1;
  let lossSum = 0;
  for (let done = 0; done < batches;) {
    signal?.throwIfAborted();
    const count = Math.min(batchesPerCall, batches - done);
    const slice = order.subarray(done * batchSize, Math.min((done + count) * batchSize, order.length));
    const started = performance.now();
    try {
      lossSum += backend.trainEpoch({ ...job, order: slice });
    } catch (err) {
      const batch = /non-finite loss at batch (\d+)/.exec((err as Error).message);
      if (!batch) throw err;
      throw new Error(`MLP.fit: non-finite loss at epoch ${epoch}, batch ${done + Number(batch[1])}; ` +
        'that batch was not applied (lower the learning rate or check the data)', { cause: err });
    }
    const elapsed = performance.now() - started;
    done += count;
    if (elapsed < TARGET_MS_LOW) batchesPerCall *= 2;
    else if (elapsed > TARGET_MS_HIGH && batchesPerCall > 1) batchesPerCall >>= 1;
    await yieldToEventLoop();
  }
  return lossSum / order.length;
}
