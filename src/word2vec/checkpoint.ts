/**
 * word2vec training checkpoints: everything a run needs to continue exactly
 * where it stopped, in one safetensors file written atomically —
 *   vocab.words   U8  each word's bytes then '\n' (the trainer's vocabulary, byte-exact)
 *   vocab.counts  F64 (V)
 *   syn0          F32 (V, dim), and syn1neg / syn1 when negative sampling / hs are on
 *   state.offsets, state.words, state.loss, state.terms  F64 (threads)
 *   state.finished U8 (threads), state.rng U32 (threads, 4)
 *   rank<r>.state.*  the same for rank r = 1, 2, … of a run under mpirun (rank 0's is state.*)
 * with the settings, the corpus's fingerprint and the epoch in the
 * `fastnn.word2vec` metadata entry. The reader streams tensor by tensor
 * (safetensors-file.ts), so a checkpoint of millions of words never has to
 * fit in one buffer, and checks every shape against the stored settings.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { checkTrainJob } from '../backend/validate-word2vec.js';
import type { Word2VecState } from '../backend/word2vec.js';
import { SafetensorsFile } from '../io/safetensors-file.js';
import type { WriteOptions } from '../io/atomic.js';
import { ModelFileError, writeSafetensors, type TensorData } from '../io/safetensors.js';
import { checkOptions } from '../options.js';
import { checkSettings, SETTING_KEYS, type Word2VecSettings } from './settings.js';

const KIND = 'word2vec-checkpoint';
const FORMAT_VERSION = '1';
const META_KEY = 'fastnn.word2vec';
/** The corpus fingerprint hashes this much of its start. */
const HEAD_BYTES = 1 << 20;

/** Identifies the corpus a run streams: a resumed run must read the same bytes. */
export interface CorpusFingerprint {
  /** The file trained on, or null when it was spooled from an async iterable. */
  path: string | null;
  bytes: number;
  /** SHA-256 (hex) of its first MiB. */
  head: string;
}

export interface Word2VecCheckpoint {
  settings: Word2VecSettings;
  corpus: CorpusFingerprint;
  /** Seconds between checkpoints the run was writing (0 = only when it stops). */
  everySeconds: number;
  words: Uint8Array;
  counts: Float64Array;
  syn0: Float32Array;
  syn1neg: Float32Array | null;
  syn1: Float32Array | null;
  state: Word2VecState;
  /** Under mpirun: the states of ranks 1, 2, … (`state` is rank 0's; each rank may run its own thread count). */
  otherRanks: Word2VecState[];
}

const STATE_VECTORS = ['offsets', 'words', 'loss', 'terms', 'finished'] as const;

/** A state as bytes, to gather the ranks' states on rank 0. */
export function encodeState(s: Word2VecState): Uint8Array {
  const plain = {
    epoch: s.epoch,
    wordsBefore: s.wordsBefore,
    rng: Array.from(s.rng),
    ...Object.fromEntries(STATE_VECTORS.map((name) => [name, Array.from(s[name])])),
  };
  return Buffer.from(JSON.stringify(plain));
}

export function decodeState(bytes: Uint8Array): Word2VecState {
  const o = JSON.parse(Buffer.from(bytes).toString()) as Record<string, number[]> & { epoch: number; wordsBefore: number };
  return {
    epoch: o.epoch,
    wordsBefore: o.wordsBefore,
    offsets: Float64Array.from(o.offsets),
    words: Float64Array.from(o.words),
    loss: Float64Array.from(o.loss),
    terms: Float64Array.from(o.terms),
    finished: Uint8Array.from(o.finished),
    rng: Uint32Array.from(o.rng),
  };
}

export async function fingerprintCorpus(path: string): Promise<{ bytes: number; head: string }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return { bytes: size, head: createHash('sha256').update(head.subarray(0, bytesRead)).digest('hex') };
  } finally {
    await file.close();
  }
}

export async function writeWord2VecCheckpoint(path: string, c: Word2VecCheckpoint, options: WriteOptions = {}): Promise<void> {
  const { settings, state } = c;
  const rows = c.counts.length;
  const meta = {
    settings,
    corpus: c.corpus,
    everySeconds: c.everySeconds,
    epoch: state.epoch,
    wordsBefore: state.wordsBefore,
    ...(c.otherRanks.length > 0 ? { otherRanks: c.otherRanks.map((s) => ({ epoch: s.epoch, wordsBefore: s.wordsBefore })) } : {}),
  };
  const tensors: [string, number[], TensorData][] = [
    ['vocab.words', [c.words.length], c.words],
    ['vocab.counts', [rows], c.counts],
    ['syn0', [rows, settings.vectorSize], c.syn0],
  ];
  if (c.syn1neg) tensors.push(['syn1neg', [rows, settings.vectorSize], c.syn1neg]);
  if (c.syn1) tensors.push(['syn1', [rows, settings.vectorSize], c.syn1]);
  const pushState = (prefix: string, s: Word2VecState) => {
    const n = s.offsets.length;
    for (const name of STATE_VECTORS) tensors.push([`${prefix}state.${name}`, [n], s[name]]);
    tensors.push([`${prefix}state.rng`, [n, 4], s.rng]);
  };
  pushState('', state);
  c.otherRanks.forEach((s, i) => pushState(`rank${i + 1}.`, s));
  await writeSafetensors(path, { format: 'fastnn', 'fastnn.version': FORMAT_VERSION, 'fastnn.kind': KIND, [META_KEY]: JSON.stringify(meta) }, tensors, options);
}

