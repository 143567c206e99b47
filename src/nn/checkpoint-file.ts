/**
 * The checkpoint file: a fastnn model file (MLP or Autoencoder) that also
 * holds `optimizer.state.j` tensors, the best epoch's weights as `best.j`
 * tensors (restoreBestWeights) and a `fastnn.checkpoint` metadata entry: the
 * fit settings and the run's position (epochs and updates done, the shuffle
 * generator's state, the optimizer step, early stopping's best so far and,
 * after an abort between two batches, the epoch in progress).
 */
import { EPOCH_FIELDS, Optimizer, optimizerStateCount, type OptimizerName } from '../backend/backend.js';
import type { WriteOptions } from '../io/atomic.js';
import { ModelFileError, readSafetensors } from '../io/safetensors.js';
import { Autoencoder, type AutoencoderConfig } from './autoencoder.js';
import type { RunState } from './fit.js';
import { MLP, type MLPConfig } from './mlp.js';
import { modelFromTensors, writeModelFile } from './model-file.js';
import { checkSettings } from './trainable.js';
import type { EarlyStoppingOptions, OptimizerOptions, ScheduleOptions } from './train-options.js';

export type Checkpointable = MLP | Autoencoder;

/** The fit options a checkpoint stores: plain data that decides the updates. */
export interface CheckpointSettings {
  /** Epochs to run. */
  epochs: number;
  /** Rows per batch. */
  batchSize?: number;
  /** The optimizer and its settings. */
  optimizer?: OptimizerOptions;
  /** The learning-rate schedule. */
  schedule?: ScheduleOptions;
  /** Whether rows are reshuffled each epoch. */
  shuffle?: boolean;
  /** Fraction of the rows held out for validation. */
  validationSplit?: number;
  /** When to stop early. */
  earlyStopping?: EarlyStoppingOptions;
  /** What a non-finite batch does: stop the fit, or be skipped. */
  onNonFinite?: 'error' | 'skip';
  /** Layers held fixed (FitOptions.freeze). */
  freeze?: number[];
}

/** Where a run writes its checkpoints. */
export interface CheckpointTarget {
  everyEpochs: number;
  saveOnAbort: boolean;
}

export interface CheckpointMeta extends CheckpointTarget {
  settings: CheckpointSettings;
  epochsDone: number;
  stepsDone: number;
  bestEpoch: number;
  best: number;
  stoppedEarly: boolean;
  rngState: number[];
  optimizerType: OptimizerName | null;
  optimizerStep: number;
  /** An abort between two batches: the epoch in progress (EPOCH_FIELDS) and its batch count.
   * Absent in files of completed epochs only (older files too). */
  partial?: number[] | null;
  batchesPerEpoch?: number;
}

/** A checkpoint ready to write. Its tensors are the model's, the optimizer's and the run's own arrays, not copies:
 * it is written between two segments of the run, which holds the model's busy guard, so nothing changes them. */
export interface Snapshot {
  kind: 'MLP' | 'Autoencoder';
  config: object;
  model: { params: Float32Array[]; layers: readonly number[] };
  metadata: Record<string, string>;
  tensors: [string, number[], Float32Array][];
}

const META_KEY = 'fastnn.checkpoint';

export function snapshot(model: Checkpointable, settings: CheckpointSettings, run: RunState, target: CheckpointTarget): Snapshot {
  const opt = model.optimizerState;
  const meta: CheckpointMeta = {
    ...target,
    settings,
    epochsDone: run.epochsDone,
    stepsDone: run.stepsDone,
    bestEpoch: run.bestEpoch,
    best: run.best,
    stoppedEarly: run.stoppedEarly,
    rngState: Array.from(model.rngState),
    optimizerType: opt?.type ?? null,
    optimizerStep: opt?.step[0] ?? 0,
    ...(run.partial ? { partial: Array.from(run.partial), batchesPerEpoch: run.batchesPerEpoch } : {}),
  };
  const tensor =
    (prefix: string) =>
    (s: Float32Array, j: number): [string, number[], Float32Array] => [`${prefix}.${j}`, [s.length], s];
  return {
    kind: model instanceof MLP ? 'MLP' : 'Autoencoder',
    config: model.config(),
    model: { params: model.params, layers: model.layers },
    metadata: { [META_KEY]: JSON.stringify(meta) },
    tensors: [...(opt?.state ?? []).map(tensor('optimizer.state')), ...run.bestParams.map(tensor('best'))],
  };
}

/** Writes a snapshot atomically (temp file renamed over `path`). */
export async function writeSnapshot(path: string, s: Snapshot, options: WriteOptions = {}): Promise<void> {
  await writeModelFile(path, s.kind, s.config, s.model, { metadata: s.metadata, tensors: s.tensors }, options);
}

