/**
 * MLP.fit: checks the options, prepares the data (validation split or
 * explicit validation data), builds one FitJob and runs it with the active
 * backend's train() (native thread or yielding TS loop: the same contract),
 * turning its history rows into the History and onEpoch calls.
 */
import {
  batchNormedOnOneRow,
  HISTORY,
  HISTORY_FIELDS,
  Metric,
  POSITION,
  POSITION_FIELDS,
  type Backend,
  type InputNoise,
  type MetricCode,
  type FitResult,
  type FitResume,
  type NetworkSpec,
  type TrainProgress,
} from '../backend/backend.js';
import { NonFiniteError } from '../backend/errors.js';
import type { Rng } from '../rng.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { allocateWith, allocating, asFailureOf } from '../sizes.js';
import { copyInSlices, sharedFloat32, sharedFloat64 } from '../shared-memory.js';
import { checkValuesOffThread, shapeMatrix, type Inputs, type Targets, type Unchecked } from '../inputs.js';
import type { Matrix } from '../tensor.js';
import {
  earlyStoppingSpec,
  optimizerSpec,
  scheduleSpec,
  type EarlyStoppingOptions,
  type OptimizerOptions,
  type OptimizerState,
  type ScheduleOptions,
} from './train-options.js';
import { frozenFlags } from './fine-tune.js';
import { joinedWorld, shapeOf, startTogether } from './data-parallel.js';

/** What onEpoch receives after each epoch. */
export interface EpochInfo {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's applied batches. */
  loss: number;
  /** Classification: mean training accuracy over the epoch's applied batches (before each update). */
  accuracy?: number;
  /** With validation data: loss and accuracy on it after the epoch. */
  valLoss?: number;
  /** Classification with validation data: accuracy on it after the epoch. */
  valAccuracy?: number;
  /** Learning rate of the epoch's last batch. */
  lr: number;
  /** Batches skipped for a non-finite loss, gradient or update (onNonFinite: 'skip'). */
  skipped: number;
}

/** What onProgress receives within an epoch. */
export interface ProgressInfo {
  /** 1-based epoch in progress. */
  epoch: number;
  /** Batches done in that epoch. */
  batch: number;
  /** Samples processed since fit started. */
  samples: number;
  /** Running mean training loss of the epoch. */
  loss: number;
}

/** Options of a fit: epochs, batches, optimizer, schedule, validation, early stopping, callbacks. */
export interface FitOptions {
  /** Most passes over the data. Default 10. */
  epochs?: number;
  /** Samples per update; 1 gives the classic per-sample rule Δw = η(r − y)x. Default 32. */
  batchSize?: number;
  /** Default { type: 'sgd', lr: 0.01 }. */
  optimizer?: OptimizerOptions;
  /** Learning-rate schedule on top of optimizer.lr. Default constant. */
  schedule?: ScheduleOptions;
  /** Hold out this fraction of the rows (the last ones, before any shuffle, as Keras does) for validation. */
  validationSplit?: number;
  /** Explicit validation data instead. */
  validationData?: { x: Inputs; y: Targets };
  /** Stop when the monitored value stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /** Reshuffle the samples (seeded) before every epoch. Default true. */
  shuffle?: boolean;
  /** Called after every epoch, in order, with that epoch's history entry. */
  onEpoch?: (info: EpochInfo) => void;
  /** Called every `progressEvery` batches within an epoch. */
  onProgress?: (info: ProgressInfo) => void;
  /** Batches between onProgress calls. Default 100. */
  progressEvery?: number;
  /** A batch with a non-finite loss, gradient or update stops fit with an error
   * ('error', the default) or is skipped and counted ('skip'). */
  onNonFinite?: 'error' | 'skip';
  /** Stops training between minibatches; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Layer indices (0 = the first weight layer) whose weights and biases this
   * fit holds fixed, optimizer state included: fine-tuning with a frozen
   * pretrained encoder (MLP.fromEncoder). Default: every layer trains. */
  freeze?: number[];
  /**
   * Train as one rank of a data-parallel run started by `mpirun` / `srun`
   * (see docs/many-machines.md): every rank calls fit with the same
   * data and options; rank 0's weights and optimizer state start every rank,
   * each update is the mean gradient of a global batch of ranks × batchSize
   * rows (each rank computes its share), and every rank ends with the same
   * weights and history. Outside a launcher (one process) it changes nothing.
   * Default false.
   */
  distributed?: boolean;
}

