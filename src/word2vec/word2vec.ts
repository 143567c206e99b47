/**
 * Word2Vec.train and Word2Vec.resume: option checking (unknown keys are
 * errors), the backend's vocabulary scan, then training as one backend job —
 * or, with a checkpoint, as consecutive jobs, each continuing the state the
 * last one stopped at, with the checkpoint file written in between. An async
 * iterable input (lines as strings, or a byte stream such as process.stdin)
 * is first spooled to a temporary file, so both backends always stream a
 * file and memory stays independent of the corpus.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import type { Word2VecProgress, Word2VecState, Word2VecTrainResult } from '../backend/word2vec.js';
import { checkOptions, finiteNumber } from '../options.js';
import { checkOverwrite, checkWritable } from '../io/atomic.js';
import { checkRunPaths } from '../io/run-paths.js';
import { allocate, asFailureOf, checkAllocation } from '../sizes.js';
import { decodeState, encodeState, fingerprintCorpus, readWord2VecCheckpoint, writeWord2VecCheckpoint, type CorpusFingerprint } from './checkpoint.js';
import { checkCorpusReadable, CorpusError, vocabularyNames } from './corpus.js';
import { copyInSlices } from '../shared-memory.js';
import { DEFAULT_MAX_SPOOL_BYTES, needsSpool, readNonRegular, spool } from './spool.js';
import { checkSettings, SETTING_KEYS, type Word2VecSettings } from './settings.js';
import { world, type World } from '../distributed/world.js';
import { sharedCopy } from '../shared-memory.js';
import { globalVocab } from './global-vocab.js';
import { DEFAULT_SYNC, RankSync, type StopRequest, type SyncSettings } from './rank-sync.js';
import { ranksSegment } from './ranks-segment.js';
import { WordVectors } from './vectors.js';

type Input = string | AsyncIterable<string | Uint8Array>;

/**
 * Where and how often to checkpoint. A path alone writes when training stops
 * (finished or aborted); everySeconds adds one at that interval while it
 * runs; atEnd: false skips the one at a normal finish (a CLI run that only
 * wants to survive Ctrl-C); overwrite: true replaces a read-only file.
 */
export type CheckpointOption = string | { path: string; everySeconds?: number; atEnd?: boolean; overwrite?: boolean };

/** Options of Word2Vec.train: the corpus, the training settings, progress, stopping and checkpoints. */
export interface TrainOptions extends Partial<Word2VecSettings> {
  /** A text file (whitespace-separated tokens, one sentence per line; UTF-8
   * unless `encoding` says 'latin1'), or an async iterable of strings, each
   * one or more lines, or of bytes (Buffer, Uint8Array: a stream such as
   * process.stdin, its chunks taken as they come). */
  input: Input;
  /** Called as training advances. */
  onProgress?: (p: Word2VecProgress) => void;
  /** Stops training at the next sentence; train then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Write a checkpoint (Word2Vec.resume continues from it) when training
   * stops — finished or aborted — and every `everySeconds` while it runs. */
  checkpoint?: CheckpointOption;
  /** The most bytes copied from a corpus that is not a regular file (an iterable, a pipe, a device) to a
   * temporary file before training; more fails the call (default 64 GiB). */
  maxSpoolBytes?: number;
  /** Under mpirun / srun: how the ranks keep their vectors close (docs/many-machines.md). Ignored in one process. */
  sync?: Partial<SyncSettings>;
}

export interface ResumeOptions {
  /** The corpus, when it is not at the path the checkpoint recorded (or was an iterable). It must be the same bytes. */
  input?: Input;
  onProgress?: (p: Word2VecProgress) => void;
  signal?: AbortSignal;
  /** Where to keep checkpointing: default the file resumed from, at its interval; false = nowhere. */
  checkpoint?: CheckpointOption | false;
  /** As in train. */
  maxSpoolBytes?: number;
  /** As in train. */
  sync?: Partial<SyncSettings>;
}

