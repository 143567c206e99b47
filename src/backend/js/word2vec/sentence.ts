/**
 * The updates one sentence makes, in either kernel: the TS twin of
 * native/core/word2vec/sentence.cc (which explains both kernels), with the
 * same random draws in the same order and the same float32 roundings, so one
 * thread gives the same vectors on both backends.
 */
import type { Rng } from '../../../rng.js';
import { axpy, dot } from './vecmath.js';
import { MAX_EXP, NOISE_TABLE_SIZE, sigmoidIndex, type HuffmanCodes, type SigmoidTable } from './tables.js';

const f32 = Math.fround;

/** What the sentence kernels read (sentence.h SentenceModel). */
export interface SentenceModel {
  dim: number;
  window: number;
  negative: number;
  sg: boolean;
  /** True when the batched kernel applies: skip-gram, negative sampling, no hs. */
  batched: boolean;
  /** Negative sampling: a saturated score (|f| ≥ 6) makes no update (gensim) instead of the limit gradient (word2vec.c). */
  skipSaturated: boolean;
  syn0: Float32Array;
  syn1neg: Float32Array;
  syn1: Float32Array;
  noise: Int32Array;
  sig: SigmoidTable;
  tree: HuffmanCodes | null;
}

/** One thread's generator, working memory and running loss (sentence.h SentenceScratch). */
export class SentenceScratch {
  loss = 0;
  terms = 0;
  /** The last prediction's −log-likelihood (gradient() returns its scale). */
  termLoss = 0;
  readonly neu1: Float32Array;
  readonly neu1e: Float32Array;
  readonly outputs: number[] = [];
  readonly labels: number[] = [];
  readonly weights: number[] = [];
  grads = new Float32Array(0);
  errors = new Float32Array(0);
  constructor(
    readonly rng: Rng,
    dim: number,
  ) {
    this.neu1 = new Float32Array(dim);
    this.neu1e = new Float32Array(dim);
  }
}

const saturated = (f: number) => f >= MAX_EXP || f <= -MAX_EXP;

/** (label − σ(f))·lr, or the limit for a saturated score; s.termLoss gets the prediction's −log-likelihood. */
function gradient(m: SentenceModel, s: SentenceScratch, f: number, label: number, lr: number): number {
  const idx = sigmoidIndex(f);
  s.termLoss = label > 0 ? m.sig.lossTrue[idx]! : m.sig.lossFalse[idx]!;
  if (saturated(f)) return f32((label - (f > 0 ? 1 : 0)) * lr);
  return f32(f32(label - m.sig.sigmoid[idx]!) * lr);
}

/** A saturated score makes no update and no loss term when skipSaturated (sentence.cc Predict). */
function predict(
  m: SentenceModel,
  s: SentenceScratch,
  inp: Float32Array,
  io: number,
  out: Float32Array,
  oo: number,
  label: number,
  lr: number,
  skipSaturated: boolean,
): boolean {
  const f = dot(inp, io, out, oo, m.dim);
  if (!Number.isFinite(f)) return false;
  if (skipSaturated && saturated(f)) return true;
  const g = gradient(m, s, f, label, lr);
  s.loss += s.termLoss;
  s.terms++;
  axpy(s.neu1e, 0, g, out, oo, m.dim);
  axpy(out, oo, g, inp, io, m.dim);
  return true;
}

function predictWord(m: SentenceModel, s: SentenceScratch, inp: Float32Array, io: number, word: number, lr: number): boolean {
  const { dim, tree, negative } = m;
  s.neu1e.fill(0);
  if (tree) {
    for (let d = tree.offsets[word]!; d < tree.offsets[word + 1]!; d++) {
      if (!predict(m, s, inp, io, m.syn1, tree.points[d]! * dim, 1 - tree.codes[d]!, lr, true)) return false;
    }
  }
  for (let d = 0; d <= negative && negative > 0; d++) {
    let target = word;
    if (d > 0) {
      target = m.noise[s.rng.below(NOISE_TABLE_SIZE)]!;
      if (target === word) continue;
    }
    if (!predict(m, s, inp, io, m.syn1neg, target * dim, d === 0 ? 1 : 0, lr, m.skipSaturated)) return false;
  }
  return true;
}

function skipGramClassic(m: SentenceModel, s: SentenceScratch, sentence: Int32Array, lo: number, hi: number, i: number, lr: number): boolean {
  for (let c = lo; c <= hi; c++) {
    if (c === i) continue;
    const io = sentence[c]! * m.dim;
    if (!predictWord(m, s, m.syn0, io, sentence[i]!, lr)) return false;
    axpy(m.syn0, io, 1, s.neu1e, 0, m.dim);
  }
  return true;
}

