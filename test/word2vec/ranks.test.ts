/**
 * A job's share of a multi-process run (job.rank of job.ranks), without
 * MPI: the ranks' parts of the corpus read every token once between them,
 * the learning rate counts a rank's words times the ranks, and native on one
 * thread gives the TS backend's vectors for every rank (same part, same
 * generator stream, same rate).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { Word2VecProgress, Word2VecTrainJob } from '../../src/backend/word2vec.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { plantedFile, tempDir } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 3000);

async function job(backend: Backend, rank: number, ranks: number, threads = 1) {
  const vocab = await backend.word2vecVocab({ path: corpus, minCount: 1, maxFinalVocab: 0, lowercase: false, part: 0, parts: 1 });
  const rows = vocab.counts.length,
    dim = 16;
  const syn0 = new Float32Array(rows * dim);
  backend.word2vecInit(syn0, rows, dim, 1);
  const j: Word2VecTrainJob = {
    path: corpus,
    words: vocab.words,
    counts: vocab.counts,
    vectorSize: dim,
    window: 3,
    negative: 3,
    nsExponent: 0.75,
    sample: 0,
    alpha: 0.025,
    minAlpha: 0.0001,
    epochs: 2,
    threads,
    seed: 5,
    sg: true,
    hs: false,
    lowercase: false,
    kernel: 'batched',
    saturated: 'limit',
    syn0,
    syn1neg: new Float32Array(rows * dim),
    syn1: null,
    resume: null,
    rank,
    ranks,
  };
  const reports: Word2VecProgress[] = [];
  const result = await backend.word2vecTrain(j, (p) => reports.push(p));
  let perEpoch = 0;
  for (const c of vocab.counts) perEpoch += c;
  return { result, syn0, perEpoch, reports };
}

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('word2vec job shares on %s', (_name, backend) => {
  it.each([2, 3])('%i ranks read every token once between them, and each counts its words × ranks as progress', async (ranks) => {
    let words = 0;
    for (let rank = 0; rank < ranks; rank++) {
      const { result, perEpoch, reports } = await job(backend, rank, ranks);
      expect(result.epochsCompleted).toBe(2);
      words += result.words;
      // About 1/ranks of each epoch, and progress reaching 1 at the end as if all ranks had read as much.
      expect(result.words / (2 * perEpoch)).toBeCloseTo(1 / ranks, 1);
      const last = reports.at(-1)!;
      expect(last.progress).toBe(1);
      if (rank === ranks - 1) expect(words).toBe(2 * perEpoch);
    }
  });
});

describe.runIf(backendPair())('word2vec job shares, native == TS', () => {
  it('gives the same vectors for each rank of 3 on one thread', async () => {
    const { js, native } = backendPair()!;
    for (let rank = 0; rank < 3; rank++) {
      const [a, b] = [await job(js, rank, 3), await job(native, rank, 3)];
      expect(b.result.words).toBe(a.result.words);
      expect(Buffer.from(b.syn0.buffer).equals(Buffer.from(a.syn0.buffer))).toBe(true);
    }
  });

  it('lets ranks run different thread counts over the same part', async () => {
    const { native } = backendPair()!;
    const [one, two] = [await job(native, 1, 2, 1), await job(native, 1, 2, 2)];
    expect(two.result.words).toBe(one.result.words);
  });
});