/** What a fit resolves with: one value per completed epoch in each series. */
export interface History {
  /** One entry per completed epoch. */
  loss: number[];
  /** Classification: training accuracy. */
  accuracy?: number[];
  /** With validation data: its loss. */
  valLoss?: number[];
  /** Classification with validation data: its accuracy. */
  valAccuracy?: number[];
  /** Learning rate of each epoch's last batch. */
  lr: number[];
  /** Batches skipped for a non-finite value (onNonFinite: 'skip'). */
  skipped: number[];
  /** Early stopping / restoreBestWeights: the 1-based best epoch (0 when off). */
  bestEpoch: number;
  /** True when early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
}

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'optimizer',
  'schedule',
  'validationSplit',
  'validationData',
  'earlyStopping',
  'shuffle',
  'onEpoch',
  'onProgress',
  'progressEvery',
  'onNonFinite',
  'signal',
  'freeze',
  'distributed',
] as const;
const FIELDS = HISTORY_FIELDS.length;
const F = HISTORY;
const P = POSITION;

/** The most epochs a fit may ask for: the History's arrays grow by one number an epoch, and
 * V8 cannot grow an array much past 1.1e8 numbers (the process aborts). */
const MAX_EPOCHS = 100_000_000;

/** What fit needs of the model. */
export interface FitTarget {
  inputs: number;
  spec: NetworkSpec;
  metric: MetricCode;
  rng: Rng;
  optimizerState: OptimizerState | null;
  /** Called with the state the job will update, before it starts (so an aborted fit keeps it too). */
  keepOptimizerState(state: OptimizerState): void;
  /** y as the (n, target columns) matrix the loss reads, shape checked, with the values it must hold. */
  targets(fn: string, arg: string, y: unknown, rows: number): Unchecked;
  /** Denoising autoencoders: corruption of every training batch's inputs. */
  inputNoise?: InputNoise | null;
}

/**
 * A checkpointed run's position between its fits (checkpoint.ts runs one fit
 * per segment and saves this): each fit continues the schedule's clock and
 * the early-stopping tracker from here, and advances it.
 */
export interface RunState {
  /** Epochs of the whole run: the cosine schedule's default horizon. */
  epochs: number;
  /** Epochs completed and updates applied so far. */
  epochsDone: number;
  stepsDone: number;
  /** Early stopping: the best epoch so far (0 = none), its monitored value and,
   * for restoreBestWeights, its weights (params-shaped; else empty). */
  bestEpoch: number;
  best: number;
  bestParams: Float32Array[];
  stoppedEarly: boolean;
  /** The epoch in progress (epochsDone + 1) when a fit stopped between two of its batches
   * (EPOCH_FIELDS; null: none), and its batch count (0 until a fit has run). */
  partial: Float64Array | null;
  batchesPerEpoch: number;
}

/** What a fit's options decide before any data is read (fitSettings). */
interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  progressEvery: number;
  onNonFinite: 'error' | 'skip';
  signal: AbortSignal | undefined;
  frozen: Uint8Array | null;
  optimizer: ReturnType<typeof optimizerSpec>;
  /** options.validationSplit: the fraction of the rows held out (0: none). */
  split: number;
  distributed: boolean;
}

/** The model as fitSettings reads it. */
type SettingsTarget = Pick<FitTarget, 'spec' | 'metric' | 'optimizerState'>;

