/**
 * The pure-TS word2vec trainer: the algorithm of native/core/word2vec/
 * trainer.cc on one thread, with the same random draws in the same order
 * (thread 0's stream, Rng(seed + 1)), the same float32 roundings
 * (vecmath.ts) and the same tables (tables.ts), so with `threads: 1` both
 * backends produce the same vectors. It reads the corpus in 64 KiB blocks,
 * trains them 1 KiB at a time and yields to the event loop between slices
 * when the slice clock (../slice-clock.ts) says so.
 */
import { Rng } from '../../../rng.js';
import { allocating } from '../../../sizes.js';
import { stat } from 'node:fs/promises';
import { SliceClock } from '../slice-clock.js';
import { byteBefore, rankBegin, readBlocks, Tokenizer } from './corpus-reader.js';
import { SentenceScratch, trainSentence as trainOne, type SentenceModel } from './sentence.js';
import { fillNoiseTable, huffman, keepProbabilities, NOISE_TABLE_SIZE, sigmoidTable } from './tables.js';
import type { Word2VecProgress, Word2VecState, Word2VecTrainJob, Word2VecTrainResult } from '../../word2vec.js';

/** Generator streams set aside per rank (trainer.h kRankSeedStride). */
const RANK_SEED_STRIDE = 1024;
/** Sentences longer than this many kept words are cut (as in C++). */
export const MAX_SENTENCE = 10_000;
const BLOCK_BYTES = 1 << 16;
/** About 170 words: a few ms of training at dim 300, so the event loop waits little more than a slice between yields. */
const SLICE_BYTES = 1 << 10;
/** A job's first slice, which runs before V8 has compiled the training loops. */
const FIRST_SLICE_BYTES = 1 << 5;
const f32 = Math.fround;

/** A run from the start: syn0 = (u − 0.5)/dim with u from Rng(seed), in
 * order (native InitVectors), in runs between looks at the clock (15 M
 * floats are a quarter of a second of TS). */
async function initVectors(syn0: Float32Array, dim: number, seed: number, clock: SliceClock): Promise<void> {
  const rng = new Rng(seed);
  const RUN = 1 << 16;
  for (let at = 0; at < syn0.length; at += RUN) {
    const end = Math.min(syn0.length, at + RUN);
    for (let i = at; i < end; i++) syn0[i] = (rng.uniform() - 0.5) / dim;
    if (clock.spent()) await clock.pause();
  }
}