/**
 * Reads and checks a checkpoint: dtypes, shapes, the settings, finite
 * vectors, and the vocabulary and state as the trainer would check them.
 */
export async function readWord2VecCheckpoint(path: string): Promise<Word2VecCheckpoint> {
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  const file = await SafetensorsFile.open(path, ['F32', 'F64', 'U32', 'U8']);
  try {
    const { metadata } = file;
    if (metadata['format'] !== 'fastnn') fail('not a fastnn file (its safetensors metadata has no format "fastnn")');
    if (metadata['fastnn.kind'] !== KIND) fail(`holds a ${metadata['fastnn.kind']}, not a word2vec checkpoint`);
    if (metadata['fastnn.version'] !== FORMAT_VERSION) {
      fail(`word2vec checkpoint format version ${metadata['fastnn.version']} is not supported (expected ${FORMAT_VERSION})`);
    }
    const meta = parseMeta(metadata[META_KEY], fail);
    const { settings } = meta;
    const words = (await tensor(file, 'vocab.words', 'U8', null, fail)) as Uint8Array;
    const rows = words.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
    const dim = settings.vectorSize;
    const threads = settings.threads;
    const vectors = async (name: string, present: boolean) => {
      if (!present) {
        if (file.tensors.has(name)) fail(`unexpected tensor '${name}' (the settings do not use it)`);
        return null;
      }
      const data = (await tensor(file, name, 'F32', [rows, dim], fail)) as Float32Array;
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`tensor '${name}' holds ${data[bad]} at index ${bad}`);
      return data;
    };
    const readState = async (prefix: string, epoch: number, wordsBefore: number, n: number | null): Promise<Word2VecState> => {
      const offsets = (await tensor(file, `${prefix}state.offsets`, 'F64', n === null ? null : [n], fail)) as Float64Array;
      const count = offsets.length;
      return {
        epoch,
        wordsBefore,
        offsets,
        words: (await tensor(file, `${prefix}state.words`, 'F64', [count], fail)) as Float64Array,
        loss: (await tensor(file, `${prefix}state.loss`, 'F64', [count], fail)) as Float64Array,
        terms: (await tensor(file, `${prefix}state.terms`, 'F64', [count], fail)) as Float64Array,
        finished: (await tensor(file, `${prefix}state.finished`, 'U8', [count], fail)) as Uint8Array,
        rng: (await tensor(file, `${prefix}state.rng`, 'U32', [count, 4], fail)) as Uint32Array,
      };
    };
    const otherRanks: Word2VecState[] = [];
    for (const [i, o] of meta.otherRanks.entries()) otherRanks.push(await readState(`rank${i + 1}.`, o.epoch, o.wordsBefore, null));
    const checkpoint: Word2VecCheckpoint = {
      settings,
      corpus: meta.corpus,
      everySeconds: meta.everySeconds,
      words,
      counts: (await tensor(file, 'vocab.counts', 'F64', [rows], fail)) as Float64Array,
      syn0: (await vectors('syn0', true))!,
      syn1neg: await vectors('syn1neg', settings.negative > 0),
      syn1: await vectors('syn1', settings.hs),
      state: await readState('', meta.epoch, meta.wordsBefore, threads),
      otherRanks,
    };
    const stateNames = [...STATE_VECTORS, 'rng'];
    const known = new Set([
      'vocab.words',
      'vocab.counts',
      'syn0',
      'syn1neg',
      'syn1',
      ...['', ...otherRanks.map((_, i) => `rank${i + 1}.`)].flatMap((prefix) => stateNames.map((name) => `${prefix}state.${name}`)),
    ]);
    for (const name of file.tensors.keys()) if (!known.has(name)) fail(`unexpected tensor '${name}'`);
    checkAsJob(checkpoint, fail);
    // Each thread stopped after a sentence of the corpus: an offset past its end is no state of that corpus.
    for (const [r, { offsets }] of [checkpoint.state, ...otherRanks].entries()) {
      const past = offsets.findIndex((at) => at > meta.corpus.bytes);
      if (past >= 0) {
        fail(
          `${r > 0 ? `rank${r}.` : ''}state.offsets[${past}] is ${offsets[past]}, past the end of the corpus it was trained on (${meta.corpus.bytes} bytes)`,
        );
      }
    }
    return checkpoint;
  } finally {
    await file.close();
  }
}

