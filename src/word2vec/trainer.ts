/**
 * The pure-TS word2vec trainer: the algorithm of native/core/word2vec/
 * trainer.cc on one thread, with the same random draws in the same order
 * (thread 0's stream, Rng(seed + 1)), the same float32 roundings
 * (vecmath.ts) and the same tables (tables.ts), so with `threads: 1` both
 * backends produce the same vectors. It reads the corpus in 64 KiB blocks and
 * yields to the event loop between blocks when it has run for a while.
 */
import { Rng } from '../rng.js';
import { readBlocks, Tokenizer } from './corpus.js';
import { axpy, dot } from './vecmath.js';
import { huffman, keepProbabilities, MAX_EXP, NOISE_TABLE_SIZE, noiseTable, sigmoidIndex, sigmoidTable } from './tables.js';
import type { Word2VecProgress, Word2VecTrainJob, Word2VecTrainResult } from '../backend/word2vec.js';

/** Sentences longer than this many kept words are cut (as in C++). */
export const MAX_SENTENCE = 10_000;
const BLOCK_BYTES = 1 << 16;
const f32 = Math.fround;

export async function trainTs(job: Word2VecTrainJob, onProgress: ((p: Word2VecProgress) => void) | undefined,
                              stopped: () => boolean): Promise<Word2VecTrainResult> {
  const { vectorSize: dim, window, negative, hs, sg, syn0 } = job;
  const syn1neg = job.syn1neg!;
  const syn1 = job.syn1!;
  const vocab = new Map<string, number>();
  Buffer.from(job.words.buffer, job.words.byteOffset, job.words.byteLength).toString('latin1')
    .split('\n').slice(0, -1).forEach((w, i) => vocab.set(w, i));
  const counts = job.counts;
  let countSum = 0;
  for (const c of counts) countSum += c;
  const totalWords = Math.max(1, countSum * job.epochs); // as in C++: never divide by zero
  const noise = negative > 0 ? noiseTable(counts, job.nsExponent) : new Int32Array(0);
  const keep = job.sample > 0 ? keepProbabilities(counts, job.sample) : new Float64Array(0);
  const sig = sigmoidTable();
  const tree = hs ? huffman(counts) : null;
  const rng = new Rng((job.seed + 1) >>> 0);
  const neu1 = new Float32Array(dim);
  const neu1e = new Float32Array(dim);
  const sentence = new Int32Array(MAX_SENTENCE);
  let length = 0;

  let base = 0; // words of finished epochs
  let words = 0; // this epoch
  let loss = 0;
  let terms = 0;
  let diverged = false;

  // One prediction from input `inp` (row io) of output row oo; false on a
  // non-finite score. Mirrors Worker::Predict.
  const predict = (inp: Float32Array, io: number, out: Float32Array, oo: number, label: number, lr: number, clip: boolean): boolean => {
    const f = dot(inp, io, out, oo, dim);
    if (!Number.isFinite(f)) return false;
    const idx = sigmoidIndex(f);
    let g: number;
    if (f >= MAX_EXP || f <= -MAX_EXP) {
      if (clip) return true;
      g = f32((label - (f > 0 ? 1 : 0)) * lr);
    } else {
      g = f32(f32(label - sig.sigmoid[idx]!) * lr);
    }
    loss += label > 0 ? sig.lossTrue[idx]! : sig.lossFalse[idx]!;
    terms++;
    axpy(neu1e, 0, g, out, oo, dim);
    axpy(out, oo, g, inp, io, dim);
    return true;
  };

  const predictWord = (inp: Float32Array, io: number, word: number, lr: number): boolean => {
    neu1e.fill(0);
    if (tree) {
      for (let d = tree.offsets[word]!; d < tree.offsets[word + 1]!; d++) {
        if (!predict(inp, io, syn1, tree.points[d]! * dim, 1 - tree.codes[d]!, lr, true)) return false;
      }
    }
    for (let d = 0; d <= negative && negative > 0; d++) {
      let target = word;
      if (d > 0) {
        target = noise[rng.below(NOISE_TABLE_SIZE)]!;
        if (target === word) continue;
      }
      if (!predict(inp, io, syn1neg, target * dim, d === 0 ? 1 : 0, lr, false)) return false;
    }
    return true;
  };

  const trainSentence = (): void => {
    const frac = Math.min(1, (base + words) / totalWords);
    const lr = f32(job.alpha - (job.alpha - job.minAlpha) * frac);
    for (let i = 0; i < length && !diverged; i++) {
      const word = sentence[i]!;
      const shrink = rng.below(window);
      const lo = Math.max(0, i - window + shrink);
      const hi = Math.min(length - 1, i + window - shrink);
      if (sg) {
        for (let c = lo; c <= hi; c++) {
          if (c === i) continue;
          const io = sentence[c]! * dim;
          if (!predictWord(syn0, io, word, lr)) {
            diverged = true;
            break;
          }
          axpy(syn0, io, 1, neu1e, 0, dim);
        }
        continue;
      }
      neu1.fill(0);
      let cw = 0;
      for (let c = lo; c <= hi; c++) {
        if (c === i) continue;
        axpy(neu1, 0, 1, syn0, sentence[c]! * dim, dim);
        cw++;
      }
      if (cw === 0) continue;
      for (let d = 0; d < dim; d++) neu1[d] = f32(neu1[d]! / cw);
      if (!predictWord(neu1, 0, word, lr)) {
        diverged = true;
        break;
      }
      for (let c = lo; c <= hi; c++) {
        if (c !== i) axpy(syn0, sentence[c]! * dim, 1, neu1e, 0, dim);
      }
    }
    length = 0;
  };

  const tokenizer = new Tokenizer(job.lowercase, {
    token(key) {
      const id = vocab.get(key);
      if (id === undefined) return;
      words++;
      if (job.sample > 0 && keep[id]! < rng.uniform()) return;
      sentence[length++] = id;
      if (length === MAX_SENTENCE) trainSentence();
    },
    lineEnd() {
      if (length > 0) trainSentence();
    },
  });

  const start = performance.now();
  let lastReport = start;
  let lastYield = start;
  const snapshot = (epoch: number, done: number): Word2VecProgress => {
    const seconds = (performance.now() - start) / 1000;
    const progress = Math.min(1, done / totalWords);
    return {
      progress, epoch, loss: terms > 0 ? loss / terms : 0,
      wordsPerSec: seconds > 0 ? done / seconds : 0,
      lr: job.alpha - (job.alpha - job.minAlpha) * progress,
      etaSeconds: progress > 0 ? seconds * (1 - progress) / progress : 0,
      words: done,
    };
  };

  let epochsCompleted = 0;
  let last = snapshot(1, 0);
  for (let epoch = 1; epoch <= job.epochs && !stopped(); epoch++) {
    words = 0;
    loss = 0;
    terms = 0;
    let interrupted = false;
    for await (const block of readBlocks(job.path, BLOCK_BYTES)) {
      tokenizer.push(block);
      if (diverged) break;
      const now = performance.now();
      if (now - lastReport >= 200) {
        lastReport = now;
        last = snapshot(epoch, base + words);
        onProgress?.(last);
      }
      if (now - lastYield >= 15) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (stopped()) {
        interrupted = true;
        break;
      }
    }
    if (!interrupted && !diverged) {
      tokenizer.finish();
      if (length > 0) trainSentence();
    }
    last = snapshot(epoch, base + words);
    if (diverged) {
      throw new Error(`word2vec: training diverged (a non-finite score) in epoch ${epoch} after ${base + words} words; lower alpha`);
    }
    base += words;
    if (interrupted) break;
    epochsCompleted = epoch;
  }
  const cancelled = epochsCompleted < job.epochs;
  onProgress?.({ ...last, words: base, ...(cancelled ? {} : { progress: 1, etaSeconds: 0, lr: job.minAlpha }) });
  return { words: base, epochsCompleted, cancelled, loss: last.loss };
}
