/**
 * MLP training checkpoints: everything a fit needs to continue exactly where
 * it stopped — weights, optimizer state and step, the shuffle generator's
 * state, epochs done and the fit settings — in one safetensors file (a fastnn
 * model file plus `optimizer.state.j` tensors and a `fastnn.checkpoint`
 * metadata entry), written atomically.
 *
 * A checkpointed fit runs as consecutive fits of `everyEpochs` epochs: a fit
 * continues the model's generator and optimizer state, so the segments give
 * the same updates as one long fit, and a run resumed from the file after
 * epoch k ends byte-identical to an uninterrupted one (one thread or not: the
 * trainers are deterministic for a given job). Schedules and early stopping
 * count from each job's start, so segments would restart them: checkpointed
 * fits refuse both rather than silently change the run.
 */
import { Optimizer, optimizerStateCount, type OptimizerName } from '../backend/backend.js';
import { ModelFileError, readSafetensors } from '../io/safetensors.js';
import { checkOptions, positiveInt } from '../options.js';
import type { Inputs, Targets } from './data.js';
import type { EpochInfo, FitOptions, History } from './fit.js';
import { MLP, type MLPConfig } from './mlp.js';
import { modelFromTensors, writeModelFile } from './model-file.js';
import type { OptimizerOptions } from './train-options.js';

export interface CheckpointOptions {
  /** The checkpoint file, replaced atomically after every segment. */
  path: string;
  /** Epochs between checkpoints. Default 1. */
  everyEpochs?: number;
}

/** The fit options a checkpoint stores: plain data that decides the updates. */
export interface CheckpointSettings {
  epochs: number;
  batchSize?: number;
  optimizer?: OptimizerOptions;
  shuffle?: boolean;
  validationSplit?: number;
  onNonFinite?: 'error' | 'skip';
}

/** What a resumed fit may add: callbacks, cancellation and data, none of which change the updates. */
export type ResumeOptions = Pick<FitOptions, 'onEpoch' | 'onProgress' | 'progressEvery' | 'signal' | 'validationData'> & {
  /** Keep checkpointing while resuming (default: the file resumed from, at its interval). */
  checkpoint?: Partial<CheckpointOptions>;
};

interface CheckpointMeta {
  epochsDone: number;
  everyEpochs: number;
  rngState: number[];
  optimizerType: OptimizerName | null;
  optimizerStep: number;
  settings: CheckpointSettings;
}

const SETTING_KEYS = ['epochs', 'batchSize', 'optimizer', 'shuffle', 'validationSplit', 'onNonFinite'] as const;
const FIT_EXTRA_KEYS = ['onEpoch', 'onProgress', 'progressEvery', 'signal', 'validationData'] as const;
const META_KEY = 'fastnn.checkpoint';

/** Writes `net`'s checkpoint after `epochsDone` epochs of a fit with `settings`. */
export async function saveCheckpoint(path: string, net: MLP, settings: CheckpointSettings, epochsDone: number,
                                     everyEpochs = 1): Promise<void> {
  const opt = net.optimizerState;
  const meta: CheckpointMeta = {
    epochsDone, everyEpochs, rngState: Array.from(net.rngState), optimizerType: opt?.type ?? null,
    optimizerStep: opt?.step[0] ?? 0, settings,
  };
  const tensors = (opt?.state ?? []).map((s, j): [string, number[], Float32Array] => [`optimizer.state.${j}`, [s.length], s]);
  await writeModelFile(path, 'MLP', net.config(), net, { metadata: { [META_KEY]: JSON.stringify(meta) }, tensors });
}

/**
 * MLP.fit that writes a checkpoint every `everyEpochs` epochs (and after the
 * last). onEpoch sees epochs numbered over the whole run. Resolves with the
 * whole run's history; an abort rejects, leaving the last checkpoint.
 */
export async function fitWithCheckpoints(net: MLP, x: Inputs, y: Targets, options: CheckpointSettings & ResumeOptions,
                                         checkpoint: CheckpointOptions): Promise<History> {
  const fn = 'fitWithCheckpoints';
  checkOptions(fn, 'options', options, [...SETTING_KEYS, ...FIT_EXTRA_KEYS]);
  const settings = pick(options, SETTING_KEYS);
  return runSegments(fn, net, x, y, settings, 0, options, checkpoint);
}