// runFit's checks of the options that need no data, in its order.
function fitSettings(fn: string, model: SettingsTarget, options: FitOptions): FitSettings {
  checkOptions(fn, 'options', options, FIT_KEYS);
  const epochs = positiveInt(fn, 'options.epochs', options.epochs, 10);
  if (epochs > MAX_EPOCHS) {
    throw new RangeError(`${fn}: options.epochs must be at most ${MAX_EPOCHS} (the history holds a number per epoch), got ${epochs}`);
  }
  const batchSize = positiveInt(fn, 'options.batchSize', options.batchSize, 32);
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new TypeError(`${fn}: options.shuffle must be a boolean`);
  for (const key of ['onEpoch', 'onProgress'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`${fn}: options.${key} must be a function`);
    }
  }
  const progressEvery = positiveInt(fn, 'options.progressEvery', options.progressEvery, 100);
  const onNonFinite = options.onNonFinite ?? 'error';
  if (onNonFinite !== 'error' && onNonFinite !== 'skip') {
    throw new TypeError(`${fn}: options.onNonFinite must be 'error' or 'skip', got ${String(onNonFinite)}`);
  }
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${fn}: options.signal must be an AbortSignal`);
  }
  const frozen = frozenFlags(fn, options.freeze, model.spec.sizes.length - 1, model.spec.tiedPairs);
  if (options.validationSplit !== undefined && options.validationData !== undefined) {
    throw new TypeError(`${fn}: give options.validationSplit or options.validationData, not both`);
  }
  const split = finiteNumber(fn, 'options.validationSplit', options.validationSplit, 0, 0);
  if (split >= 1) throw new RangeError(`${fn}: options.validationSplit must be a fraction below 1, got ${split}`);
  const optimizer = optimizerSpec(fn, options.optimizer, model.spec.params, model.optimizerState);
  const distributed = options.distributed ?? false;
  if (typeof distributed !== 'boolean') throw new TypeError(`${fn}: options.distributed must be a boolean`);
  return { epochs, batchSize, shuffle, progressEvery, onNonFinite, signal, frozen, optimizer, split, distributed };
}

/**
 * Checks fit options as far as they go without data: the schedule as for
 * one batch an epoch, early stopping as if there were validation data.
 * Loading a checkpoint runs its stored settings through this, so a bad one
 * is reported as the file's, not as an option of the resuming call.
 */
export function checkFitSettings(fn: string, model: SettingsTarget, options: FitOptions): void {
  const { epochs, optimizer } = fitSettings(fn, model, options);
  scheduleSpec(fn, options.schedule, optimizer.lr, epochs, 1);
  earlyStoppingSpec(fn, options.earlyStopping, true, model.metric);
}

/**
 * Epochs per backend job. A fit runs as consecutive jobs of at most this many
 * epochs, each continuing the run (RunState) as checkpointed segments do, so
 * the history grows as epochs run instead of being allocated for all of
 * `epochs` before the first one (epochs: 1e8 with early stopping took 7.4 GB
 * and a minute of blocking). 4096 rows are 192 kB, and a job's start is
 * microseconds against 4096 epochs.
 */
export const EPOCHS_PER_JOB = 4096;

/** The most epochs a History's series are made room for before the first one. */
export const SERIES_ROOM = 65_536;

/**
 * The history rows of the last fit that ended, kept for the next fit. Fresh
 * memory costs a page fault a page on first touch (about 10 µs on some VMs),
 * and touching 192 kB of new rows made a per-sample XOR fit of 20 000 epochs
 * ~3 % slower. The rows lie on a SharedArrayBuffer, so a native job writes
 * them in place instead of into a copy of its own (native/napi/job_memory.h):
 * while a job runs, fit reads only the rows its reports say are complete.
 */
let spareRows: Float64Array | null = null;

/** Rows for jobs of up to `epochsPerJob` epochs: the spare ones when they are long enough, else new ones. */
function takeHistoryRows(fn: string, epochsPerJob: number): Float64Array {
  const spare = spareRows;
  if (spare !== null && spare.length >= epochsPerJob * FIELDS) {
    spareRows = null;
    return spare;
  }
  return allocateWith(fn, 'the history', Float64Array, [epochsPerJob, FIELDS], sharedFloat64);
}

/** Keeps `rows` for the next fit, unless longer ones are kept. */
function giveBackHistoryRows(rows: Float64Array): void {
  if (spareRows === null || rows.length > spareRows.length) spareRows = rows;
}

/**
 * An empty series of a History with room for `room` numbers. Pushed one by
 * one, a series of 20 000 epochs was copied into ever larger stores, and
 * those fresh pages cost a per-sample XOR fit a quarter of its time where
 * touching new memory is slow (10 µs a page on some VMs). A double array of
 * the full length is made at once (setting the length of [0.5], an array of
 * doubles, gives one store of doubles of that size, where [] or [0] would
 * first hold small integers and be converted); fit writes it by index and
 * trims it to the epochs run.
 */
function seriesWithRoom(room: number): number[] {
  const series = [0.5];
  series.length = room;
  return series;
}

/** Runs fit; resolves with the history. With `run`, the fit is one segment of
 * that run: the best weights are tracked in run.bestParams, not restored (the
 * run restores them once, at its end). */
export async function runFit(
  fn: string,
  backend: Backend,
  model: FitTarget,
  x: Inputs,
  y: Targets,
  options: FitOptions,
  run: RunState | null = null,
): Promise<History> {
  const { epochs, batchSize, shuffle, progressEvery, onNonFinite, signal, frozen, optimizer: opt, split, distributed } = fitSettings(fn, model, options);
  const { train, val } = await prepareData(fn, backend, model, x, y, options, split, signal);
  const { n } = train;
  // The other ranks of a data-parallel run; null for a process alone.
  const world = distributed ? await joinedWorld(fn) : null;
  const ranks = world?.size ?? 1;
  checkBatchNormRows(fn, { ...model.spec, frozen }, n, batchSize, ranks);
  const { spec: optimizer, lr, state } = opt;
  const batchesPerEpoch = Math.ceil(n / (batchSize * ranks));
  // A run stopped within an epoch continues from its next batch: only batches of the same rows mean the same thing.
  if (run?.partial && run.batchesPerEpoch !== 0 && run.batchesPerEpoch !== batchesPerEpoch) {
    throw new RangeError(
      `${fn}: the run stopped within an epoch of ${run.batchesPerEpoch} batches, but ${n} training rows in batches of ` +
        `${batchSize}${ranks > 1 ? ` on each of ${ranks} ranks` : ''} make ${batchesPerEpoch}: resume with the run's data and number of ranks`,
    );
  }
  const schedule = scheduleSpec(fn, options.schedule, lr, run?.epochs ?? epochs, batchesPerEpoch);
  const hasVal = val !== null;
  const earlyStopping = earlyStoppingSpec(fn, options.earlyStopping, hasVal, model.metric);
  // Every job continues a run, so the best weights live in the run until its end; a plain fit is a run of its own.
  const restoreAtEnd = run === null && earlyStopping.restoreBest;
  earlyStopping.restoreBest = false;
  signal?.throwIfAborted();
  const r = run ?? startRun(fn, model.spec.params, epochs, restoreAtEnd);

  const rngState = model.rng.getState();
  if (world) {
    const o = options;
    await startTogether(
      fn,
      world,
      {
        // Both backends give close but not always the same bits: the ranks' weights would drift apart.
        backend: backend.name,
        network: shapeOf(model.spec),
        inputNoise: shapeOf(model.inputNoise),
        metric: model.metric,
        trainingRows: n,
        validationRows: val?.n ?? 0,
        epochs: o.epochs ?? null,
        batchSize: o.batchSize ?? null,
        optimizer: shapeOf(o.optimizer),
        schedule: shapeOf(o.schedule),
        earlyStopping: shapeOf(o.earlyStopping),
        shuffle: o.shuffle ?? null,
        onNonFinite: o.onNonFinite ?? null,
        freeze: shapeOf(o.freeze),
        epochsDone: r.epochsDone,
        stepsDone: r.stepsDone,
      },
      [...model.spec.params, ...state.state, state.step, rngState],
    );
  }
  // Every job's history rows, reused: a job's history is the part of it for its epochs.
  const rows = takeHistoryRows(fn, Math.min(epochs, EPOCHS_PER_JOB));
  const job = {
    net: { ...model.spec, frozen },
    x: train.x,
    y: train.y,
    n,
    xVal: val?.x ?? new Float32Array(0),
    yVal: val?.y ?? new Float32Array(0),
    nVal: val?.n ?? 0,
    epochs: 0,
    batchSize,
    shuffle,
    rngState,
    optimizer,
    schedule,
    metric: model.metric,
    earlyStopping,
    skipNonFinite: onNonFinite === 'skip',
    progressEvery: options.onProgress ? progressEvery : 0,
    history: new Float64Array(0) as Float64Array,
    inputNoise: model.inputNoise ?? null,
    resume: null as FitResume | null,
    position: null as Float64Array | null,
    world,
  };
  const hasMetric = model.metric !== Metric.none;
  const room = Math.min(epochs, SERIES_ROOM);
  const history: History = {
    loss: seriesWithRoom(room),
    lr: seriesWithRoom(room),
    skipped: seriesWithRoom(room),
    bestEpoch: 0,
    stoppedEarly: false,
    ...(hasMetric ? { accuracy: seriesWithRoom(room) } : {}),
    ...(hasVal ? { valLoss: seriesWithRoom(room) } : {}),
    ...(hasVal && hasMetric ? { valAccuracy: seriesWithRoom(room) } : {}),
  };
  // This fit's epochs and samples before the current job, and the epochs in the history.
  let base = 0;
  let samplesBefore = 0;
  let delivered = 0;
  // Epoch rows are read from job.history as reports say they are complete,
  // so onEpoch sees every epoch once, in order, even when reports coalesce.
  const deliverEpochs = (upTo: number) => {
    const h = job.history;
    for (let e = delivered - base; e < upTo; e++, delivered++) {
      // Indices into job.history rather than a view per epoch: short epochs come by the ten thousand.
      const row = e * FIELDS;
      history.loss[delivered] = h[row + F.loss]!;
      history.lr[delivered] = h[row + F.lr]!;
      history.skipped[delivered] = h[row + F.skipped]!;
      if (history.accuracy) history.accuracy[delivered] = h[row + F.metric]!;
      if (history.valLoss) history.valLoss[delivered] = h[row + F.valLoss]!;
      if (history.valAccuracy) history.valAccuracy[delivered] = h[row + F.valMetric]!;
      if (!options.onEpoch) continue;
      const info: EpochInfo = { epoch: base + e + 1, loss: h[row + F.loss]!, lr: h[row + F.lr]!, skipped: h[row + F.skipped]! };
      if (history.accuracy) info.accuracy = h[row + F.metric]!;
      if (history.valLoss) info.valLoss = h[row + F.valLoss]!;
      if (history.valAccuracy) info.valAccuracy = h[row + F.valMetric]!;
      options.onEpoch(info);
    }
  };
  const onProgress = (p: TrainProgress) => {
    deliverEpochs(p.epochs);
    if (p.batches > 0) {
      options.onProgress?.({ epoch: base + p.epochs + 1, batch: p.batches, samples: samplesBefore + p.samples, loss: p.loss });
    }
  };
  model.keepOptimizerState(state);
  // Without callbacks the job reports nothing: the history is read once at the end of each job.
  const wanted = options.onEpoch !== undefined || options.onProgress !== undefined;
  try {
    while (base < epochs && !r.stoppedEarly) {
      job.epochs = Math.min(EPOCHS_PER_JOB, epochs - base);
      job.history = rows.subarray(0, job.epochs * FIELDS);
      job.resume = {
        epoch: r.epochsDone,
        step: r.stepsDone,
        bestEpoch: r.bestEpoch,
        best: r.best,
        bestParams: r.bestParams,
        partial: r.partial,
      };
      job.position = initialPosition(r);
      let result: FitResult;
      try {
        result = await backend.train(job, wanted ? onProgress : null, signal);
      } finally {
        // Aborted too: the run (and its checkpoint) continues from where the job stopped.
        advanceRun(r, job.position, batchesPerEpoch);
      }
      // The public convention: an aborted fit rejects with the signal's reason (the weights keep what was done).
      if (result.cancelled) signal!.throwIfAborted();
      // Every rank stops at the batch where one was aborted; that one rejects with its signal's reason.
      if (world && result.epochs < job.epochs && !result.stoppedEarly) {
        throw new Error(`${fn}: another rank of this run was aborted, so every rank stopped`);
      }
      deliverEpochs(result.epochs);
      base += result.epochs;
      samplesBefore += result.samples;
      r.stoppedEarly = result.stoppedEarly;
      history.bestEpoch = result.bestEpoch;
      history.stoppedEarly = result.stoppedEarly;
    }
  } catch (err) {
    if (!(err instanceof NonFiniteError)) throw asFailureOf(fn, err);
    const { quantity, epoch, batch } = err;
    throw new NonFiniteError(
      `${fn}: non-finite ${quantity} at epoch ${epoch}, batch ${batch}; that batch was not applied ` + '(lower the learning rate or check the data)',
      quantity,
      epoch,
      batch,
      { cause: err },
    );
  } finally {
    // The shuffles advanced the state natively or in TS alike; continue from it.
    model.rng.setState(rngState);
    // Every job has settled: nothing writes the rows any more.
    giveBackHistoryRows(rows);
  }
  if (restoreAtEnd) await restoreBestWeights(model.spec.params, r);
  for (const series of [history.loss, history.lr, history.skipped, history.accuracy, history.valLoss, history.valAccuracy]) {
    if (series) series.length = delivered;
  }
  return history;
}