/** The vectors Word2Vec.train resolves with, and what the training did. */
export interface TrainedVectors extends WordVectors {
  /** Counts and timings of the training run. */
  training: Omit<Word2VecTrainResult, 'cancelled'> & {
    /** Tokens this call read: `words` less those a resumed checkpoint had read; with `seconds`, its speed. */
    wordsThisRun: number;
    seconds: number;
    /** The checkpoint file last written, or null. */
    checkpoint: string | null;
    /** Under mpirun / srun: the ranks, and this rank's rounds of averaging, the seconds the averaging took (training
     * goes on meanwhile), the CPU seconds it used (what it took from training), the seconds it waited at the rounds'
     * starts for the other ranks, and the bytes of vectors it sent into them; null in one process. `words` then
     * counts every rank's. */
    distributed: { ranks: number; rounds: number; seconds: number; cpuSeconds: number; waitSeconds: number; bytes: number } | null;
  };
}

const KEYS = ['input', ...SETTING_KEYS, 'onProgress', 'signal', 'checkpoint', 'maxSpoolBytes', 'sync'] as const;
const RESUME_KEYS = ['input', 'onProgress', 'signal', 'checkpoint', 'maxSpoolBytes', 'sync'] as const;

function checkSync(fn: string, v: unknown): SyncSettings {
  if (v === undefined) return DEFAULT_SYNC;
  checkOptions(fn, 'sync', v, ['seconds', 'hotRows', 'fullEvery']);
  const o = v as Partial<Record<keyof SyncSettings, unknown>>;
  const seconds = finiteNumber(fn, 'sync.seconds', o.seconds, DEFAULT_SYNC.seconds, 0.001);
  const count = (name: 'hotRows' | 'fullEvery', min: number) => {
    const n = o[name] ?? DEFAULT_SYNC[name];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
      throw new RangeError(`${fn}: sync.${name} must be an integer ≥ ${min}, got ${String(n)}`);
    }
    return n;
  };
  return { seconds, hotRows: count('hotRows', 1), fullEvery: count('fullEvery', 0) };
}

/**
 * Under mpirun: every rank reads the corpus itself, so it must be a file
 * each can open (a pipe or an iterable reaches one rank at most), and the
 * ranks must agree on the settings and the corpus (size and first MiB).
 */
async function checkRanksAgree(
  fn: string,
  w: World,
  input: Input,
  settings: Word2VecSettings,
  sync: SyncSettings,
  checkpoint: Checkpointing | null,
): Promise<void> {
  if (typeof input !== 'string' || (await needsSpool(input))) {
    throw new TypeError(`${fn}: under mpirun, input must be the path of a regular file every rank can read, not a stream`);
  }
  const { bytes, head } = await fingerprintCorpus(input);
  // Threads may differ (each rank cuts its own part); everything that decides the updates may not.
  const { threads: _, ...shared } = settings;
  // Checkpoints are collective too (rank 0 gathers the states), so the ranks must agree on them.
  await w.agree(fn, {
    ...shared,
    syncSeconds: sync.seconds,
    syncHotRows: sync.hotRows,
    syncFullEvery: sync.fullEvery,
    corpusBytes: bytes,
    corpusHead: head,
    checkpoint: checkpoint?.path ?? null,
    checkpointEverySeconds: checkpoint?.everySeconds ?? 0,
    checkpointAtEnd: checkpoint?.atEnd ?? false,
  });
}

interface Checkpointing {
  path: string;
  everySeconds: number;
  atEnd: boolean;
  overwrite: boolean;
}

