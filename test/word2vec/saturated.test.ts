/**
 * Negative sampling's rule for a saturated score (|f| ≥ 6, where σ is
 * tabulated as 0 or 1), on both backends and both kernels, against a scalar
 * reference: 'limit' applies word2vec.c's limit gradient (label − 0 or 1)·lr,
 * 'skip' leaves the rows alone (gensim). Plus: native == TS bit for bit on
 * one thread under each rule, and the rule only matters when a score
 * saturates.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import type { Word2VecSaturated, Word2VecTrainJob } from '../../src/backend/word2vec.js';
import { Word2Vec, type TrainOptions } from '../../src/word2vec/word2vec.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { plantedFile, stateAtStart, tempDir, writeTemp } from '../helpers/word2vec.js';
import { Rng } from '../../src/rng.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Vocabulary a (count 10), b (count 5); the corpus is the one sentence "b b".
// With nsExponent 30, b's share of the noise table is 5^30/10^30 ≈ 1e-9: every
// noise draw is a. Window 1, one negative: each of the sentence's two
// positions makes the pair (input b, output b, label 1) then (input b,
// output a, label 0), on the same three rows, one after the other.
const corpus = writeTemp(dir, 'bb.txt', 'b b\n');
const alpha = 0.25;
// The rate decays with the words read (Σ counts = 15 per epoch): the sentence trains after its 2 words are counted.
const lr = alpha * (1 - 2 / 15);
const x0 = [2, 1]; // syn0[b]

/** σ as both trainers tabulate it: at the grid point below f (1000 points over [−6, 6)). */
function tabulated(f: number): number {
  const i = Math.floor((f + 6) * (1000 / 12));
  const e = Math.exp(((i / 1000) * 2 - 1) * 6);
  return e / (e + 1);
}

/** The two positions' updates in float64; null when the rule skips the score. */
function reference(rule: Word2VecSaturated, y0: number[], z0: number[]): { x: number[]; y: number[]; z: number[] } {
  const x = [...x0],
    y = [...y0],
    z = [...z0];
  const dot = (u: number[], v: number[]) => u[0]! * v[0]! + u[1]! * v[1]!;
  const scale = (f: number, label: number): number | null => {
    if (f > -6 && f < 6) return (label - tabulated(f)) * lr;
    return rule === 'skip' ? null : (label - (f > 0 ? 1 : 0)) * lr;
  };
  for (let position = 0; position < 2; position++) {
    const error = [0, 0];
    for (const [out, label] of [
      [y, 1],
      [z, 0],
    ] as const) {
      const g = scale(dot(x, out), label);
      if (g === null) continue;
      for (let d = 0; d < 2; d++) {
        error[d]! += g * out[d]!;
        out[d]! += g * x[d]!;
      }
    }
    for (let d = 0; d < 2; d++) x[d]! += error[d]!;
  }
  return { x, y, z };
}

function rngState(seed: number): Uint32Array {
  const state = new Uint32Array(4);
  new Rng(seed).writeState(state);
  return state;
}

function job(kernel: 'classic' | 'batched', saturated: Word2VecSaturated, y0: number[], z0: number[]): Word2VecTrainJob {
  return {
    path: corpus,
    words: new Uint8Array(Buffer.from('a\nb\n')),
    counts: Float64Array.of(10, 5),
    vectorSize: 2,
    window: 1,
    negative: 1,
    nsExponent: 30,
    sample: 0,
    alpha,
    minAlpha: 0,
    epochs: 1,
    threads: 1,
    seed: 1,
    sg: true,
    hs: false,
    lowercase: false,
    kernel,
    saturated,
    syn0: Float32Array.of(0, 0, ...x0),
    syn1neg: Float32Array.of(...z0, ...y0),
    syn1: null,
    // Thread 0 of a one-thread run draws from Rng(seed + 1).
    resume: stateAtStart(rngState(2)),
    rank: 0,
    ranks: 1,
  };
}

// y = syn1neg[b] (the centre, label 1), z = syn1neg[a] (the noise word, label 0); x·y and x·z with x = (2, 1).
const cases: [string, number[], number[]][] = [
  ['exactly at the edges: x·y = −6, x·z = 6 (both wrong side)', [-3, 0], [3, 0]],
  ['beyond them: x·y = −7, x·z = 8 (both wrong side)', [-3.5, 0], [4, 0]],
  ['right side: x·y = 6, x·z = −6.5 (the limit gradient is 0 anyway)', [3, 0], [-3.25, 0]],
];

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('saturated scores on %s', (_, backend) => {
  for (const kernel of ['classic', 'batched'] as const) {
    it.each(cases)(`${kernel}: %s`, async (_label, y0, z0) => {
      const moved: Record<Word2VecSaturated, Float32Array> = { limit: new Float32Array(0), skip: new Float32Array(0) };
      for (const rule of ['limit', 'skip'] as const) {
        const j = job(kernel, rule, y0, z0);
        await backend.word2vecTrain(j);
        const want = reference(rule, y0, z0);
        const got = { x: [...j.syn0.subarray(2)], y: [...j.syn1neg!.subarray(2)], z: [...j.syn1neg!.subarray(0, 2)] };
        for (const row of ['x', 'y', 'z'] as const) {
          got[row].forEach((v, d) => expect(Math.abs(v - want[row][d]!), `${rule} ${row}[${d}]`).toBeLessThan(1e-6));
        }
        moved[rule] = Float32Array.of(...got.x, ...got.y, ...got.z);
      }
      const start = Float32Array.of(...x0, ...y0, ...z0);
      if (y0[0]! < 0) {
        // Wrong-side saturated scores: the limit rule pushes by a whole lr, the skip rule leaves every row as it was.
        expect(moved.skip).toEqual(start);
        expect(Math.max(...moved.limit.map((v, i) => Math.abs(v - start[i]!)))).toBeGreaterThan(lr);
      } else {
        // Right side: the limit gradient is (1 − 1)·lr and (0 − 0)·lr, so both rules leave the rows alone.
        expect(moved.limit).toEqual(start);
        expect(moved.skip).toEqual(start);
      }
    });
  }
});

describe.runIf(backendPair())('saturated scores, native and TS trainers', () => {
  const small = plantedFile(dir, 12000);
  // A high learning rate drives some scores past ±6 within the first epoch.
  const base: Omit<TrainOptions, 'input'> = { vectorSize: 24, window: 4, minCount: 5, epochs: 2, threads: 1, seed: 7, sample: 1e-3, alpha: 0.2 };
  const run = (name: 'js' | 'native', options: Partial<TrainOptions>) => {
    useBackend(name);
    return Word2Vec.train({ input: small, ...base, ...options });
  };

  it.each(['classic', 'batched'] as const)(
    'agree exactly on one thread under each rule, and the rules differ (%s)',
    async (kernel) => {
      const vectors: Float32Array[] = [];
      for (const saturated of ['limit', 'skip'] as const) {
        const native = await run('native', { kernel, saturated });
        const ts = await run('js', { kernel, saturated });
        expect(ts.training.epochLosses).toEqual(native.training.epochLosses);
        expect(ts.vectors).toEqual(native.vectors);
        vectors.push(native.vectors);
      }
      expect(vectors[1]).not.toEqual(vectors[0]);
    },
    60_000,
  );

  it('the rule changes nothing when no score saturates (a low learning rate, one epoch)', async () => {
    const [limit, skip] = [
      await run('native', { alpha: 0.005, epochs: 1, saturated: 'limit' }),
      await run('native', { alpha: 0.005, epochs: 1, saturated: 'skip' }),
    ];
    expect(skip.vectors).toEqual(limit.vectors);
  });
});
