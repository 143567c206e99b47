/**
 * Checkpointed training of MLPs and autoencoders: everything a fit needs to
 * continue exactly where it stopped goes into one file (checkpoint-file.ts),
 * written atomically.
 *
 * A checkpointed fit runs as consecutive fits (segments) of the model: a fit
 * continues the model's generator and optimizer state, and the run's
 * position (RunState: epochs and updates done, early stopping's best so far
 * and its weights) carries the schedule's clock and early stopping across
 * segments, so the segments give the same updates as one long fit, and a run
 * resumed from the file (after epoch k, or an abort between two batches: the
 * run then also holds that epoch's partial sums) ends byte-identical to an
 * uninterrupted one (the trainers are deterministic for a given job, on any
 * thread count).
 */
import type { Inputs, Targets } from '../inputs.js';
import { restoreBestWeights, startRun, type EpochInfo, type FitOptions, type History, type ProgressInfo, type RunState } from './fit.js';
import { Autoencoder } from './autoencoder.js';
import { MLP } from './mlp.js';
import { fitSegment, holdBusy } from './trainable.js';
import { joinedWorld } from './data-parallel.js';
import { loadCheckpoint, snapshot, writeSnapshot, type CheckpointSettings, type Checkpointable, type CheckpointTarget } from './checkpoint-file.js';
import { checkOverwrite, checkWritable } from '../io/atomic.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../options.js';

export type { CheckpointSettings } from './checkpoint-file.js';
export { loadCheckpoint } from './checkpoint-file.js';

/** Where and how often a checkpointed fit saves its state. */
export interface CheckpointOptions {
  /** The checkpoint file, replaced atomically each time. */
  path: string;
  /** Epochs between checkpoints (and one after the last epoch). Default 1; 0 writes only on abort (needs saveOnAbort). */
  everyEpochs?: number;
  /** When the fit is aborted, write the state where it stopped (between two batches) before rejecting. Default false. */
  saveOnAbort?: boolean;
  /** Replace the file even when it is read-only. Default false: a read-only file is refused before training. */
  overwrite?: boolean;
}

/** What a resumed fit may add: callbacks, cancellation, data and the run's processes (resume a
 * data-parallel run with as many ranks as it had), none of which change the updates. */
export type ResumeOptions = Pick<FitOptions, 'onEpoch' | 'onProgress' | 'progressEvery' | 'signal' | 'validationData' | 'distributed'> & {
  /** Keep checkpointing while resuming (default: the file resumed from, as it was written). */
  checkpoint?: Partial<CheckpointOptions>;
};

/** Options of resumeAutoencoderFit: as ResumeOptions, with validation rows and no targets. */
export type AutoencoderResumeOptions = Omit<ResumeOptions, 'validationData'> & { validationData?: { x: Inputs } };

const SETTING_KEYS = ['epochs', 'batchSize', 'optimizer', 'schedule', 'shuffle', 'validationSplit', 'earlyStopping', 'onNonFinite', 'freeze'] as const;
const FIT_EXTRA_KEYS = ['onEpoch', 'onProgress', 'progressEvery', 'signal', 'validationData', 'distributed'] as const;

/**
 * MLP.fit that writes a checkpoint every `everyEpochs` epochs (and after the
 * last). onEpoch and onProgress see epochs numbered over the whole run. Resolves with the
 * whole run's history; an abort rejects, leaving the last checkpoint.
 */
export async function fitWithCheckpoints(
  net: MLP,
  x: Inputs,
  y: Targets,
  options: CheckpointSettings & ResumeOptions,
  checkpoint: CheckpointOptions,
): Promise<History> {
  return start('fitWithCheckpoints', net, x, y, options, checkpoint);
}

/** fitWithCheckpoints for an autoencoder (validationData is { x }). */
export async function fitAutoencoderWithCheckpoints(
  ae: Autoencoder,
  x: Inputs,
  options: CheckpointSettings & AutoencoderResumeOptions,
  checkpoint: CheckpointOptions,
): Promise<History> {
  return start('fitAutoencoderWithCheckpoints', ae, x, null, options as CheckpointSettings & ResumeOptions, checkpoint);
}

/** Rebuilds the MLP of a checkpoint and trains it for the epochs left, with the stored settings. */
export async function resumeFit(path: string, x: Inputs, y: Targets, options: ResumeOptions = {}): Promise<{ model: MLP; history: History }> {
  return resume('resumeFit', MLP, path, x, y, options);
}

/** Rebuilds the autoencoder of a checkpoint and trains it for the epochs left, with the stored settings. */
export async function resumeAutoencoderFit(path: string, x: Inputs, options: AutoencoderResumeOptions = {}): Promise<{ model: Autoencoder; history: History }> {
  return resume('resumeAutoencoderFit', Autoencoder, path, x, null, options as ResumeOptions);
}