function checkCheckpoint(fn: string, v: unknown): Checkpointing | null {
  if (v === undefined) return null;
  // Empty, it would be refused only by the save after training.
  if (v === '') throw new TypeError(`${fn}: checkpoint must be a non-empty path`);
  if (typeof v === 'string') return { path: v, everySeconds: 0, atEnd: true, overwrite: false };
  checkOptions(fn, 'checkpoint', v, ['path', 'everySeconds', 'atEnd', 'overwrite']);
  const { path, everySeconds, atEnd, overwrite } = v as { path?: unknown; everySeconds?: unknown; atEnd?: unknown; overwrite?: unknown };
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: checkpoint.path must be a non-empty string`);
  if (atEnd !== undefined && typeof atEnd !== 'boolean') throw new TypeError(`${fn}: checkpoint.atEnd must be a boolean`);
  return {
    path,
    everySeconds: finiteNumber(fn, 'checkpoint.everySeconds', everySeconds, 0, 0),
    atEnd: atEnd ?? true,
    overwrite: checkOverwrite(fn, 'checkpoint.overwrite', overwrite),
  };
}

/**
 * Before training: the checkpoint is not the corpus (it is written on abort
 * too, so always checked), and a path no save can use fails now, not after
 * the work. One written only on abort (the CLI's Ctrl-C safety net) is not
 * checked for writing: a run that never aborts must not need it.
 */
async function checkCheckpointPath(fn: string, checkpoint: Checkpointing | null, input: Input): Promise<void> {
  if (!checkpoint) return;
  await checkRunPaths({ reads: { input: typeof input === 'string' ? input : undefined }, writes: { checkpoint: checkpoint.path } }, fn);
  if (checkpoint.atEnd || checkpoint.everySeconds > 0) await checkWritable(checkpoint.path, checkpoint);
}

function checkCallbacks(fn: string, onProgress: unknown, signal: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`${fn}: onProgress must be a function`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${fn}: signal must be an AbortSignal`);
}

function checkInput(fn: string, input: unknown): asserts input is Input {
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null || !(Symbol.asyncIterator in input))) {
    throw new TypeError(`${fn}: input must be a file path or an async iterable of strings or bytes`);
  }
}

/**
 * Runs `body` on the input as a regular file's path: an iterable, or a path
 * that is not a regular file of known size, is spooled to a temp file
 * (spool.ts) that is removed afterwards.
 */
async function withCorpusFile<T>(fn: string, input: Input, maxBytes: number, signal: AbortSignal | undefined, body: (path: string) => Promise<T>): Promise<T> {
  if (typeof input === 'string' && !(await needsSpool(input))) return body(input);
  const temp = await mkdtemp(join(tmpdir(), 'fastnn-w2v-'));
  let file: Awaited<ReturnType<typeof readNonRegular>> | null = null;
  try {
    if (typeof input === 'string') file = await readNonRegular(input);
    const what = typeof input === 'string' ? `the corpus ${input}` : 'the input iterable';
    return await body(await spool(fn, what, file ?? (input as AsyncIterable<string | Uint8Array>), temp, maxBytes, signal));
  } finally {
    // A stalled read cannot be ended through its iterator: closing the pipe ends it, and frees the event loop.
    file?.destroy();
    await rm(temp, { recursive: true, force: true });
  }
}

/** The TS backend trains on one thread: a checkpoint records the threads that really ran. */
function threadsOn(backend: Backend, settings: Word2VecSettings): Word2VecSettings {
  return backend.name === 'js' ? { ...settings, threads: 1 } : settings;
}

