/**
 * Data-parallel synchronous SGD over the processes of a multi-process run,
 * twin of native/core/data_parallel.cc: every rank holds the whole training
 * set and draws the same order, trains on its share of each global batch
 * (backend.ts shareOf), and one rank-ordered sum of the gradients weighted by
 * share rows / global rows makes every rank apply the global batch's update.
 */
import type { NetworkSpec, TrainingWorld } from '../backend.js';
import { allocating } from '../../sizes.js';
import { copyInSlices, inSlices, sharedFloat32 } from '../../shared-memory.js';

/** The seed of the generator rank `rank`'s share of batch `batch` draws its noise and dropout from (data_parallel.h share_seed). */
export function shareSeed(orderState: Uint32Array, batch: number, rank: number): number {
  return (orderState[0]! ^ orderState[2]! ^ Math.imul(batch >>> 0, 0x9e3779b9) ^ Math.imul(rank + 1, 0x85ebca6b)) >>> 0;
}

/** What every rank learns from a step's sum besides the gradient. */
export interface StepAgreement {
  /** No rank's share had a non-finite loss. */
  lossFinite: boolean;
  /** Some rank was stopped: every rank stops before this batch. */
  cancelled: boolean;
}

// Flags after the gradients in the step's buffer: 1 from each rank that has the condition.
const LOSS_NON_FINITE = 0;
const CANCELLED = 1;
const FLAGS = 2;

/** The per-step and per-epoch sums of one rank; inactive (null world, or one of size 1) for a process alone. */
export class DataParallel {
  readonly active: boolean;
  readonly rank: number;
  readonly size: number;
  private readonly buffer: Float32Array;

  constructor(
    net: NetworkSpec,
    private readonly world: TrainingWorld | null,
  ) {
    this.active = world !== null && world.size > 1;
    this.rank = this.active ? world!.rank : 0;
    this.size = this.active ? world!.size : 1;
    const total = this.active ? net.params.reduce((sum, p) => sum + p.length, 0) + FLAGS : 0;
    // Shared memory: the MPI addon sums it in place (an ArrayBuffer's bytes are copied there and back).
    this.buffer = allocating('train', 'the gradient buffer the ranks sum', () => sharedFloat32(total));
  }

  /** grads ← Σ over ranks of (rows / globalRows) · each rank's gradient, the same bits on every rank:
   * one allreduce of every gradient and two flags. A share of 0 rows adds 0. The gradients go into the buffer
   * and back in slices, the event loop running between them (a large model's are tens of millions of floats). */
  async reduceGradients(grads: Float32Array[], rows: number, globalRows: number, lossFinite: boolean, cancelled: boolean): Promise<StepAgreement> {
    // Each share's gradient is its mean over its rows: weighted, the sum is the global batch's mean.
    const weight = Math.fround(rows / globalRows);
    const buf = this.buffer;
    let at = 0;
    for (const g of grads) {
      const into = buf.subarray(at, at + g.length);
      await inSlices(g.length, (begin, end) => {
        if (rows === 0) into.fill(0, begin, end);
        else for (let i = begin; i < end; i++) into[i] = g[i]! * weight;
      });
      at += g.length;
    }
    buf[at + LOSS_NON_FINITE] = lossFinite ? 0 : 1;
    buf[at + CANCELLED] = cancelled ? 1 : 0;
    await this.world!.allreduceSum(buf);
    at = 0;
    for (const g of grads) {
      await copyInSlices(g, buf.subarray(at, at + g.length));
      at += g.length;
    }
    return { lossFinite: buf[at + LOSS_NON_FINITE] === 0, cancelled: buf[at + CANCELLED] !== 0 };
  }

  /** values ← Σ over ranks (float64, rank order), in place. */
  sum(values: Float64Array): Promise<void> {
    return this.world!.allreduceSum(values);
  }
}