export async function trainTs(
  job: Word2VecTrainJob,
  onProgress: ((p: Word2VecProgress) => void) | undefined,
  stopped: () => boolean,
): Promise<Word2VecTrainResult> {
  const { vectorSize: dim, window, negative, hs, sg, syn0 } = job;
  const clock = new SliceClock(stopped);
  // 50 000 words take a JS Map 30 ms to fill: between looks at the clock.
  const vocab = new Map<string, number>();
  const names = Buffer.from(job.words.buffer, job.words.byteOffset, job.words.byteLength).toString('latin1').split('\n');
  for (let i = 0; i + 1 < names.length; i++) {
    vocab.set(names[i]!, i);
    if ((i & 4095) === 4095 && clock.spent()) await clock.pause();
  }
  const counts = job.counts;
  let countSum = 0;
  for (const c of counts) countSum += c;
  const totalWords = Math.max(1, countSum * job.epochs); // as in C++: never divide by zero
  // Named as native/core/word2vec/trainer.cc names them, so both backends fail alike.
  const fn = 'word2vecTrain';
  const noise = allocating(fn, 'the negative-sampling table', () => new Int32Array(negative > 0 ? NOISE_TABLE_SIZE : 0));
  if (negative > 0) await fillNoiseTable(noise, counts, job.nsExponent, clock);
  const keep = job.sample > 0 ? allocating(fn, 'the subsampling table', () => keepProbabilities(counts, job.sample)) : new Float64Array(0);
  const sig = sigmoidTable();
  const tree = hs ? allocating(fn, 'the Huffman tree of the vocabulary', () => huffman(counts)) : null;
  // One thread: this rank's part of the corpus (all of it alone; whole lines where it can), as native thread 0 of a one-thread run.
  const { rank, ranks } = job;
  const { size } = await stat(job.path);
  const begin = await rankBegin(job.path, size, rank, ranks);
  const end = await rankBegin(job.path, size, rank + 1, ranks);
  // Thread 0's stream (of this rank), or where the resumed run left it.
  const rng = new Rng((job.seed + 1 + rank * RANK_SEED_STRIDE) >>> 0);
  const resume = job.resume;
  if (resume) rng.setState(resume.rng.subarray(0, 4));
  else await initVectors(syn0, dim, job.seed, clock);
  const model: SentenceModel = {
    dim,
    window,
    negative,
    sg,
    batched: job.kernel === 'batched' && sg && !hs && negative > 0,
    skipSaturated: job.saturated === 'skip',
    syn0,
    syn1neg: job.syn1neg!,
    syn1: job.syn1!,
    noise,
    sig,
    tree,
  };
  const scratch = new SentenceScratch(rng, dim); // its loss and terms are set at each epoch's start
  const sentence = new Int32Array(MAX_SENTENCE);
  let length = 0;

  let epoch = resume?.epoch ?? 1;
  let wordsBefore = resume?.wordsBefore ?? 0; // tokens of the epochs before `epoch`
  let words = 0; // this epoch
  let diverged = false;

  const trainSentence = (): void => {
    // Other ranks read about as many words: progress counts this rank's times ranks.
    const frac = Math.min(1, ((wordsBefore + words) * ranks) / totalWords);
    const lr = f32(job.alpha - (job.alpha - job.minAlpha) * frac);
    if (!trainOne(model, scratch, sentence, length, lr)) diverged = true;
    length = 0;
  };

  // The run as of the last sentence boundary, the only place the native
  // trainer stops: an interrupted run reports this, not the words it read
  // past it (they were not trained on), so a resume replays them.
  // It starts as the resumed state, so a run stopped before it reads a byte
  // hands that state back unchanged.
  const mark = {
    offset: resume?.offsets[0] ?? begin,
    words: resume?.words[0] ?? 0,
    loss: resume?.loss[0] ?? 0,
    terms: resume?.terms[0] ?? 0,
    finished: resume?.finished[0] ?? 0,
    rng: rng.getState(),
  };
  const markBoundary = () => {
    mark.offset = tokenizer.position;
    mark.words = words;
    mark.loss = scratch.loss;
    mark.terms = scratch.terms;
    rng.writeState(mark.rng); // once per sentence: no allocation
  };
  let past = false; // a token starting at or after `end` was met: the range is done for this epoch
  const tokenizer: Tokenizer = new Tokenizer(job.lowercase, {
    token(key) {
      if (past || tokenizer.position - key.length >= end) {
        past = true;
        return;
      }
      const id = vocab.get(key);
      if (id === undefined) return;
      words++;
      if (job.sample > 0 && keep[id]! < rng.uniform()) return;
      sentence[length++] = id;
      if (length === MAX_SENTENCE) {
        trainSentence();
        markBoundary();
      }
    },
    lineEnd() {
      if (past) return;
      if (length > 0) trainSentence();
      markBoundary();
    },
  });

  const start = performance.now();
  const wordsAtStart = wordsBefore + (resume?.words[0] ?? 0);
  const startProgress = Math.min(1, (wordsAtStart * ranks) / totalWords);
  let lastReport = start;
  const snapshot = (): Word2VecProgress => {
    const seconds = (performance.now() - start) / 1000;
    const done = wordsBefore + mark.words;
    const progress = Math.min(1, (done * ranks) / totalWords);
    return {
      progress,
      epoch: Math.min(epoch, job.epochs),
      loss: mark.terms > 0 ? mark.loss / mark.terms : 0,
      wordsPerSec: seconds > 0 ? (done - wordsAtStart) / seconds : 0,
      lr: job.alpha - (job.alpha - job.minAlpha) * progress,
      etaSeconds: progress > startProgress ? (seconds * (1 - progress)) / (progress - startProgress) : 0,
      words: done,
    };
  };

  let interrupted = false;
  let sliceBytes = FIRST_SLICE_BYTES;
  let last = snapshot();
  const epochLosses: number[] = [];
  while (epoch <= job.epochs && !stopped()) {
    const offset = mark.offset;
    words = mark.words;
    scratch.loss = mark.loss;
    scratch.terms = mark.terms;
    if (mark.finished === 0) {
      past = false;
      tokenizer.startAt(offset, await byteBefore(job.path, offset));
      for await (const block of readBlocks(job.path, BLOCK_BYTES, offset)) {
        // A whole block at dim 300 trains for ~100 ms: the clock is read after every
        // slice of it (the tokenizer carries a word cut between two slices over).
        for (let at = 0; at < block.length && !diverged && !interrupted; ) {
          const before = performance.now();
          tokenizer.push(block.subarray(at, at + sliceBytes));
          at += sliceBytes;
          const now = performance.now();
          // Until V8 has compiled the training loops a slice costs ten times what it will
          // (60 ms for the first 1 KiB at dim 300): start small, grow while slices are quick.
          if (sliceBytes < SLICE_BYTES && now - before < 1) sliceBytes *= 2;
          if (now - lastReport >= 200) {
            lastReport = now;
            last = snapshot();
            onProgress?.(last);
          }
          if (clock.spent()) await clock.pause();
          interrupted = stopped();
          if (past) break;
        }
        if (diverged || interrupted || past) break;
      }
      if (!interrupted && !diverged) {
        tokenizer.finish();
        if (length > 0) trainSentence();
        markBoundary();
      }
    }
    last = snapshot();
    if (diverged) {
      throw new Error(`word2vec: training diverged (a non-finite score) in epoch ${epoch} after ${wordsBefore + words} words; lower alpha`);
    }
    if (interrupted) break;
    epochLosses.push(last.loss);
    wordsBefore += mark.words;
    epoch++;
    mark.words = mark.loss = mark.terms = mark.finished = 0;
    mark.offset = begin;
    // Short epochs end between two 200 ms reports: report each end.
    if (epoch <= job.epochs) onProgress?.(last);
  }
  const epochsCompleted = epoch - 1;
  const cancelled = epochsCompleted < job.epochs;
  const state: Word2VecState = {
    epoch,
    wordsBefore,
    offsets: Float64Array.of(mark.offset),
    words: Float64Array.of(mark.words),
    loss: Float64Array.of(mark.loss),
    terms: Float64Array.of(mark.terms),
    finished: Uint8Array.of(mark.finished),
    rng: interrupted ? mark.rng : rng.getState(),
  };
  const total = wordsBefore + mark.words;
  onProgress?.({ ...last, words: total, ...(cancelled ? {} : { progress: 1, etaSeconds: 0, lr: job.minAlpha }) });
  return { words: total, epochsCompleted, cancelled, loss: last.loss, epochLosses, state };
}