/** Trains word vectors from a corpus (skip-gram or CBOW), and resumes training from a checkpoint. */
export const Word2Vec = {
  /**
   * Trains word vectors. Resolves with the vectors and `training` stats; when
   * `signal` aborts, training stops at the next sentence boundary, the
   * checkpoint is written if one was asked for (Word2Vec.resume continues
   * from it), and the promise rejects with the signal's reason.
   */
  async train(options: TrainOptions): Promise<TrainedVectors> {
    const fn = 'Word2Vec.train';
    checkOptions(fn, 'options', options, KEYS);
    if (options === undefined) throw new TypeError(`${fn}: options must be an object`);
    const { input, onProgress, signal } = options;
    checkInput(fn, input);
    const backend = getBackend();
    const settings = threadsOn(backend, checkSettings(fn, options));
    checkCallbacks(fn, onProgress, signal);
    const checkpoint = checkCheckpoint(fn, options.checkpoint);
    const sync = checkSync(fn, options.sync);
    if (typeof input === 'string') await checkCorpusReadable(fn, input);
    const w = await world();
    if (w.size > 1) await checkRanksAgree(fn, w, input, settings, sync, checkpoint);
    await checkCheckpointPath(fn, checkpoint, input);

    const maxSpool = finiteNumber(fn, 'maxSpoolBytes', options.maxSpoolBytes, DEFAULT_MAX_SPOOL_BYTES, 1);
    return named(
      fn,
      withCorpusFile(fn, input, maxSpool, signal, async (path) => {
        const started = performance.now();
        const { minCount, maxFinalVocab, lowercase, vectorSize, negative, hs } = settings;
        const { size: bytes } = await stat(path);
        const vocab = await globalVocab(backend, w, { path, minCount, maxFinalVocab, lowercase }, signal);
        signal?.throwIfAborted();
        const rows = vocab.counts.length;
        if (rows === 0) throw new RangeError(`${fn}: no word occurs at least minCount (${minCount}) times in the corpus`);
        const names = await vocabularyNames(fn, vocab.words, settings.encoding, path);
        const matrices = 1 + (negative > 0 ? 1 : 0) + (hs ? 1 : 0);
        checkAllocation(
          fn,
          `vectorSize × vocabulary × ${matrices} matrices (${vectorSize} × ${rows} × ${matrices})`,
          vectorSize * rows * matrices,
          4,
          vectorSize * rows,
        );
        const syn0 = allocate(fn, 'the input vectors', Float32Array, rows, vectorSize);
        const corpus = checkpoint && {
          path: typeof input === 'string' ? resolve(input) : null,
          ...(await fingerprintCorpus(path)),
        };
        return trainRun(backend, {
          fn,
          settings,
          path,
          bytes,
          names,
          words: vocab.words,
          counts: vocab.counts,
          syn0,
          syn1neg: negative > 0 ? allocate(fn, 'the output vectors (negative sampling)', Float32Array, rows, vectorSize) : null,
          syn1: hs ? allocate(fn, 'the output vectors (hierarchical softmax)', Float32Array, rows, vectorSize) : null,
          state: null,
          corpus,
          checkpoint,
          onProgress,
          signal,
          started,
          world: w,
          sync,
          rankStates: null,
        });
      }),
    );
  },

  /**
   * Continues the run a checkpoint file holds (written by Word2Vec.train or
   * an earlier resume) on the same corpus, with the same settings and thread
   * count: with one thread, the vectors end byte-identical to those of an
   * uninterrupted run. A checkpoint of a finished run resolves at once. An
   * abort behaves as in train.
   */
  async resume(checkpointPath: string, options: ResumeOptions = {}): Promise<TrainedVectors> {
    const fn = 'Word2Vec.resume';
    if (typeof checkpointPath !== 'string') throw new TypeError(`${fn}: checkpointPath must be a string`);
    checkOptions(fn, 'options', options, RESUME_KEYS);
    const { onProgress, signal } = options;
    checkCallbacks(fn, onProgress, signal);
    if (options.input !== undefined) checkInput(fn, options.input);
    const asked = options.checkpoint === false ? null : checkCheckpoint(fn, options.checkpoint);
    const saved = await readWord2VecCheckpoint(checkpointPath);
    const checkpoint =
      options.checkpoint === false ? null : (asked ?? { path: checkpointPath, everySeconds: saved.everySeconds, atEnd: true, overwrite: false });
    const input = options.input ?? saved.corpus.path;
    if (input === null) {
      throw new TypeError(`${fn}: ${checkpointPath} was trained from an async iterable, which is not kept; pass the same corpus as options.input`);
    }
    const backend = getBackend();
    const sync = checkSync(fn, options.sync);
    const w = await world();
    const rankStates = [saved.state, ...saved.otherRanks];
    if (rankStates.length !== w.size) {
      throw new RangeError(
        `${fn}: ${checkpointPath} was written by a run of ${rankStates.length} rank(s); resume it with as many ` +
          `(mpirun -np ${rankStates.length}), not ${w.size}`,
      );
    }
    const state = rankStates[w.rank]!;
    // Each rank resumes with the threads its own state was written by.
    const settings = { ...saved.settings, threads: state.offsets.length };
    if (backend.name === 'js' && settings.threads > 1) {
      throw new RangeError(
        `${fn}: ${checkpointPath} was written by ${settings.threads} native threads; the TS backend ` + 'trains on one, so resume it with the native backend',
      );
    }
    if (typeof input === 'string') await checkCorpusReadable(fn, input);
    if (w.size > 1) await checkRanksAgree(fn, w, input, settings, sync, checkpoint);
    await checkCheckpointPath(fn, checkpoint, input);
    const maxSpool = finiteNumber(fn, 'maxSpoolBytes', options.maxSpoolBytes, DEFAULT_MAX_SPOOL_BYTES, 1);
    return named(
      fn,
      withCorpusFile(fn, input, maxSpool, signal, async (path) => {
        const { bytes, head } = await fingerprintCorpus(path);
        if (bytes !== saved.corpus.bytes || head !== saved.corpus.head) {
          throw new RangeError(
            `${fn}: the corpus ${typeof input === 'string' ? `'${input}' ` : ''}is not the one ${checkpointPath} ` +
              `was trained on (${bytes} bytes, expected ${saved.corpus.bytes}${bytes === saved.corpus.bytes ? ', different content' : ''})`,
          );
        }
        return trainRun(backend, {
          fn,
          settings,
          path,
          bytes,
          names: await vocabularyNames(fn, saved.words, saved.settings.encoding, path),
          words: saved.words,
          counts: saved.counts,
          syn0: saved.syn0,
          syn1neg: saved.syn1neg,
          syn1: saved.syn1,
          state,
          world: w,
          sync,
          rankStates: w.size > 1 ? rankStates : null,
          // A corpus found elsewhere is where the next resume looks.
          corpus: { ...saved.corpus, path: typeof input === 'string' ? resolve(input) : saved.corpus.path },
          checkpoint,
          onProgress,
          signal,
          started: performance.now(),
        });
      }),
    );
  },
};