/** A run's end: the best epoch's weights, if one was kept, replace `params`. In slices: the weights of a large
 * model take tens of milliseconds to copy. */
export async function restoreBestWeights(params: Float32Array[], run: RunState): Promise<void> {
  if (run.bestEpoch > 0) for (const [p, b] of run.bestParams.entries()) await copyInSlices(params[p]!, b);
}

/** A run before its first epoch: `epochs` in all, with room for the best weights when they are restored at its end
 * (on shared memory, which a native fit writes in place, as it does the weights). */
export function startRun(fn: string, params: Float32Array[], epochs: number, restoring: boolean): RunState {
  return {
    epochs,
    epochsDone: 0,
    stepsDone: 0,
    bestEpoch: 0,
    best: 0,
    stoppedEarly: false,
    partial: null,
    batchesPerEpoch: 0,
    bestParams: restoring ? allocating(fn, 'the copy of the best weights (restoreBestWeights)', () => params.map((p) => sharedFloat32(p.length))) : [],
  };
}

/**
 * Refuses a fit that would hand a batch-normalised layer a batch of one row
 * (Backend.batchNormedOnOneRow: the layer would divide by a spread of 0),
 * naming the option to change and a batch size that works.
 */
function checkBatchNormRows(fn: string, net: NetworkSpec, n: number, batchSize: number, ranks: number): void {
  const l = batchNormedOnOneRow(net, n, batchSize, ranks);
  if (l < 0) return;
  const need = `batch normalisation (config.norm 'batch', hidden layer ${l}) needs at least 2 rows in every batch`;
  if (n === 1) throw new RangeError(`${fn}: ${need}, and there is 1 training row`);
  let fits = batchSize + 1;
  while (fits <= n && batchNormedOnOneRow(net, n, fits, ranks) >= 0) fits++;
  const leaves =
    batchSize === 1 ? 'gives batches of 1 row' : `leaves a last batch of 1 row of the ${n} training rows${ranks > 1 ? ` on one of the ${ranks} ranks` : ''}`;
  const instead = fits <= n ? `use a batch size that does not (e.g. ${fits})` : `use fewer ranks or more rows`;
  throw new RangeError(`${fn}: ${need}, but options.batchSize ${batchSize} ${leaves}; ${instead}`);
}