function cbow(m: SentenceModel, s: SentenceScratch, sentence: Int32Array, lo: number, hi: number, i: number, lr: number): boolean {
  const { dim, syn0 } = m;
  s.neu1.fill(0);
  let cw = 0;
  for (let c = lo; c <= hi; c++) {
    if (c === i) continue;
    axpy(s.neu1, 0, 1, syn0, sentence[c]! * dim, dim);
    cw++;
  }
  if (cw === 0) return true;
  for (let d = 0; d < dim; d++) s.neu1[d] = f32(s.neu1[d]! / cw);
  if (!predictWord(m, s, s.neu1, 0, sentence[i]!, lr)) return false;
  for (let c = lo; c <= hi; c++) {
    if (c !== i) axpy(syn0, sentence[c]! * dim, 1, s.neu1e, 0, dim);
  }
  return true;
}

/** The centre, then the noise draws without the centre, repeats merged into a weight. */
function drawOutputs(m: SentenceModel, s: SentenceScratch, word: number): void {
  s.outputs.length = s.labels.length = s.weights.length = 0;
  s.outputs.push(word);
  s.labels.push(1);
  s.weights.push(1);
  for (let d = 0; d < m.negative; d++) {
    const target = m.noise[s.rng.below(NOISE_TABLE_SIZE)]!;
    if (target === word) continue;
    const seen = s.outputs.indexOf(target, 1);
    if (seen >= 0) {
      s.weights[seen]!++;
      continue;
    }
    s.outputs.push(target);
    s.labels.push(0);
    s.weights.push(1);
  }
}

function skipGramBatched(m: SentenceModel, s: SentenceScratch, sentence: Int32Array, lo: number, hi: number, i: number, lr: number): boolean {
  const { dim, syn0, syn1neg } = m;
  const b = hi - lo;
  if (b === 0) return true;
  drawOutputs(m, s, sentence[i]!);
  const k = s.outputs.length;
  if (s.grads.length < b * k) s.grads = new Float32Array(b * k);
  if (s.errors.length < b * dim) s.errors = new Float32Array(b * dim);
  const g = s.grads;
  const errors = s.errors;
  errors.fill(0, 0, b * dim);
  // Scores and gradient scales, all from the rows as they stand.
  for (let c = lo, j = 0; c <= hi; c++) {
    if (c === i) continue;
    const io = sentence[c]! * dim;
    for (let o = 0; o < k; o++) {
      const f = dot(syn0, io, syn1neg, s.outputs[o]! * dim, dim);
      if (!Number.isFinite(f)) return false;
      if (m.skipSaturated && saturated(f)) {
        g[j * k + o] = 0; // no update, no loss term: as classic's predict
        continue;
      }
      const scale = gradient(m, s, f, s.labels[o]!, lr);
      const weight = s.weights[o]!;
      s.loss += weight * s.termLoss;
      s.terms += weight;
      g[j * k + o] = weight === 1 ? scale : f32(scale * weight);
    }
    j++;
  }
  // Input errors from the output rows before their update ...
  for (let j = 0; j < b; j++) {
    for (let o = 0; o < k; o++) axpy(errors, j * dim, g[j * k + o]!, syn1neg, s.outputs[o]! * dim, dim);
  }
  // ... output rows from the input rows before theirs ...
  for (let o = 0; o < k; o++) {
    const oo = s.outputs[o]! * dim;
    for (let c = lo, j = 0; c <= hi; c++) {
      if (c === i) continue;
      axpy(syn1neg, oo, g[j * k + o]!, syn0, sentence[c]! * dim, dim);
      j++;
    }
  }
  // ... then the input rows.
  for (let c = lo, j = 0; c <= hi; c++) {
    if (c === i) continue;
    axpy(syn0, sentence[c]! * dim, 1, errors, j * dim, dim);
    j++;
  }
  return true;
}

/** Trains on sentence[0..n) at learning rate lr; false on a non-finite score (divergence). */
export function trainSentence(m: SentenceModel, s: SentenceScratch, sentence: Int32Array, n: number, lr: number): boolean {
  for (let i = 0; i < n; i++) {
    // Dynamic window: the effective radius is uniform in [1, window].
    const radius = m.window - s.rng.below(m.window);
    const lo = Math.max(0, i - radius);
    const hi = Math.min(n - 1, i + radius);
    const ok = m.batched
      ? skipGramBatched(m, s, sentence, lo, hi, i, lr)
      : m.sg
        ? skipGramClassic(m, s, sentence, lo, hi, i, lr)
        : cbow(m, s, sentence, lo, hi, i, lr);
    if (!ok) return false;
  }
  return true;
}