/** The run's result; a backend job's out-of-memory failure named as fn's. */
async function named<T>(fn: string, run: Promise<T>): Promise<T> {
  try {
    return await run;
  } catch (err) {
    throw asFailureOf(fn, err);
  }
}

interface Run {
  /** The public call, for messages. */
  fn: string;
  settings: Word2VecSettings;
  path: string;
  /** The corpus's size when the run started: it must not change while training reads it. */
  bytes: number;
  /** The words' names, decoded before training so that a vocabulary that has none fails before any work. */
  names: string[];
  words: Uint8Array;
  counts: Float64Array;
  syn0: Float32Array;
  syn1neg: Float32Array | null;
  syn1: Float32Array | null;
  state: Word2VecState | null;
  corpus: CorpusFingerprint | null;
  checkpoint: Checkpointing | null;
  onProgress: ((p: Word2VecProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  started: number;
  /** The processes of the run (one alone) and how they keep their vectors close. */
  world: World;
  sync: SyncSettings;
  /** Under mpirun, resumed: every rank's state (this rank's is `state`), for the words all had read. */
  rankStates: Word2VecState[] | null;
}

/**
 * Trains in segments: with checkpoint.everySeconds, each job is paused (its
 * own signal aborted, which stops it at sentence boundaries) when the
 * interval is up, the checkpoint written, and the next job resumes the state.
 * A pause changes nothing on one thread: the state resumes exactly. The
 * caller's abort stops the segment too, and rejects once the checkpoint is written.
 */
async function trainRun(backend: Backend, r: Run): Promise<TrainedVectors> {
  const { settings, signal, checkpoint } = r;
  signal?.throwIfAborted();
  const ranks = r.world.size > 1;
  // Natively, the vectors on shared memory, copied in slices: the jobs train them in place, where a
  // plain array is copied into each job and back (a pass over hundreds of MB on the JS thread at every
  // segment's start and end and at every report). The returned vectors are plain again: syn0 is copied back.
  // Under mpirun always shared, however small and whatever the backend: the MPI thread averages rows while the
  // job trains them.
  const stage = (a: Float32Array, what: string) => (ranks ? sharedCopy(a, r.fn, what, signal) : backend.trainingData(a, r.fn, what, signal));
  const plainSyn0 = r.syn0;
  r.syn0 = await stage(r.syn0, 'the input vectors');
  if (r.syn1neg) r.syn1neg = await stage(r.syn1neg, 'the output vectors (negative sampling)');
  if (r.syn1) r.syn1 = await stage(r.syn1, 'the output vectors (hierarchical softmax)');
  let state = r.state;
  let result: Word2VecTrainResult | null = null;
  let written: string | null = null;
  const epochLosses: number[] = []; // over all the run's jobs
  const finished = (s: Word2VecState | null) => s !== null && s.epoch > settings.epochs;
  // Under mpirun, a rank whose part is done keeps running (empty) segments until every rank is done.
  let everyRankDone = r.rankStates ? r.rankStates.every(finished) : false;
  const done = () => (ranks ? everyRankDone : finished(state));
  const wordsAtStart = r.rankStates ? r.rankStates.reduce((n, s) => n + wordsRead(s), 0) : r.state ? wordsRead(r.state) : 0;
  let perEpoch = 0;
  for (const c of r.counts) perEpoch += c;
  const rankSync = ranks
    ? new RankSync(
        r.world,
        [r.syn0, r.syn1neg, r.syn1].filter((m) => m !== null),
        settings.vectorSize,
        Math.max(1, perEpoch),
        r.sync,
        wordsAtStart,
      )
    : null;
  let remoteAbort = -1; // a rank whose caller aborted, when it is not this one
  while (!done()) {
    const segment = new AbortController();
    let stopRequest: StopRequest = 'none';
    let requested = () => {};
    const stopped = new Promise<void>((resolve) => {
      requested = resolve;
    });
    const stop = () => {
      stopRequest = 'abort';
      requested();
      segment.abort();
    };
    // Under mpirun the pause is asked of every rank at the next round (rank 0 keeps the clock).
    const pause = () => {
      if (!rankSync) return segment.abort();
      stopRequest = 'pause';
      requested();
    };
    signal?.addEventListener('abort', stop, { once: true });
    let timer: NodeJS.Timeout | null = null;
    // The interval starts at the job's first report: by then its tables are
    // built and its threads have trained, so every segment makes progress.
    const onProgress = (p: Word2VecProgress) => {
      if (timer === null && checkpoint && checkpoint.everySeconds > 0 && r.world.rank === 0) timer = setTimeout(pause, checkpoint.everySeconds * 1000);
      r.onProgress?.(p);
    };
    try {
      if (rankSync) {
        const run = await ranksSegment(
          r.fn,
          r.world,
          rankSync,
          wordsAtStart,
          (report, jobSignal) => startJob(backend, r, state, report, jobSignal),
          onProgress,
          segment,
          () => stopRequest,
          stopped,
        );
        result = run.result;
        everyRankDone = run.view.allComplete;
        if (run.view.abortedRank >= 0 && !signal?.aborted) remoteAbort = run.view.abortedRank;
      } else {
        result = await startJob(backend, r, state, onProgress, segment.signal);
      }
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    await checkCorpusKept(r, result);
    state = result.state;
    epochLosses.push(...result.epochLosses);
    if (checkpoint && (result.cancelled || checkpoint.atEnd)) written = await save(checkpoint, r, state);
    signal?.throwIfAborted();
    if (remoteAbort >= 0) throw new Error(`${r.fn}: rank ${remoteAbort} was stopped, so every rank of the run stops`);
    if (!result.cancelled) break;
  }
  if (r.syn0 !== plainSyn0) await copyInSlices(plainSyn0, r.syn0);
  const vectors = new WordVectors(r.names, plainSyn0, settings.vectorSize, r.counts) as TrainedVectors;
  // A finished checkpoint resumed: no job ran (under mpirun, the words of every rank's state).
  const { words, epochsCompleted, loss } = result ?? { ...finishedRun(state!), words: wordsAtStart };
  vectors.training = {
    words,
    wordsThisRun: words - wordsAtStart,
    epochsCompleted,
    loss,
    epochLosses,
    state: state!,
    seconds: (performance.now() - r.started) / 1000,
    checkpoint: written,
    distributed: rankSync && {
      ranks: r.world.size,
      rounds: rankSync.rounds,
      seconds: rankSync.seconds,
      cpuSeconds: rankSync.cpuSeconds,
      waitSeconds: rankSync.waitSeconds,
      bytes: rankSync.bytes,
    },
  };
  return vectors;
}

/**
 * Refuses the result of a job that read a corpus other than the one the
 * vocabulary was counted on: one whose size changed, or a finished run that
 * read fewer of the vocabulary's words than the vocabulary pass counted in
 * each epoch (each epoch reads every token once; pruned counts only make the
 * pass count fewer). An emptied corpus trains no word, and its vectors would
 * be the random ones they started as.
 */
async function checkCorpusKept(r: Run, result: Word2VecTrainResult): Promise<void> {
  const now = await stat(r.path).then(
    (s) => `${s.size} bytes`,
    () => 'missing',
  );
  const changed = `${r.fn}: corpus ${r.path} changed during training`;
  if (now !== `${r.bytes} bytes`) throw new CorpusError(`${changed}: ${r.bytes} bytes when training started, ${now} now; no vectors are returned`);
  if (result.cancelled) return;
  let perEpoch = 0;
  for (const c of r.counts) perEpoch += c;
  const { epochs } = r.settings;
  if (result.words < epochs * perEpoch) {
    throw new CorpusError(
      `${changed}: its ${epochs} epoch(s) read ${result.words} words of the vocabulary, fewer than the ` +
        `${perEpoch} per epoch the vocabulary pass counted; no vectors are returned`,
    );
  }
}

function startJob(
  backend: Backend,
  r: Run,
  state: Word2VecState | null,
  onProgress: (p: Word2VecProgress) => void,
  signal: AbortSignal,
): Promise<Word2VecTrainResult> {
  const s = r.settings;
  return backend.word2vecTrain(
    {
      path: r.path,
      words: r.words,
      counts: r.counts,
      vectorSize: s.vectorSize,
      window: s.window,
      negative: s.negative,
      nsExponent: s.nsExponent,
      sample: s.sample,
      // Rounds average the ranks' rows, which moves each row by the mean of
      // the ranks' changes: P ranks at alpha would learn as one process at
      // alpha / P (3.8 analogy points short with 2 ranks on the bench's
      // English text). At P × alpha the mean moves a row as one process's
      // alpha would, while a row every rank pulls towards the same place is
      // still averaged there, not pushed P times as far (adding the ranks'
      // changes instead diverged on frequent words from 3 ranks on).
      alpha: s.alpha * r.world.size,
      minAlpha: s.minAlpha * r.world.size,
      epochs: s.epochs,
      threads: s.threads,
      seed: s.seed,
      sg: s.sg,
      hs: s.hs,
      lowercase: s.lowercase,
      kernel: s.kernel,
      saturated: s.saturated,
      syn0: r.syn0,
      syn1neg: r.syn1neg,
      syn1: r.syn1,
      resume: state,
      rank: r.world.rank,
      ranks: r.world.size,
    },
    onProgress,
    signal,
  );
}

/**
 * Writes the checkpoint. Under mpirun rank 0 writes it, with every rank's
 * state (gathered), and tells the others whether the write succeeded, so
 * they fail with it rather than train on without one.
 */
async function save(checkpoint: Checkpointing, r: Run, state: Word2VecState): Promise<string> {
  const w = r.world;
  const states = await w.gather(encodeState(state));
  let failure: unknown = null;
  if (states) {
    try {
      await writeWord2VecCheckpoint(
        checkpoint.path,
        {
          settings: r.settings,
          corpus: r.corpus!,
          everySeconds: checkpoint.everySeconds,
          words: r.words,
          counts: r.counts,
          syn0: r.syn0,
          syn1neg: r.syn1neg,
          syn1: r.syn1,
          state,
          otherRanks: states.slice(1).map(decodeState),
        },
        checkpoint,
      );
    } catch (err) {
      failure = err;
    }
  }
  if (w.size > 1) {
    const ok = Uint8Array.of(failure === null ? 1 : 0);
    await w.broadcast(ok, 0);
    if (ok[0] === 0 && w.rank !== 0) throw new Error(`${r.fn}: rank 0 could not write the checkpoint ${checkpoint.path}`);
  }
  if (failure !== null) throw failure;
  return checkpoint.path;
}

/** The stats when no job ran: a finished checkpoint resumed. */
function finishedRun(state: Word2VecState): Pick<Word2VecTrainResult, 'words' | 'epochsCompleted' | 'loss'> {
  return { words: wordsRead(state), epochsCompleted: state.epoch - 1, loss: NaN };
}

/** Tokens a run had read when it stood at `state`: its finished epochs' and each thread's in the current one. */
export function wordsRead(state: Word2VecState): number {
  let words = state.wordsBefore;
  for (const w of state.words) words += w;
  return words;
}