/** The corpus a checkpoint was trained on, read from its header alone. */
export async function checkpointCorpus(path: string): Promise<CorpusFingerprint> {
  const file = await SafetensorsFile.open(path, ['F32', 'F64', 'U32', 'U8']);
  try {
    return parseMeta(file.metadata[META_KEY], (why) => {
      throw new ModelFileError(`${path}: ${why}`);
    }).corpus;
  } finally {
    await file.close();
  }
}

/** The vocabulary and state get the trainer's own checks (as for any job), reported against the file. */
function checkAsJob(c: Word2VecCheckpoint, fail: (why: string) => never): void {
  try {
    const ranks = 1 + c.otherRanks.length;
    [c.state, ...c.otherRanks].forEach((state, rank) =>
      checkTrainJob('word2vecTrain', {
        ...c.settings,
        threads: state.offsets.length,
        path: c.corpus.path ?? '',
        words: c.words,
        counts: c.counts,
        syn0: c.syn0,
        syn1neg: c.syn1neg,
        syn1: c.syn1,
        resume: state,
        rank,
        ranks,
      }),
    );
  } catch (err) {
    fail((err as Error).message);
  }
}

/** A tensor of the expected dtype and shape (null = any 1-D length). */
async function tensor(file: SafetensorsFile, name: string, dtype: string, shape: number[] | null, fail: (why: string) => never): Promise<TensorData> {
  const entry = file.tensors.get(name) ?? fail(`missing tensor '${name}'`);
  if (entry.dtype !== dtype) fail(`tensor '${name}' has dtype ${entry.dtype}, expected ${dtype}`);
  const expected = shape ?? [entry.shape[0] ?? -1];
  if (entry.shape.join() !== expected.join()) {
    fail(`tensor '${name}' has shape [${entry.shape.join(', ')}], expected [${expected.join(', ')}]`);
  }
  return file.read(name);
}

interface Meta {
  settings: Word2VecSettings;
  corpus: CorpusFingerprint;
  everySeconds: number;
  epoch: number;
  wordsBefore: number;
  otherRanks: { epoch: number; wordsBefore: number }[];
}

function parseMeta(json: string | undefined, fail: (why: string) => never): Meta {
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(json ?? 'null') as Record<string, unknown>;
  } catch (err) {
    return fail(`invalid ${META_KEY} metadata: ${(err as Error).message}`);
  }
  if (meta === null || typeof meta !== 'object') fail(`missing ${META_KEY} metadata`);
  let settings: Word2VecSettings;
  try {
    checkOptions('settings', 'the settings', meta['settings'], SETTING_KEYS);
    const stored = { ...((meta['settings'] ?? {}) as Record<string, unknown>) };
    // A run without a cap stores the vocabulary job's maxFinalVocab 0, which the option leaves out.
    if (stored['maxFinalVocab'] === 0) delete stored['maxFinalVocab'];
    // Checkpoints written before the kernel and saturated settings existed were trained classic, with the limit rule.
    settings = checkSettings('settings', { kernel: 'classic', saturated: 'limit', ...stored });
  } catch (err) {
    return fail(`invalid ${(err as Error).message}`);
  }
  const corpus = meta['corpus'] as Record<string, unknown> | null;
  if (
    corpus === null ||
    typeof corpus !== 'object' ||
    !(corpus['path'] === null || typeof corpus['path'] === 'string') ||
    !Number.isSafeInteger(corpus['bytes']) ||
    (corpus['bytes'] as number) < 0 ||
    typeof corpus['head'] !== 'string' ||
    !/^[0-9a-f]{64}$/.test(corpus['head'])
  ) {
    fail(`invalid corpus fingerprint ${JSON.stringify(corpus)}`);
  }
  const { everySeconds, epoch, wordsBefore } = meta;
  if (typeof everySeconds !== 'number' || !(everySeconds >= 0) || !Number.isFinite(everySeconds)) fail(`invalid everySeconds ${String(everySeconds)}`);
  // The trainer checks their ranges; here only that they are numbers.
  if (typeof epoch !== 'number' || typeof wordsBefore !== 'number') fail('invalid epoch or wordsBefore');
  const otherRanks = meta['otherRanks'] ?? [];
  if (
    !Array.isArray(otherRanks) ||
    !otherRanks.every(
      (o: { epoch?: unknown; wordsBefore?: unknown }) =>
        o !== null && typeof o === 'object' && typeof o.epoch === 'number' && typeof o.wordsBefore === 'number',
    )
  ) {
    fail("invalid otherRanks (each rank's epoch and wordsBefore)");
  }
  return {
    settings,
    corpus: corpus as unknown as CorpusFingerprint,
    everySeconds: everySeconds as number,
    epoch: epoch as number,
    wordsBefore: wordsBefore as number,
    otherRanks: otherRanks as Meta['otherRanks'],
  };
}
