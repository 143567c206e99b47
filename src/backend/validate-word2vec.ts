/**
 * Argument checks of the word2vec kernels, for both backends (checked.ts),
 * and for a checkpoint's vocabulary and state (word2vec/checkpoint.ts).
 */
import type { Word2VecTrainJob, Word2VecVocabJob } from './word2vec.js';
import { checkBool, checkFinite, checkInt, checkMatrix, checkOptionalMatrix, checkTypedVector, MAX_DIM, MAX_THREADS } from './validate.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The most parts a corpus is split into: the ranks of a run (word2vec_binding.cc kMaxParts). */
export const MAX_PARTS = 65536;

function checkObject(fn: string, arg: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new TypeError(`${fn}: ${arg} must be an object`);
}

function checkString(fn: string, arg: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${arg} must be a string`);
}

/** Element i of `arg`, a count held in a double: an integer in [min, 2^53 − 1]. The name is built
 * only for the error: a vocabulary holds millions of counts. */
function checkSafeCount(fn: string, arg: string, i: number, v: number, min: number): void {
  if (!(v >= min && v <= MAX_SAFE && Number.isInteger(v))) throw new RangeError(`${fn}: ${arg}[${i}] must be an integer in [${min}, ${MAX_SAFE}], got ${v}`);
}

export function checkCallback(fn: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'function') throw new TypeError(`${fn}: onProgress must be a function`);
}

export function checkVocabJob(fn: string, v: unknown): asserts v is Word2VecVocabJob {
  checkObject(fn, 'job', v);
  checkString(fn, 'job.path', v['path']);
  checkInt(fn, 'job.minCount', v['minCount'], 1, MAX_SAFE);
  checkInt(fn, 'job.maxFinalVocab', v['maxFinalVocab'], 0, MAX_DIM);
  checkBool(fn, 'job.lowercase', v['lowercase']);
  checkInt(fn, 'job.parts', v['parts'], 1, MAX_PARTS);
  checkInt(fn, 'job.part', v['part'], 0, (v['parts'] as number) - 1);
}

/**
 * The vocabularies already checked, by their arrays (held weakly). A run
 * trains on one vocabulary in many jobs (a segment per checkpoint interval,
 * every 0.1 s if asked), and the check is O(vocabulary) on the JS thread
 * (~15 ms at 50 000 words, ~0.15 s at a million): each pair of arrays is
 * checked once, and a pair the vocabulary pass returned is not checked at
 * all (trustVocabulary). Nothing writes the arrays after they are made.
 */
const checkedVocabularies = new WeakMap<Uint8Array, { counts: Float64Array; bytes: number; words: number }>();

/**
 * Records a vocabulary the vocabulary pass itself returned as checked: both
 * backends build it sorted by count, without duplicates, each word ended by
 * '\n', so the first job on it starts without a pass over it. Arrays from
 * anywhere else (a checkpoint, another rank, a caller) are still checked.
 */
export function trustVocabulary(words: Uint8Array, counts: Float64Array): void {
  checkedVocabularies.set(words, { counts, bytes: words.length, words: counts.length });
}

/** A vocabulary crossing the boundary: words each followed by '\n', counts non-increasing integers ≥ 1, no duplicates. */
function checkVocab(fn: string, words: unknown, counts: unknown): void {
  if (!(words instanceof Uint8Array)) throw new TypeError(`${fn}: job.words must be a Uint8Array`);
  if (!(counts instanceof Float64Array)) throw new TypeError(`${fn}: job.counts must be a Float64Array`);
  const seen = checkedVocabularies.get(words);
  if (seen !== undefined && seen.counts === counts && seen.bytes === words.length && seen.words === counts.length) return;
  let n = 0;
  for (let i = 0; i < words.length; i++) if (words[i] === 10) n++;
  if (words.length > 0 && words[words.length - 1] !== 10) {
    throw new RangeError(`${fn}: job.words must end with '\\n' (each word is followed by one)`);
  }
  if (n !== counts.length) {
    throw new RangeError(`${fn}: job.counts must have length ${n} (one per word), got ${counts.length}`);
  }
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    checkSafeCount(fn, 'job.counts', i, c, 1);
    if (i > 0 && c > counts[i - 1]!) throw new RangeError(`${fn}: job.counts must be non-increasing (sorted by count)`);
  }
  const repeat = firstRepeat(words, n);
  if (repeat >= 0) throw new RangeError(`${fn}: job.words has a duplicate word at index ${repeat}`);
  trustVocabulary(words, counts);
}

/**
 * The index of the first of the n '\n'-terminated words that repeats an
 * earlier one, or −1. The words are hashed (FNV-1a) straight from the bytes
 * into an open-addressing table of word indices, building no string: a
 * vocabulary can hold millions of words, and each job that trains on it is
 * checked on the JS thread.
 */
function firstRepeat(words: Uint8Array, n: number): number {
  const starts = new Int32Array(n + 1);
  for (let i = 0, w = 0; i < words.length; i++) if (words[i] === 10) starts[++w] = i + 1;
  const mask = 2 ** Math.ceil(Math.log2(2 * n + 2)) - 1;
  const table = new Int32Array(mask + 1).fill(-1);
  for (let w = 0; w < n; w++) {
    const start = starts[w]!;
    const end = starts[w + 1]! - 1;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const other = table[slot]!;
      if (other < 0) {
        table[slot] = w;
        break;
      }
      if (sameBytes(words, starts[other]!, starts[other + 1]! - 1, start, end)) return w;
    }
  }
  return -1;
}

function sameBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let i = 0; i < aEnd - a; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

export function checkTrainJob(fn: string, v: unknown): asserts v is Word2VecTrainJob {
  checkObject(fn, 'job', v);
  checkString(fn, 'job.path', v['path']);
  checkVocab(fn, v['words'], v['counts']);
  checkInt(fn, 'job.vectorSize', v['vectorSize'], 1, MAX_DIM);
  checkInt(fn, 'job.window', v['window'], 1, MAX_DIM);
  checkInt(fn, 'job.negative', v['negative'], 0, MAX_DIM);
  checkFinite(fn, 'job.nsExponent', v['nsExponent']);
  checkFinite(fn, 'job.sample', v['sample']);
  checkFinite(fn, 'job.alpha', v['alpha']);
  checkFinite(fn, 'job.minAlpha', v['minAlpha']);
  checkInt(fn, 'job.epochs', v['epochs'], 1, MAX_DIM);
  checkInt(fn, 'job.threads', v['threads'], 1, MAX_THREADS);
  checkInt(fn, 'job.seed', v['seed'], 0, 4294967295);
  checkBool(fn, 'job.sg', v['sg']);
  checkBool(fn, 'job.hs', v['hs']);
  checkBool(fn, 'job.lowercase', v['lowercase']);
  checkString(fn, 'job.kernel', v['kernel']);
  if (v['kernel'] !== 'batched' && v['kernel'] !== 'classic') {
    throw new RangeError(`${fn}: job.kernel must be 'batched' or 'classic', got '${v['kernel']}'`);
  }
  checkString(fn, 'job.saturated', v['saturated']);
  if (v['saturated'] !== 'limit' && v['saturated'] !== 'skip') {
    throw new RangeError(`${fn}: job.saturated must be 'limit' or 'skip', got '${v['saturated']}'`);
  }
  checkInt(fn, 'job.ranks', v['ranks'], 1, MAX_PARTS);
  checkInt(fn, 'job.rank', v['rank'], 0, (v['ranks'] as number) - 1);
  const rows = (v['counts'] as Float64Array).length;
  const dim = v['vectorSize'] as number;
  checkMatrix(fn, 'job.syn0', v['syn0'], rows, dim);
  checkOptionalMatrix(fn, 'job.syn1neg', v['syn1neg'], rows, dim);
  checkOptionalMatrix(fn, 'job.syn1', v['syn1'], rows, dim);
  if ((v['negative'] as number) > 0 && v['syn1neg'] === null) {
    throw new TypeError(`${fn}: job.syn1neg must be a Float32Array when job.negative > 0`);
  }
  if (v['hs'] === true && v['syn1'] === null) throw new TypeError(`${fn}: job.syn1 must be a Float32Array when job.hs is true`);
  checkResume(fn, v['resume'], v['epochs'] as number, v['threads'] as number);
}

/** job.resume: null or a Word2VecState for `threads` threads. */
function checkResume(fn: string, v: unknown, epochs: number, threads: number): void {
  if (v === null) return;
  if (typeof v !== 'object' || v === undefined) throw new TypeError(`${fn}: job.resume must be an object or null`);
  const r = v as Record<string, unknown>;
  checkInt(fn, 'job.resume.epoch', r['epoch'], 1, epochs + 1);
  checkInt(fn, 'job.resume.wordsBefore', r['wordsBefore'], 0, MAX_SAFE);
  for (const name of ['offsets', 'words', 'loss', 'terms']) checkTypedVector(fn, `job.resume.${name}`, r[name], threads, Float64Array);
  checkTypedVector(fn, 'job.resume.finished', r['finished'], threads, Uint8Array);
  checkTypedVector(fn, 'job.resume.rng', r['rng'], threads * 4, Uint32Array);
  const rng = r['rng'] as Uint32Array;
  for (let t = 0; t < threads; t++) {
    for (const name of ['offsets', 'words', 'terms']) checkSafeCount(fn, `job.resume.${name}`, t, (r[name] as Float64Array)[t]!, 0);
    const loss = (r['loss'] as Float64Array)[t]!;
    if (!(loss >= 0 && Number.isFinite(loss))) throw new RangeError(`${fn}: job.resume.loss[${t}] must be finite and ≥ 0, got ${loss}`);
    const finished = (r['finished'] as Uint8Array)[t]!;
    if (finished > 1) throw new RangeError(`${fn}: job.resume.finished[${t}] must be 0 or 1, got ${finished}`);
    if ((rng[4 * t]! | rng[4 * t + 1]! | rng[4 * t + 2]! | rng[4 * t + 3]!) === 0) {
      throw new RangeError(`${fn}: job.resume.rng must not hold an all-zero state (thread ${t})`);
    }
  }
}

/** An Int32Array of exactly rows×cols elements (worded like checkMatrix). */
export function checkInt32Matrix(fn: string, arg: string, v: unknown, rows: number, cols: number): asserts v is Int32Array {
  if (!(v instanceof Int32Array)) throw new TypeError(`${fn}: ${arg} must be an Int32Array`);
  if (v.length !== rows * cols) {
    throw new RangeError(`${fn}: ${arg} must have length ${rows * cols} for shape (${rows}, ${cols}), got ${v.length}`);
  }
}