async function start(
  fn: string,
  model: Checkpointable,
  x: Inputs,
  y: Targets | null,
  options: CheckpointSettings & ResumeOptions,
  checkpoint: CheckpointOptions,
): Promise<History> {
  checkOptions(fn, 'options', options, [...SETTING_KEYS, ...FIT_EXTRA_KEYS]);
  const settings = pick(options, SETTING_KEYS);
  // restoreBestWeights: the best epoch's weights live in the run (and its file) until the run ends.
  const restoring = settings.earlyStopping?.restoreBestWeights === true;
  const run = startRun(fn, model.params, settings.epochs, restoring);
  return runSegments(fn, model, x, y, settings, run, options, checkpoint);
}

async function resume<M extends Checkpointable>(
  fn: string,
  kind: new (...args: never[]) => M,
  path: string,
  x: Inputs,
  y: Targets | null,
  options: ResumeOptions,
): Promise<{ model: M; history: History }> {
  checkOptions(fn, 'options', options, [...FIT_EXTRA_KEYS, 'checkpoint']);
  const { model, meta, run } = await loadCheckpoint(path);
  if (!(model instanceof kind)) throw new TypeError(`${fn}: ${path} holds a checkpoint of ${model.constructor.name}, not of ${kind.name}`);
  const target = { path, everyEpochs: meta.everyEpochs, saveOnAbort: meta.saveOnAbort, ...options.checkpoint };
  const history = await runSegments(fn, model, x, y, meta.settings, run, options, target);
  return { model, history };
}

async function runSegments(
  fn: string,
  model: Checkpointable,
  x: Inputs,
  y: Targets | null,
  settings: CheckpointSettings,
  run: RunState,
  extra: ResumeOptions,
  checkpoint: Partial<CheckpointOptions>,
): Promise<History> {
  checkOptions(fn, 'checkpoint', checkpoint, ['path', 'everyEpochs', 'saveOnAbort', 'overwrite']);
  const { path } = checkpoint;
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: checkpoint.path must be a file path`);
  const target: CheckpointTarget = {
    everyEpochs: nonNegativeInt(fn, 'checkpoint.everyEpochs', checkpoint.everyEpochs, 1),
    saveOnAbort: checkpoint.saveOnAbort ?? false,
  };
  if (typeof target.saveOnAbort !== 'boolean') throw new TypeError(`${fn}: checkpoint.saveOnAbort must be a boolean`);
  if (target.everyEpochs === 0 && !target.saveOnAbort) throw new RangeError(`${fn}: checkpoint.everyEpochs 0 needs checkpoint.saveOnAbort`);
  // Not part of the target the file stores: each run decides whether it may replace a read-only file.
  const save = { overwrite: checkOverwrite(fn, 'checkpoint.overwrite', checkpoint.overwrite) };
  positiveInt(fn, 'options.epochs', settings.epochs, 0);
  // Nothing else runs on the model from this call to the run's last write: the checkpoints are written from
  // the model's own arrays.
  return model[holdBusy](fn, async () => {
    // A path no save can use fails now, not after the first epoch's work.
    await checkWritable(path, save);
    // In a data-parallel run every rank holds the same state and rank 0 alone writes it.
    const world = extra.distributed === true ? await joinedWorld(fn) : null;
    const writes = world === null || world.rank === 0;
    const history: History = { loss: [], lr: [], skipped: [], bestEpoch: run.bestEpoch, stoppedEarly: run.stoppedEarly };
    const every = target.everyEpochs;
    // everyEpochs 0 (saveOnAbort only): one segment for the whole run.
    const segment = every > 0 ? every : settings.epochs;
    while (run.epochsDone < settings.epochs && !run.stoppedEarly) {
      const offset = run.epochsDone;
      const epochs = Math.min(segment, settings.epochs - offset);
      // Callbacks number epochs over the whole run.
      const onEpoch = extra.onEpoch && ((info: EpochInfo) => extra.onEpoch!({ ...info, epoch: info.epoch + offset }));
      const onProgress = extra.onProgress && ((info: ProgressInfo) => extra.onProgress!({ ...info, epoch: info.epoch + offset }));
      const options: FitOptions = {
        ...settings,
        ...pick(extra, FIT_EXTRA_KEYS),
        epochs,
        ...(onEpoch ? { onEpoch } : {}),
        ...(onProgress ? { onProgress } : {}),
      };
      let part: History;
      try {
        part = await model[fitSegment](x, y, options, run);
      } catch (err) {
        // The fit left the run where its job stopped, between two batches: the checkpoint holds that point.
        if (writes && target.saveOnAbort && extra.signal?.aborted) await writeSnapshot(path, snapshot(model, settings, run, target), save);
        throw err;
      }
      for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'skipped'] as const) {
        // Appended in place: a run of many short segments would otherwise copy its history at each one.
        if (part[key]) for (const v of part[key]) (history[key] ??= []).push(v);
      }
      const finished = run.epochsDone >= settings.epochs || run.stoppedEarly;
      if (writes && every > 0 && (run.epochsDone % every === 0 || finished)) await writeSnapshot(path, snapshot(model, settings, run, target), save);
    }
    history.bestEpoch = run.bestEpoch;
    history.stoppedEarly = run.stoppedEarly;
    // The run's end (never a segment's): now the best epoch's weights replace the last ones.
    await restoreBestWeights(model.params, run);
    return history;
  });
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Pick<T, K>;
}