/** Rebuilds the model of a checkpoint and trains it for the epochs left, with the stored settings. */
export async function resumeFit(path: string, x: Inputs, y: Targets,
                                options: ResumeOptions = {}): Promise<{ model: MLP; history: History }> {
  const fn = 'resumeFit';
  checkOptions(fn, 'options', options, [...FIT_EXTRA_KEYS, 'checkpoint']);
  const { model, meta } = await loadCheckpoint(path);
  const target = { path, everyEpochs: meta.everyEpochs, ...options.checkpoint };
  const history = await runSegments(fn, model, x, y, meta.settings, meta.epochsDone, options, target);
  return { model, history };
}

/** Reads a checkpoint: the model with its generator and optimizer state restored, and what the fit had done. */
export async function loadCheckpoint(path: string): Promise<{ model: MLP; meta: CheckpointMeta }> {
  const parsed = await readSafetensors(path);
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  const optimizerTensors = new Map([...parsed.tensors].filter(([name]) => name.startsWith('optimizer.')));
  for (const name of optimizerTensors.keys()) parsed.tensors.delete(name);
  const model = modelFromTensors(path, parsed, 'MLP', (config) => new MLP(config as unknown as MLPConfig));
  const meta = parseMeta(parsed.metadata[META_KEY], fail);
  try {
    model.rngState = Uint32Array.from(meta.rngState);
  } catch (err) {
    fail(`invalid checkpoint: ${(err as Error).message}`);
  }
  if (meta.optimizerType !== null) {
    const count = optimizerStateCount(Optimizer[meta.optimizerType], model.params.length);
    if (optimizerTensors.size !== count) fail(`holds ${optimizerTensors.size} optimizer tensors, ${meta.optimizerType} needs ${count}`);
    const state = Array.from({ length: count },
      (_, j) => optimizerTensors.get(`optimizer.state.${j}`)?.data ?? fail(`missing tensor 'optimizer.state.${j}'`));
    state.forEach((s, j) => {
      if (s.length !== model.params[j % model.params.length]!.length) fail(`tensor 'optimizer.state.${j}' does not match its parameter`);
    });
    model.optimizerState = { type: meta.optimizerType, state, step: Float64Array.of(meta.optimizerStep) };
  }
  return { model, meta };
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
  if (typeof meta !== 'object' || meta === null || !count(meta.epochsDone) || !count(meta.everyEpochs) || meta.everyEpochs < 1
      || !count(meta.optimizerStep) || !Array.isArray(meta.rngState) || meta.rngState.length !== 4
      || !meta.rngState.every((w) => count(w) && w <= 0xffffffff)
      || (meta.optimizerType !== null && !Object.hasOwn(Optimizer, meta.optimizerType))
      || typeof meta.settings !== 'object' || meta.settings === null || !count(meta.settings.epochs)
      || meta.epochsDone > meta.settings.epochs) {
    fail(`'${META_KEY}' metadata is malformed`);
  }
  return meta;
}

async function runSegments(fn: string, net: MLP, x: Inputs, y: Targets, settings: CheckpointSettings, epochsDone: number,
                           extra: ResumeOptions, checkpoint: Partial<CheckpointOptions>): Promise<History> {
  checkOptions(fn, 'checkpoint', checkpoint, ['path', 'everyEpochs']);
  if (typeof checkpoint.path !== 'string' || checkpoint.path === '') throw new TypeError(`${fn}: checkpoint.path must be a file path`);
  const every = positiveInt(fn, 'checkpoint.everyEpochs', checkpoint.everyEpochs, 1);
  const total = positiveInt(fn, 'options.epochs', settings.epochs, 0);
  const history: History = { loss: [], lr: [], skipped: [], bestEpoch: 0, stoppedEarly: false };
  for (let done = epochsDone; done < total;) {
    const epochs = Math.min(every, total - done);
    const offset = done;
    const onEpoch = extra.onEpoch && ((info: EpochInfo) => extra.onEpoch!({ ...info, epoch: info.epoch + offset }));
    const part = await net.fit(x, y, { ...settings, ...pick(extra, FIT_EXTRA_KEYS), epochs, ...(onEpoch ? { onEpoch } : {}) });
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'skipped'] as const) {
      if (part[key]) history[key] = [...(history[key] ?? []), ...part[key]];
    }
    done += epochs;
    await saveCheckpoint(checkpoint.path, net, settings, done, every);
  }
  return history;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Pick<T, K>;
}
