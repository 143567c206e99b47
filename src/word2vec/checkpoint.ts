/**
 * word2vec training checkpoints: everything a run needs to continue exactly
 * where it stopped, in one safetensors file written atomically —
 *   vocab.words   U8  each word's bytes then '\n' (the trainer's vocabulary, byte-exact)
 *   vocab.counts  F64 (V)
 *   syn0          F32 (V, dim), and syn1neg / syn1 when negative sampling / hs are on
 *   state.offsets, state.words, state.loss, state.terms  F64 (threads)
 *   state.finished U8 (threads), state.rng U32 (threads, 4)
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
  const threads = state.offsets.length;
  const meta = { settings, corpus: c.corpus, everySeconds: c.everySeconds, epoch: state.epoch, wordsBefore: state.wordsBefore };
  const tensors: [string, number[], TensorData][] = [
    ['vocab.words', [c.words.length], c.words],
    ['vocab.counts', [rows], c.counts],
    ['syn0', [rows, settings.vectorSize], c.syn0],
  ];
  if (c.syn1neg) tensors.push(['syn1neg', [rows, settings.vectorSize], c.syn1neg]);
  if (c.syn1) tensors.push(['syn1', [rows, settings.vectorSize], c.syn1]);
  for (const name of ['offsets', 'words', 'loss', 'terms', 'finished'] as const) tensors.push([`state.${name}`, [threads], state[name]]);
  tensors.push(['state.rng', [threads, 4], state.rng]);
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
    const checkpoint: Word2VecCheckpoint = {
      settings,
      corpus: meta.corpus,
      everySeconds: meta.everySeconds,
      words,
      counts: (await tensor(file, 'vocab.counts', 'F64', [rows], fail)) as Float64Array,
      syn0: (await vectors('syn0', true))!,
      syn1neg: await vectors('syn1neg', settings.negative > 0),
      syn1: await vectors('syn1', settings.hs),
      state: {
        epoch: meta.epoch,
        wordsBefore: meta.wordsBefore,
        offsets: (await tensor(file, 'state.offsets', 'F64', [threads], fail)) as Float64Array,
        words: (await tensor(file, 'state.words', 'F64', [threads], fail)) as Float64Array,
        loss: (await tensor(file, 'state.loss', 'F64', [threads], fail)) as Float64Array,
        terms: (await tensor(file, 'state.terms', 'F64', [threads], fail)) as Float64Array,
        finished: (await tensor(file, 'state.finished', 'U8', [threads], fail)) as Uint8Array,
        rng: (await tensor(file, 'state.rng', 'U32', [threads, 4], fail)) as Uint32Array,
      },
    };
    const known = new Set([
      'vocab.words',
      'vocab.counts',
      'syn0',
      'syn1neg',
      'syn1',
      'state.offsets',
      'state.words',
      'state.loss',
      'state.terms',
      'state.finished',
      'state.rng',
    ]);
    for (const name of file.tensors.keys()) if (!known.has(name)) fail(`unexpected tensor '${name}'`);
    checkAsJob(checkpoint, fail);
    // Each thread stopped after a sentence of the corpus: an offset past its end is no state of that corpus.
    const { offsets } = checkpoint.state;
    const past = offsets.findIndex((at) => at > meta.corpus.bytes);
    if (past >= 0) {
      fail(`state.offsets[${past}] is ${offsets[past]}, past the end of the corpus it was trained on (${meta.corpus.bytes} bytes)`);
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
    checkTrainJob('word2vecTrain', {
      ...c.settings,
      path: c.corpus.path ?? '',
      words: c.words,
      counts: c.counts,
      syn0: c.syn0,
      syn1neg: c.syn1neg,
      syn1: c.syn1,
      resume: c.state,
    });
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
  return {
    settings,
    corpus: corpus as unknown as CorpusFingerprint,
    everySeconds: everySeconds as number,
    epoch: epoch as number,
    wordsBefore: wordsBefore as number,
  };
}