// A job's position before it runs: nothing done, the run's best and epoch in progress kept (an abort before it starts).
function initialPosition(run: RunState): Float64Array {
  const p = new Float64Array(POSITION_FIELDS.length);
  p.set([0, 0, run.bestEpoch, run.best]);
  if (run.partial) p.set(run.partial, P.batch);
  return p;
}

function advanceRun(run: RunState, p: Float64Array, batchesPerEpoch: number): void {
  Object.assign(run, {
    epochsDone: run.epochsDone + p[P.epochs]!,
    stepsDone: run.stepsDone + p[P.steps]!,
    bestEpoch: p[P.bestEpoch]!,
    best: p[P.best]!,
    partial: p[P.batch] === 0 ? null : p.slice(P.batch),
    batchesPerEpoch,
  });
}

interface Split {
  train: { x: Float32Array; y: Float32Array; n: number };
  val: { x: Float32Array; y: Float32Array; n: number } | null;
}

/**
 * The training and validation rows as the backend reads them: shapes checked
 * at once, then each array staged (Backend.trainingData) and its values
 * checked (a pass over the whole data) off the JS thread or in slices, so
 * neither pauses the event loop.
 */
async function prepareData(
  fn: string,
  backend: Backend,
  model: FitTarget,
  x: Inputs,
  y: Targets,
  options: FitOptions,
  split: number,
  signal: AbortSignal | undefined,
): Promise<Split> {
  const xs = shapeMatrix(fn, 'x', x, model.inputs);
  const ys = model.targets(fn, 'y', y, xs.rows);
  if (xs.rows === 0) throw new RangeError(`${fn}: x must have at least one row`);
  const { cut, given } = validationRows(fn, model, xs, options.validationData, split);
  const staged = new Map<Float32Array, Float32Array>();
  const checked = async (arg: string, u: Unchecked): Promise<Float32Array> => {
    let data = staged.get(u.m.data);
    if (!data) staged.set(u.m.data, (data = await backend.trainingData(u.m.data, fn, arg, signal)));
    await checkValuesOffThread(fn, arg, u, data, backend, signal);
    return data;
  };
  // An autoencoder's targets are its inputs: one pass, with the targets' range, named x.
  const sameData = ys.m.data === xs.data;
  const X = await checked('x', sameData ? ys : { m: xs, range: null });
  const Y = sameData ? X : await checked('y', ys);
  if (given) {
    const val = { x: await checked('options.validationData.x', { m: given.x, range: null }), n: given.x.rows };
    const train = { x: X, y: Y, n: xs.rows };
    return { train, val: given.x.rows > 0 ? { ...val, y: await checked('options.validationData.y', given.y) } : null };
  }
  const rows = (data: Float32Array, cols: number, a: number, b: number) => data.subarray(a * cols, b * cols);
  const k = ys.m.cols;
  const n = xs.rows;
  if (cut === n) return { train: { x: X, y: Y, n }, val: null };
  return {
    train: { x: rows(X, xs.cols, 0, cut), y: rows(Y, k, 0, cut), n: cut },
    val: { x: rows(X, xs.cols, cut, n), y: rows(Y, k, cut, n), n: n - cut },
  };
}

/** The validation rows: the last rows of x from `cut` (`split` of them; cut = rows: none), or given ones. */
function validationRows(
  fn: string,
  model: FitTarget,
  xs: Matrix,
  validationData: FitOptions['validationData'],
  split: number,
): { cut: number; given: { x: Matrix; y: Unchecked } | null } {
  if (validationData !== undefined) {
    checkOptions(fn, 'options.validationData', validationData, ['x', 'y']);
    const vx = shapeMatrix(fn, 'options.validationData.x', validationData.x, model.inputs);
    const vy = model.targets(fn, 'options.validationData.y', validationData.y, vx.rows);
    return { cut: xs.rows, given: { x: vx, y: vy } };
  }
  if (split === 0) return { cut: xs.rows, given: null };
  const nVal = Math.floor(xs.rows * split);
  if (nVal === 0 || nVal === xs.rows) {
    throw new RangeError(`${fn}: options.validationSplit ${split} of ${xs.rows} rows must leave at least one row for each side`);
  }
  return { cut: xs.rows - nVal, given: null };
}
