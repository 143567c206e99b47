/**
 * The settings that decide a word2vec run's updates (gensim's names in
 * camelCase), checked and defaulted in one place: for Word2Vec.train's
 * options and again for the settings a checkpoint file stores.
 */
import { availableParallelism } from 'node:os';
import { MAX_THREADS } from '../backend/validate.js';
import type { Word2VecKernel, Word2VecSaturated, Word2VecTrainJob, Word2VecVocabJob } from '../backend/word2vec.js';
import { finiteNumber, positiveInt } from '../options.js';
import type { CorpusEncoding } from './corpus.js';

/** The vocabulary scan's and the trainer's settings, as the backend jobs take them. */
export type Word2VecSettings = Pick<Word2VecVocabJob, 'minCount' | 'maxFinalVocab' | 'lowercase'> &
  Pick<
    Word2VecTrainJob,
    'vectorSize' | 'window' | 'negative' | 'nsExponent' | 'sample' | 'alpha' | 'minAlpha' | 'epochs' | 'threads' | 'seed' | 'sg' | 'hs' | 'kernel' | 'saturated'
  > & {
    /** How the vocabulary's bytes become names (corpus.ts); the trainer sees only bytes. */
    encoding: CorpusEncoding;
  };

export const SETTING_KEYS = [
  'vectorSize',
  'window',
  'minCount',
  'maxFinalVocab',
  'negative',
  'nsExponent',
  'sample',
  'alpha',
  'minAlpha',
  'epochs',
  'threads',
  'seed',
  'sg',
  'hs',
  'lowercase',
  'kernel',
  'saturated',
  'encoding',
] as const;

/** The kernel a run without the `kernel` setting uses (README, Word2vec: why). */
export const DEFAULT_KERNEL: Word2VecKernel = 'batched';

/** Negative sampling's rule for a saturated score when the `saturated` setting is absent (README, Word2vec: quality). */
export const DEFAULT_SATURATED: Word2VecSaturated = 'limit';

function bool(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean`);
  return v;
}

/** Checks each setting of `o` (missing ones get gensim's defaults); throws TypeError/RangeError naming the first bad one. */
export function checkSettings(fn: string, o: Partial<Record<(typeof SETTING_KEYS)[number], unknown>>): Word2VecSettings {
  const vectorSize = positiveInt(fn, 'vectorSize', o.vectorSize, 100);
  const window = positiveInt(fn, 'window', o.window, 5);
  const minCount = positiveInt(fn, 'minCount', o.minCount, 5);
  // No cap is the vocabulary job's 0; the option itself leaves 0 out, as the CLI's --max-vocab does.
  const maxFinalVocab = positiveInt(fn, 'maxFinalVocab', o.maxFinalVocab, 0);
  const negative = o.negative === 0 ? 0 : positiveInt(fn, 'negative', o.negative, 5);
  const nsExponent = finiteNumber(fn, 'nsExponent', o.nsExponent, 0.75);
  const sample = finiteNumber(fn, 'sample', o.sample, 1e-3, 0);
  const alpha = finiteNumber(fn, 'alpha', o.alpha, 0.025, 0);
  const minAlpha = finiteNumber(fn, 'minAlpha', o.minAlpha, alpha * 1e-4, 0);
  const epochs = positiveInt(fn, 'epochs', o.epochs, 5);
  const threads = positiveInt(fn, 'threads', o.threads, availableParallelism());
  if (threads > MAX_THREADS) throw new RangeError(`${fn}: threads must be at most ${MAX_THREADS}, got ${threads}`);
  const seed = o.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`${fn}: seed must be an integer in [0, 4294967295], got ${String(seed)}`);
  }
  const sg = bool(fn, 'sg', o.sg, true);
  const hs = bool(fn, 'hs', o.hs, false);
  const lowercase = bool(fn, 'lowercase', o.lowercase, false);
  const encoding = o.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'latin1') throw new TypeError(`${fn}: encoding must be 'utf8' or 'latin1', got ${String(encoding)}`);
  const kernel = o.kernel ?? DEFAULT_KERNEL;
  if (kernel !== 'batched' && kernel !== 'classic') throw new RangeError(`${fn}: kernel must be 'batched' or 'classic', got ${String(kernel)}`);
  const saturated = o.saturated ?? DEFAULT_SATURATED;
  if (saturated !== 'limit' && saturated !== 'skip') throw new RangeError(`${fn}: saturated must be 'limit' or 'skip', got ${String(saturated)}`);
  if (!hs && negative === 0) throw new RangeError(`${fn}: with negative: 0, hs must be true (nothing would be trained)`);
  return {
    vectorSize,
    window,
    minCount,
    maxFinalVocab,
    negative,
    nsExponent,
    sample,
    alpha,
    minAlpha,
    epochs,
    threads,
    seed,
    sg,
    hs,
    lowercase,
    kernel,
    saturated,
    encoding,
  };
}
