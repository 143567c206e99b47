/**
 * Word2Vec.train: option checking (gensim's names in camelCase; unknown keys
 * are errors), then the backend's vocabulary scan and training jobs. An async
 * iterable input is first spooled to a temporary file, so both backends
 * always stream a file and memory stays independent of the corpus.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { getBackend } from '../backend/select.js';
import type { Word2VecProgress, Word2VecTrainResult } from '../backend/word2vec.js';
import { checkOptions, finiteNumber, positiveInt } from '../options.js';
import { WordVectors } from './vectors.js';

export interface TrainOptions {
  /** A UTF-8 text file (whitespace-separated tokens, one sentence per line),
   * or an async iterable of strings, each one or more lines. */
  input: string | AsyncIterable<string>;
  vectorSize?: number;
  window?: number;
  minCount?: number;
  maxFinalVocab?: number;
  negative?: number;
  nsExponent?: number;
  sample?: number;
  alpha?: number;
  minAlpha?: number;
  epochs?: number;
  threads?: number;
  seed?: number;
  /** Skip-gram (default true); false = CBOW. */
  sg?: boolean;
  /** Hierarchical softmax (default false). */
  hs?: boolean;
  /** ASCII lowercasing of the corpus (default false). */
  lowercase?: boolean;
  onProgress?: (p: Word2VecProgress) => void;
  signal?: AbortSignal;
}

export interface TrainedVectors extends WordVectors {
  training: Word2VecTrainResult & { seconds: number };
}

const KEYS = ['input', 'vectorSize', 'window', 'minCount', 'maxFinalVocab', 'negative', 'nsExponent', 'sample', 'alpha',
  'minAlpha', 'epochs', 'threads', 'seed', 'sg', 'hs', 'lowercase', 'onProgress', 'signal'] as const;

function bool(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`Word2Vec.train: ${name} must be a boolean`);
  return v;
}

async function spool(lines: AsyncIterable<string>, dir: string): Promise<string> {
  const path = join(dir, 'corpus.txt');
  const out = createWriteStream(path);
  for await (const text of lines) {
    if (typeof text !== 'string') throw new TypeError('Word2Vec.train: input iterable must yield strings');
    if (!out.write(text.endsWith('\n') ? text : text + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

export const Word2Vec = {
  /**
   * Trains word vectors. Resolves with the vectors and `training` stats; when
   * `signal` aborts, training stops within a sentence and the promise
   * resolves with the vectors as they are (`training.cancelled` true).
   */
  async train(options: TrainOptions): Promise<TrainedVectors> {
    const fn = 'Word2Vec.train';
    checkOptions(fn, 'options', options, KEYS);
    if (options === undefined) throw new TypeError(`${fn}: options must be an object`);
    const { input, onProgress, signal } = options;
    if (typeof input !== 'string' && (typeof input !== 'object' || input === null || !(Symbol.asyncIterator in input))) {
      throw new TypeError(`${fn}: input must be a file path or an async iterable of strings`);
    }
    const vectorSize = positiveInt(fn, 'vectorSize', options.vectorSize, 100);
    const window = positiveInt(fn, 'window', options.window, 5);
    const minCount = positiveInt(fn, 'minCount', options.minCount, 5);
    const maxFinalVocab = options.maxFinalVocab === undefined ? 0 : positiveInt(fn, 'maxFinalVocab', options.maxFinalVocab, 0);
    const negative = options.negative === 0 ? 0 : positiveInt(fn, 'negative', options.negative, 5);
    const nsExponent = finiteNumber(fn, 'nsExponent', options.nsExponent, 0.75);
    const sample = finiteNumber(fn, 'sample', options.sample, 1e-3, 0);
    const alpha = finiteNumber(fn, 'alpha', options.alpha, 0.025, 0);
    const minAlpha = finiteNumber(fn, 'minAlpha', options.minAlpha, alpha * 1e-4, 0);
    const epochs = positiveInt(fn, 'epochs', options.epochs, 5);
    const threads = positiveInt(fn, 'threads', options.threads, availableParallelism());
    if (threads > 1024) throw new RangeError(`${fn}: threads must be at most 1024, got ${threads}`);
    const seed = options.seed ?? 1;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`${fn}: seed must be an integer in [0, 4294967295], got ${String(seed)}`);
    }
    const sg = bool('sg', options.sg, true);
    const hs = bool('hs', options.hs, false);
    const lowercase = bool('lowercase', options.lowercase, false);
    if (!hs && negative === 0) throw new RangeError(`${fn}: with negative: 0, hs must be true (nothing would be trained)`);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`${fn}: onProgress must be a function`);
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${fn}: signal must be an AbortSignal`);

    const backend = getBackend();
    const temp = typeof input === 'string' ? null : await mkdtemp(join(tmpdir(), 'fastnn-w2v-'));
    try {
      const path = temp === null ? (input as string) : await spool(input as AsyncIterable<string>, temp);
      const started = performance.now();
      const vocab = await run(backend.word2vecVocab({ path, minCount, maxFinalVocab, lowercase }), signal);
      const rows = vocab.counts.length;
      const words = Buffer.from(vocab.words).toString('utf8').split('\n').slice(0, -1);
      if (rows === 0 && !signal?.aborted) throw new RangeError(`${fn}: no word occurs at least minCount (${minCount}) times in the corpus`);
      const syn0 = new Float32Array(rows * vectorSize);
      backend.word2vecInit(syn0, rows, vectorSize, seed);
      let result: Word2VecTrainResult = { words: 0, epochsCompleted: 0, cancelled: true, loss: NaN };
      if (!signal?.aborted) {
        result = await run(backend.word2vecTrain({
          path, words: vocab.words, counts: vocab.counts, vectorSize, window, negative, nsExponent, sample, alpha,
          minAlpha, epochs, threads, seed, sg, hs, lowercase, syn0,
          syn1neg: negative > 0 ? new Float32Array(rows * vectorSize) : null,
          syn1: hs ? new Float32Array(rows * vectorSize) : null,
        }, onProgress), signal);
      }
      const vectors = new WordVectors(words, syn0, vectorSize, vocab.counts) as TrainedVectors;
      vectors.training = { ...result, seconds: (performance.now() - started) / 1000 };
      return vectors;
    } finally {
      if (temp !== null) await rm(temp, { recursive: true, force: true });
    }
  },
};

/** Runs a job, relaying an abort to it; an aborted job resolves with what it has. */
async function run<T>(job: { promise: Promise<T>; cancel(): void }, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return job.promise;
  const onAbort = () => job.cancel();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await job.promise;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
