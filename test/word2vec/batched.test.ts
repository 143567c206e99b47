/**
 * The batched skip-gram kernel (src/backend/js/word2vec/sentence.ts, twin of
 * native/core/word2vec/sentence.cc; train.test.ts shows both give the same
 * vectors) against a float64 scalar reference of the update it promises:
 * per centre word, every context row is scored against the centre and the
 * shared noise words from the rows as they stood before the window; a noise
 * word drawn twice counts twice; one equal to the centre is dropped.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { SentenceScratch, trainSentence, type SentenceModel } from '../../src/backend/js/word2vec/sentence.js';
import { NOISE_TABLE_SIZE, sigmoidIndex, sigmoidTable } from '../../src/backend/js/word2vec/tables.js';

const dim = 5;
const words = 4;
const lr = 0.5;
const NOISE = 3; // every noise draw gives this word
// σ as the trainers tabulate it (checked against Math.exp below).
const table = sigmoidTable().sigmoid;
const sigma = (x: number) => table[sigmoidIndex(x)]!;

function model(negative: number): SentenceModel {
  const rng = new Rng(11);
  const rows = () => Float32Array.from({ length: words * dim }, () => rng.uniform() - 0.5);
  return {
    dim,
    window: 1,
    negative,
    sg: true,
    batched: true,
    syn0: rows(),
    syn1neg: rows(),
    syn1: new Float32Array(0),
    noise: new Int32Array(NOISE_TABLE_SIZE).fill(NOISE),
    sig: sigmoidTable(),
    tree: null,
  };
}

/** The update in float64: window radius 1 (window 1), outputs the centre and `negative` copies of NOISE. */
function reference(syn0: Float64Array, syn1: Float64Array, sentence: number[], negative: number): void {
  const row = (m: Float64Array, w: number) => m.subarray(w * dim, (w + 1) * dim);
  for (let i = 0; i < sentence.length; i++) {
    const centre = sentence[i]!;
    const contexts = [i - 1, i + 1].filter((c) => c >= 0 && c < sentence.length).map((c) => sentence[c]!);
    const outputs: [number, number][] = [[centre, 1]];
    for (let d = 0; d < negative; d++) if (NOISE !== centre) outputs.push([NOISE, 0]);
    const in0 = contexts.map((w) => Float64Array.from(row(syn0, w)));
    const out0 = new Map(outputs.map(([w]) => [w, Float64Array.from(row(syn1, w))]));
    const errors = contexts.map(() => new Float64Array(dim));
    contexts.forEach((_, j) => {
      for (const [w, label] of outputs) {
        const o = out0.get(w)!;
        const f = in0[j]!.reduce((s, x, d) => s + x * o[d]!, 0);
        const g = (label - sigma(f)) * lr;
        for (let d = 0; d < dim; d++) {
          errors[j]![d]! += g * o[d]!;
          row(syn1, w)[d]! += g * in0[j]![d]!;
        }
      }
    });
    contexts.forEach((w, j) =>
      row(syn0, w).forEach((_, d, r) => {
        r[d]! += errors[j]![d]!;
      }),
    );
  }
}

describe('the batched skip-gram kernel', () => {
  // Word 1 twice around centre 0 (a repeated input row), centre 3 = the noise word (dropped).
  const sentence = [1, 0, 1, 3, 2];
  it.each([1, 2, 3])('matches the float64 reference with %i shared noise draws (repeats merged)', (negative) => {
    const m = model(negative);
    const syn0 = Float64Array.from(m.syn0);
    const syn1 = Float64Array.from(m.syn1neg);
    const before = Float32Array.from(m.syn0);
    const scratch = new SentenceScratch(new Rng(3), dim);
    expect(trainSentence(m, scratch, Int32Array.from(sentence), sentence.length, lr)).toBe(true);
    reference(syn0, syn1, sentence, negative);
    // Only float32 rounding separates the two (a score landing on a grid cell's edge would show as ~1e-3).
    for (let i = 0; i < syn0.length; i++) {
      expect(Math.abs(m.syn0[i]! - syn0[i]!)).toBeLessThan(1e-5);
      expect(Math.abs(m.syn1neg[i]! - syn1[i]!)).toBeLessThan(1e-5);
    }
    // The updates are far larger than the tolerance, so a wrong rule shows.
    const moved = Math.max(...Array.from(m.syn0, (x, i) => Math.abs(x - before[i]!)));
    expect(moved).toBeGreaterThan(0.05);
    // One term per (context, output) pair, noise repeats counted: windows of 1, 2, 2, 2, 1 contexts.
    const outputs = sentence.map((w) => 1 + (w === NOISE ? 0 : negative));
    expect(scratch.terms).toBe(outputs.reduce((s, k, i) => s + k * (i === 0 || i === sentence.length - 1 ? 1 : 2), 0));
  });

  it('tabulates σ within 3e-3 of 1 / (1 + e^−x) over (−6, 6)', () => {
    for (let x = -5.999; x < 6; x += 0.01) expect(Math.abs(sigma(x) - 1 / (1 + Math.exp(-x)))).toBeLessThan(3e-3);
  });

  it('stops on a non-finite score', () => {
    const m = model(1);
    m.syn0[0] = Infinity;
    expect(trainSentence(m, new SentenceScratch(new Rng(3), dim), Int32Array.of(1, 0), 2, lr)).toBe(false);
  });
});
