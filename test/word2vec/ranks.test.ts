/**
 * A job's share of a multi-process run (job.rank of job.ranks), without
 * MPI: the ranks' parts of the corpus read every token once between them,
 * cut at line starts (or at a token boundary where a share holds none), the
 * learning rate counts a rank's words times the ranks, and native on one
 * thread gives the TS backend's vectors for every rank (same part, same
 * generator stream, same rate).
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { Word2VecProgress, Word2VecTrainJob } from '../../src/backend/word2vec.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { plantedFile, tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 3000);

async function job(backend: Backend, rank: number, ranks: number, threads = 1, path = corpus, epochs = 2) {
  const vocab = await backend.word2vecVocab({ path, minCount: 1, maxFinalVocab: 0, lowercase: false, part: 0, parts: 1 });
  const rows = vocab.counts.length,
    dim = 16;
  const syn0 = new Float32Array(rows * dim);
  const j: Word2VecTrainJob = {
    path,
    words: vocab.words,
    counts: vocab.counts,
    vectorSize: dim,
    window: 3,
    negative: 3,
    nsExponent: 0.75,
    sample: 0,
    alpha: 0.025,
    minAlpha: 0.0001,
    epochs,
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

/**
 * What rank `rank` of `ranks` takes of `path`: the words its vocabulary pass
 * counts, where its trainer's range begins (a finished one-thread job's state
 * points back there) and the tokens the trainer read.
 */
async function share(backend: Backend, path: string, rank: number, ranks: number) {
  const shard = await backend.word2vecVocab({ path, minCount: 1, maxFinalVocab: 0, lowercase: false, part: rank, parts: ranks });
  const words = Buffer.from(shard.words).toString('latin1').split('\n').slice(0, -1).sort();
  const { result } = await job(backend, rank, ranks, 1, path, 1);
  return { words, begin: result.state.offsets[0]!, read: result.words };
}

// [case, corpus, ranks, each rank's words, where each rank's range begins]
const cuts: [string, string, number, string[][], number[]][] = [
  // Shares [0, 7) and [7, 14): the first line start in the second is after the '\n' at 11.
  ['a line is not split when one starts in the share', 'a b c d e f\ng\n', 2, [['a', 'b', 'c', 'd', 'e', 'f'], ['g']], [0, 12]],
  // The share [4, 8) begins with a line, not at the next one (after the '\n' at 5).
  [
    'a share right after a newline begins where it is',
    'a b\nc\nd\n',
    2,
    [
      ['a', 'b'],
      ['c', 'd'],
    ],
    [0, 4],
  ],
  // The share [6, 13) begins between \r and \n: the line starts after the \n.
  [
    'CRLF lines are cut after the \\n',
    'ab cd\r\nef g\r\n',
    2,
    [
      ['ab', 'cd'],
      ['ef', 'g'],
    ],
    [0, 7],
  ],
  // The share [7, 15) begins inside "ccc", which goes to the rank that holds its start.
  [
    'no newline: the share begins at its byte, its tokens split as between threads',
    'aa bb ccc dd ee',
    2,
    [
      ['aa', 'bb', 'ccc'],
      ['dd', 'ee'],
    ],
    [0, 7],
  ],
  // Shares [0, 8), [8, 17), [17, 26): no line starts in the second, which trains the middle of the long line.
  ['a line longer than a share', 'a b c d e f g h i j k l\nm\n', 3, [['a', 'b', 'c', 'd'], ['e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'], ['m']], [0, 8, 24]],
  // Shares [0, 1), [1, 3), [3, 4), [4, 6): ranks 1 and 3 begin inside a token and hold no token of their own.
  ['more ranks than lines', 'ab\ncd\n', 4, [['ab'], [], ['cd'], []], [0, 1, 3, 4]],
  // Shares [0, 0), [0, 1), [1, 1), [1, 2): two ranks get no byte.
  ['more ranks than bytes', 'a\n', 4, [[], ['a'], [], []], [0, 0, 1, 1]],
];

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('rank ranges on %s', (_name, backend) => {
  it.each(cuts)('%s', async (_case, text, ranks, words, begins) => {
    const path = writeTemp(dir, `cut-${ranks}-${Buffer.from(text).toString('hex')}.txt`, text);
    for (let rank = 0; rank < ranks; rank++) {
      const got = await share(backend, path, rank, ranks);
      expect({ rank, words: got.words, begin: got.begin, read: got.read }).toEqual({
        rank,
        words: words[rank],
        begin: begins[rank],
        read: words[rank]!.length,
      });
    }
  });

  it.each([2, 3, 7])('on sentences, each of %i ranks begins at a line start', async (ranks) => {
    const bytes = readFileSync(corpus);
    for (let rank = 1; rank < ranks; rank++) {
      const { begin } = await share(backend, corpus, rank, ranks);
      expect(bytes[begin - 1]).toBe(10);
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
