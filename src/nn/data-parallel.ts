/**
 * What a data-parallel fit (FitOptions.distributed) does before its first
 * batch: join the run's processes, check that every rank was given the same
 * settings and data shapes, and start every rank from rank 0's weights,
 * optimizer state and generator. The training itself is the backends'
 * (FitJob.world: core/data_parallel.h, backend/js/data-parallel.ts).
 */
import { world, type World } from '../distributed/world.js';

/** The run's processes when there are several; null for a process alone (outside mpirun / srun). */
export async function joinedWorld(fn: string): Promise<World | null> {
  let w: World;
  try {
    w = await world();
  } catch (err) {
    throw new Error(`${fn}: options.distributed: ${(err as Error).message}`, { cause: err });
  }
  return w.size > 1 ? w : null;
}

/** A value for World.agree: typed arrays by their length (their shape must agree; their values come from rank 0). */
export function shapeOf(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v, (_key, value: unknown) => (ArrayBuffer.isView(value) ? (value as Float32Array).length : value));
}

/**
 * Fails on every rank, naming each difference, unless every rank passed the
 * same `settings`; then gives every rank rank 0's `state` arrays in place
 * (parameters with normalisation layers' running statistics, optimizer
 * state, generator), so all ranks draw the same orders and apply the same updates.
 */
export async function startTogether(fn: string, w: World, settings: Record<string, string | number | boolean | null>, state: ArrayBufferView[]): Promise<void> {
  await w.agree(fn, settings);
  for (const array of state) await w.broadcast(array);
}
