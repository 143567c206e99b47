/**
 * What a data-parallel fit (FitOptions.distributed) does before its first
 * batch: join the run's processes, check that every rank was given the same
 * settings and data shapes, and start every rank from rank 0's weights,
 * optimizer state and generator. The training itself is the backends'
 * (FitJob.world: core/data_parallel.h, backend/js/data-parallel.ts).
 */
import { world, type World } from '../distributed/world.js';
import type { FitOptions, FitTarget, RunState } from './fit.js';
import type { OptimizerState } from './train-options.js';

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

/** What startTogether compares and shares. */
export interface StartingPoint {
  model: FitTarget;
  options: FitOptions;
  /** Training and validation rows, after any split. */
  n: number;
  nVal: number;
  run: RunState;
  state: OptimizerState;
  rngState: Uint32Array;
}

// Typed arrays by their length: the shapes must agree, the values come from rank 0.
const shapes = (v: unknown): string | null =>
  v === undefined ? null : JSON.stringify(v, (_key, value: unknown) => (ArrayBuffer.isView(value) ? (value as Float32Array).length : value));

/**
 * Fails on every rank, naming each difference, unless every rank has the
 * same network shape, settings and data shape; then gives every rank rank
 * 0's parameters (running statistics of normalisation layers included),
 * optimizer state and generator, so all ranks draw the same orders and
 * apply the same updates.
 */
export async function startTogether(fn: string, w: World, start: StartingPoint): Promise<void> {
  const { model, options: o, run, state } = start;
  await w.agree(fn, {
    network: shapes(model.spec), inputNoise: shapes(model.inputNoise), metric: model.metric,
    trainingRows: start.n, validationRows: start.nVal,
    epochs: o.epochs ?? null, batchSize: o.batchSize ?? null, optimizer: shapes(o.optimizer), schedule: shapes(o.schedule),
    earlyStopping: shapes(o.earlyStopping), shuffle: o.shuffle ?? null, onNonFinite: o.onNonFinite ?? null,
    freeze: shapes(o.freeze), epochsDone: run.epochsDone, stepsDone: run.stepsDone,
  });
  for (const p of model.spec.params) await w.broadcast(p);
  for (const s of state.state) await w.broadcast(s);
  await w.broadcast(state.step);
  await w.broadcast(start.rngState);
}