/** Reads a checkpoint: the model with its generator and optimizer state restored, the run's position and settings. */
export async function loadCheckpoint(path: string): Promise<{ model: Checkpointable; meta: CheckpointMeta; run: RunState }> {
  const parsed = await readSafetensors(path);
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  const extra = (prefix: string) => {
    const found = new Map([...parsed.tensors].filter(([name]) => name.startsWith(`${prefix}.`)));
    for (const name of found.keys()) parsed.tensors.delete(name);
    return found;
  };
  const optimizerTensors = extra('optimizer');
  const bestTensors = extra('best');
  const kind = parsed.metadata['fastnn.kind'] === 'Autoencoder' ? 'Autoencoder' : 'MLP';
  const model: Checkpointable = modelFromTensors(path, parsed, kind, (config) =>
    kind === 'MLP' ? new MLP(config as unknown as MLPConfig) : new Autoencoder(config as unknown as AutoencoderConfig),
  );
  const meta = parseMeta(parsed.metadata[META_KEY], fail);
  model.rngState = Uint32Array.from(meta.rngState);
  // Each list must hold `count` tensors named prefix.0…, tensor j shaped like params[j mod params.length]
  // and finite: the resumed fit would otherwise stop at its first batch, blaming the learning rate.
  const list = (tensors: Map<string, { data: Float32Array }>, prefix: string, count: number, what: string) => {
    if (tensors.size !== count) fail(`holds ${tensors.size} ${prefix} tensors, ${what} needs ${count}`);
    return Array.from({ length: count }, (_, j) => {
      const data = tensors.get(`${prefix}.${j}`)?.data ?? fail(`missing tensor '${prefix}.${j}'`);
      if (data.length !== model.params[j % model.params.length]!.length) fail(`tensor '${prefix}.${j}' does not match its parameter`);
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`tensor '${prefix}.${j}' holds ${data[bad]} at index ${bad}`);
      return data;
    });
  };
  if (meta.optimizerType !== null) {
    const count = optimizerStateCount(Optimizer[meta.optimizerType], model.params.length);
    const state = list(optimizerTensors, 'optimizer.state', count, meta.optimizerType);
    // Adam's second moments (the second half) are averages of squares, and the update divides by their root.
    for (let j = count / 2; meta.optimizerType.startsWith('adam') && j < count; j++) {
      const neg = state[j]!.findIndex((v) => v < 0);
      if (neg >= 0) fail(`tensor 'optimizer.state.${j}' holds a negative second moment ${state[j]![neg]} at index ${neg}`);
    }
    model.optimizerState = { type: meta.optimizerType, state, step: Float64Array.of(meta.optimizerStep) };
  } else if (optimizerTensors.size > 0) {
    fail(`holds ${optimizerTensors.size} optimizer tensors but no optimizer`);
  }
  // The stored settings are the file's content: one a fit would refuse is reported against the file,
  // not later as an option of the resuming call. (After the optimizer state: the check reuses it.)
  try {
    model[checkSettings]('settings', meta.settings);
  } catch (err) {
    fail(`invalid ${(err as Error).message}`);
  }
  const restoring = meta.settings.earlyStopping?.restoreBestWeights === true;
  const bestParams = list(bestTensors, 'best', restoring ? model.params.length : 0, 'restoreBestWeights');
  const run: RunState = {
    epochs: meta.settings.epochs,
    epochsDone: meta.epochsDone,
    stepsDone: meta.stepsDone,
    bestEpoch: meta.bestEpoch,
    best: meta.best,
    bestParams,
    stoppedEarly: meta.stoppedEarly,
    partial: meta.partial ? Float64Array.from(meta.partial) : null,
    batchesPerEpoch: meta.batchesPerEpoch ?? 0,
  };
  return { model, meta, run };
}

// The epoch in progress, when there is one, must be within the run; the trainers check its fields.
function partialOk(meta: CheckpointMeta): boolean {
  if (meta.partial === undefined || meta.partial === null) return true;
  return (
    Array.isArray(meta.partial) &&
    meta.partial.length === EPOCH_FIELDS.length &&
    meta.partial.every((v) => Number.isFinite(v)) &&
    meta.epochsDone < meta.settings.epochs &&
    Number.isSafeInteger(meta.batchesPerEpoch) &&
    meta.batchesPerEpoch! > meta.partial[0]!
  );
}

function parseMeta(text: string | undefined, fail: (why: string) => never): CheckpointMeta {
  if (text === undefined) fail(`not a checkpoint (no '${META_KEY}' metadata)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text!) as CheckpointMeta;
  } catch {
    return fail(`'${META_KEY}' metadata is not JSON`);
  }
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const ok =
    typeof meta === 'object' &&
    meta !== null &&
    count(meta.epochsDone) &&
    count(meta.stepsDone) &&
    count(meta.everyEpochs) &&
    typeof meta.saveOnAbort === 'boolean' &&
    (meta.everyEpochs >= 1 || meta.saveOnAbort) &&
    count(meta.bestEpoch) &&
    meta.bestEpoch <= meta.epochsDone &&
    Number.isFinite(meta.best) &&
    typeof meta.stoppedEarly === 'boolean' &&
    count(meta.optimizerStep) &&
    Array.isArray(meta.rngState) &&
    meta.rngState.length === 4 &&
    meta.rngState.every((w) => count(w) && w <= 0xffffffff) &&
    meta.rngState.some((w) => w !== 0) &&
    (meta.optimizerType === null || Object.hasOwn(Optimizer, meta.optimizerType)) &&
    typeof meta.settings === 'object' &&
    meta.settings !== null &&
    count(meta.settings.epochs) &&
    meta.epochsDone <= meta.settings.epochs &&
    partialOk(meta);
  if (!ok) fail(`'${META_KEY}' metadata is malformed`);
  return meta;
}
