/**
 * Vector queries and evaluation on hand-made vectors with known answers, on
 * every backend (the top-k search is the backend's `nearest` kernel), plus
 * the word2vec kernels' argument checks, identical on both backends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { useBackend } from '../../src/backend/select.js';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { evaluateAnalogies, evaluateSimilarity, spearman } from '../../src/word2vec/evaluate.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { stateAtStart, tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const backends = backendsUnderTest();
const pair = backendPair();

// 3-D toy space: axis 0 = royalty, 1 = male, 2 = female.
const toy = () =>
  new WordVectors(['king', 'queen', 'man', 'woman', 'apple', 'prince'], Float32Array.of(1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, -1, -1, -1, 0.9, 1, 0.1), 3);

describe.each(backends.map((b) => [b.name]))('word vectors on %s', (name) => {
  const v = () => {
    useBackend(name as 'js' | 'native');
    return toy();
  };

  it('finds neighbours, excluding the query word, best first, k of them', () => {
    const hits = v().mostSimilar('king', 2);
    expect(hits.map((h) => h.word)).toEqual(['prince', 'man']); // cos 0.99, 0.71; queen is 0.5
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(v().mostSimilar('king', 99)).toHaveLength(5);
    expect(v().similarity('king', 'queen')).toBeCloseTo(0.5, 6);
  });

  it('answers analogies by 3CosAdd and 3CosMul without returning query words', () => {
    expect(v().analogy('king', 'man', 'woman')[0]!.word).toBe('queen');
    expect(v().analogy('king', 'man', 'woman', { method: 'mul' })[0]!.word).toBe('queen');
    expect(
      v()
        .mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 3 })
        .map((h) => h.word),
    ).not.toContain('king');
    const cosmul = v().mostSimilarCosmul({ positive: ['king', 'woman'], negative: ['man'], topn: 5 });
    expect(cosmul.map((h) => h.word)).toEqual(expect.not.arrayContaining(['king', 'woman', 'man']));
    expect(cosmul).toHaveLength(3);
  });

  it('queries by vector, batches queries, and finds the odd one out', () => {
    const hits = v().mostSimilar(Float32Array.of(0, 0, 1), 1);
    expect(hits[0]!.word).toBe('woman');
    expect(
      v()
        .mostSimilarMany(['king', 'apple'], 1)
        .map((h) => h[0]!.word),
    ).toEqual(['prince', 'man']);
    expect(v().doesntMatch(['king', 'queen', 'prince', 'apple'])).toBe('apple');
    expect(() => v().vector('dragon')).toThrow(/'dragon' is not in the vocabulary/);
  });

  it.each([
    [
      (w: WordVectors) => w.mostSimilar(undefined as never),
      TypeError,
      'mostSimilar: query must be a word, a Float32Array or { positive, negative, topn }, got undefined',
    ],
    [
      (w: WordVectors) => w.mostSimilar(null as never),
      TypeError,
      'mostSimilar: query must be a word, a Float32Array or { positive, negative, topn }, got null',
    ],
    [
      (w: WordVectors) => w.mostSimilar(['king'] as never),
      TypeError,
      'mostSimilar: query must be a word, a Float32Array or { positive, negative, topn }, got an array',
    ],
    [
      (w: WordVectors) => w.mostSimilar({ positive: 'king' } as never),
      TypeError,
      'mostSimilar: query.positive must be an array of words or Float32Arrays, got king',
    ],
    [
      (w: WordVectors) => w.mostSimilar({ postive: ['king'] } as never),
      TypeError,
      "mostSimilar: unknown option 'postive' in query (expected one of: positive, negative, topn)",
    ],
    [(w: WordVectors) => w.mostSimilar({}), RangeError, 'mostSimilar: give at least one positive or negative query'],
    [(w: WordVectors) => w.mostSimilar('king', 0), RangeError, 'mostSimilar: k must be a positive integer, got 0'],
    [(w: WordVectors) => w.mostSimilar({ positive: ['king'], topn: 1.5 }), RangeError, 'mostSimilar: query.topn must be a positive integer, got 1.5'],
    [
      (w: WordVectors) => w.mostSimilar(Float32Array.of(1, 2)),
      TypeError,
      'mostSimilar: a query must be a word or a Float32Array of length 3, got a Float32Array of length 2',
    ],
    [(w: WordVectors) => w.mostSimilar({ positive: [7 as never] }), TypeError, 'mostSimilar: a query must be a word or a Float32Array of length 3, got 7'],
    [
      (w: WordVectors) => w.mostSimilarCosmul(undefined as never),
      TypeError,
      'mostSimilarCosmul: query must be a word, a Float32Array or { positive, negative, topn }, got undefined',
    ],
    [
      (w: WordVectors) => w.mostSimilarMany(undefined as never),
      TypeError,
      'mostSimilarMany: queries must be an array of words or Float32Arrays, got undefined',
    ],
    [
      (w: WordVectors) => w.mostSimilarMany([undefined as never]),
      TypeError,
      'mostSimilarMany: a query must be a word or a Float32Array of length 3, got undefined',
    ],
    [(w: WordVectors) => w.analogy('king', 'man', 'woman', { method: 'div' as never }), TypeError, "analogy: options.method must be 'add' or 'mul', got div"],
    [
      (w: WordVectors) => w.analogy('king', 'man', 'woman', { methd: 'mul' } as never),
      TypeError,
      "analogy: unknown option 'methd' in options (expected one of: method, topn)",
    ],
  ])('refuses a bad query naming it (%#)', (call, cls, message) => {
    const w = v();
    expect(() => call(w)).toThrow(cls);
    expect(() => call(w)).toThrow(message);
  });

  it('evaluates an analogy file per section with coverage', async () => {
    const path = writeTemp(dir, 'q.txt', ': royal\nman king woman queen\nman woman king apple\n: missing\nman king dragon queen\n');
    const r = await evaluateAnalogies(v(), path);
    expect(r.sections.map((s) => [s.section, s.correct, s.answered, s.questions])).toEqual([
      ['royal', 1, 2, 2],
      ['missing', 0, 0, 1],
    ]);
    expect(r.overall.accuracy).toBe(0.5);
    expect(r.coverage).toBeCloseTo(2 / 3, 12);
  });

  it('streams evaluation files: a section of 200 000 questions, and a line too long for either format', async () => {
    const many = writeTemp(dir, 'many.txt', `: royal\n${'man king woman queen\n'.repeat(200_000)}`);
    expect((await evaluateAnalogies(v(), many)).overall).toMatchObject({ correct: 200_000, answered: 200_000 });
    const long = writeTemp(dir, 'long.txt', `\n\n${'x'.repeat(70_000)}\n`);
    for (const evaluate of [evaluateAnalogies, evaluateSimilarity]) {
      await expect(evaluate(v(), long)).rejects.toThrow(new RangeError(`${long}: line 3: longer than 65536 characters`));
    }
    await expect(evaluateAnalogies(v(), `${dir}/none.txt`)).rejects.toThrow(`${dir}/none.txt: does not exist`);
  });

  it('evaluates a similarity file by Spearman correlation with coverage', async () => {
    const path = writeTemp(dir, 's.csv', '# comment\nking,prince,9\nking\tqueen\t5\nking apple 0\nking dragon 3\n');
    const r = await evaluateSimilarity(v(), path);
    expect(r).toMatchObject({ pairs: 4, used: 3, coverage: 0.75 });
    expect(r.spearman).toBeCloseTo(1, 12);
  });
});

describe('spearman', () => {
  it('ranks ties by their mean rank', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
  });
});

describe.runIf(pair)('nearest kernel', () => {
  it('returns the same rows and scores on both backends', () => {
    const rng = new Rng(3);
    const rows = 500,
      cols = 37,
      q = 4,
      k = 7,
      e = 2;
    const matrix = Float32Array.from({ length: rows * cols }, () => rng.uniform() - 0.5);
    const queries = Float32Array.from({ length: q * cols }, () => rng.uniform() - 0.5);
    const exclude = Int32Array.of(0, 5, -1, -1, 17, 17, 499, 3);
    const out = [pair!.js, pair!.native].map((b) => {
      const index = new Int32Array(q * k),
        score = new Float32Array(q * k);
      b.nearest(index, score, matrix, queries, rows, cols, q, k, exclude, e);
      return { index, score };
    });
    expect(out[1]).toEqual(out[0]);
    for (let j = 0; j < q; j++) {
      for (let i = 1; i < k; i++) expect(out[0]!.score[j * k + i]!).toBeLessThanOrEqual(out[0]!.score[j * k + i - 1]!);
    }
  });
});

describe.each(backends.map((b) => [b.name, b]))('word2vec kernel validation on %s', (_, b) => {
  const f32 = (n: number) => new Float32Array(n);
  const job = () => ({
    path: 'x',
    words: new Uint8Array(Buffer.from('a\nb\n')),
    counts: Float64Array.of(2, 1),
    vectorSize: 2,
    window: 1,
    negative: 1,
    nsExponent: 0.75,
    sample: 0,
    alpha: 0.025,
    minAlpha: 0.0001,
    epochs: 1,
    threads: 1,
    seed: 1,
    sg: true,
    hs: false,
    lowercase: false,
    kernel: 'classic' as const,
    saturated: 'limit' as const,
    syn0: f32(4),
    syn1neg: f32(4),
    syn1: null,
    resume: null,
    rank: 0,
    ranks: 1,
  });
  // A resumable state for the job's one thread (threads: 1, epochs: 1).
  const state = () => stateAtStart(Uint32Array.of(1, 2, 3, 4));
  const resume = (edit: Record<string, unknown>) => () => b.word2vecTrain({ ...job(), resume: { ...state(), ...edit } as never });
  const cases: [string, () => unknown, typeof TypeError, string][] = [
    [
      'nearest k',
      () => b.nearest(new Int32Array(2), f32(2), f32(6), f32(3), 2, 3, 1, -1, new Int32Array(0), 0),
      RangeError,
      'nearest: k must be an integer in [0, 2147483647], got -1',
    ],
    [
      'nearest outIndex type',
      () => b.nearest(f32(2) as never, f32(2), f32(6), f32(3), 2, 3, 1, 2, new Int32Array(0), 0),
      TypeError,
      'nearest: outIndex must be an Int32Array',
    ],
    [
      'nearest queries shape',
      () => b.nearest(new Int32Array(2), f32(2), f32(6), f32(2), 2, 3, 1, 2, new Int32Array(0), 0),
      RangeError,
      'nearest: queries must have length 3 for shape (1, 3), got 2',
    ],
    [
      'nearest exclude shape',
      () => b.nearest(new Int32Array(2), f32(2), f32(6), f32(3), 2, 3, 1, 2, new Int32Array(1), 2),
      RangeError,
      'nearest: exclude must have length 2 for shape (1, 2), got 1',
    ],
    ['vocab job', () => b.word2vecVocab(null as never), TypeError, 'word2vecVocab: job must be an object'],
    [
      'vocab minCount',
      () => b.word2vecVocab({ path: 'x', minCount: 0, maxFinalVocab: 0, lowercase: false, part: 0, parts: 1 }),
      RangeError,
      'word2vecVocab: job.minCount must be an integer in [1, 9007199254740991], got 0',
    ],
    ['train path', () => b.word2vecTrain({ ...job(), path: 3 as never }), TypeError, 'word2vecTrain: job.path must be a string'],
    [
      'train counts length',
      () => b.word2vecTrain({ ...job(), counts: Float64Array.of(1) }),
      RangeError,
      'word2vecTrain: job.counts must have length 2 (one per word), got 1',
    ],
    [
      'train counts order',
      () => b.word2vecTrain({ ...job(), counts: Float64Array.of(1, 2) }),
      RangeError,
      'word2vecTrain: job.counts must be non-increasing (sorted by count)',
    ],
    [
      'train count value',
      () => b.word2vecTrain({ ...job(), counts: Float64Array.of(2, 0.5) }),
      RangeError,
      'word2vecTrain: job.counts[1] must be an integer in [1, 9007199254740991], got 0.5',
    ],
    [
      'train duplicate',
      () => b.word2vecTrain({ ...job(), words: new Uint8Array(Buffer.from('a\na\n')) }),
      RangeError,
      'word2vecTrain: job.words has a duplicate word at index 1',
    ],
    [
      'train words end',
      () => b.word2vecTrain({ ...job(), words: new Uint8Array(Buffer.from('a\nb')) }),
      RangeError,
      "word2vecTrain: job.words must end with '\\n' (each word is followed by one)",
    ],
    ['train threads', () => b.word2vecTrain({ ...job(), threads: 0 }), RangeError, 'word2vecTrain: job.threads must be an integer in [1, 1024], got 0'],
    ['train alpha', () => b.word2vecTrain({ ...job(), alpha: NaN }), RangeError, 'word2vecTrain: job.alpha must be finite, got NaN'],
    ['train kernel type', () => b.word2vecTrain({ ...job(), kernel: 1 as never }), TypeError, 'word2vecTrain: job.kernel must be a string'],
    ['train kernel missing', () => b.word2vecTrain({ ...job(), kernel: undefined as never }), TypeError, 'word2vecTrain: job.kernel must be a string'],
    [
      'train kernel value',
      () => b.word2vecTrain({ ...job(), kernel: 'fast' as never }),
      RangeError,
      "word2vecTrain: job.kernel must be 'batched' or 'classic', got 'fast'",
    ],
    ['train saturated type', () => b.word2vecTrain({ ...job(), saturated: true as never }), TypeError, 'word2vecTrain: job.saturated must be a string'],
    ['train saturated missing', () => b.word2vecTrain({ ...job(), saturated: undefined as never }), TypeError, 'word2vecTrain: job.saturated must be a string'],
    [
      'train saturated value',
      () => b.word2vecTrain({ ...job(), saturated: 'clip' as never }),
      RangeError,
      "word2vecTrain: job.saturated must be 'limit' or 'skip', got 'clip'",
    ],
    ['train syn0', () => b.word2vecTrain({ ...job(), syn0: f32(3) }), RangeError, 'word2vecTrain: job.syn0 must have length 4 for shape (2, 2), got 3'],
    ['train syn1neg', () => b.word2vecTrain({ ...job(), syn1neg: null }), TypeError, 'word2vecTrain: job.syn1neg must be a Float32Array when job.negative > 0'],
    ['train syn1', () => b.word2vecTrain({ ...job(), hs: true }), TypeError, 'word2vecTrain: job.syn1 must be a Float32Array when job.hs is true'],
    ['train callback', () => b.word2vecTrain(job(), 3 as never), TypeError, 'word2vecTrain: onProgress must be a function'],
    ['train resume missing', () => b.word2vecTrain({ ...job(), resume: undefined as never }), TypeError, 'word2vecTrain: job.resume must be an object or null'],
    [
      'train resume function',
      () => b.word2vecTrain({ ...job(), resume: (() => 1) as never }),
      TypeError,
      'word2vecTrain: job.resume must be an object or null',
    ],
    [
      'vocab parts',
      () => b.word2vecVocab({ path: 'x', minCount: 1, maxFinalVocab: 0, lowercase: false, part: 0, parts: 0 }),
      RangeError,
      'word2vecVocab: job.parts must be an integer in [1, 65536], got 0',
    ],
    [
      'vocab part',
      () => b.word2vecVocab({ path: 'x', minCount: 1, maxFinalVocab: 0, lowercase: false, part: 2, parts: 2 }),
      RangeError,
      'word2vecVocab: job.part must be an integer in [0, 1], got 2',
    ],
    ['train ranks', () => b.word2vecTrain({ ...job(), ranks: 1.5 }), RangeError, 'word2vecTrain: job.ranks must be an integer in [1, 65536], got 1.5'],
    ['train rank', () => b.word2vecTrain({ ...job(), rank: 1 }), RangeError, 'word2vecTrain: job.rank must be an integer in [0, 0], got 1'],
    ['train resume epoch', resume({ epoch: 3 }), RangeError, 'word2vecTrain: job.resume.epoch must be an integer in [1, 2], got 3'],
    [
      'train resume wordsBefore',
      resume({ wordsBefore: -1 }),
      RangeError,
      'word2vecTrain: job.resume.wordsBefore must be an integer in [0, 9007199254740991], got -1',
    ],
    ['train resume offsets type', resume({ offsets: [0] }), TypeError, 'word2vecTrain: job.resume.offsets must be a Float64Array'],
    [
      'train resume words length',
      resume({ words: Float64Array.of(0, 0) }),
      RangeError,
      'word2vecTrain: job.resume.words must have length 1 for shape (1), got 2',
    ],
    ['train resume finished type', resume({ finished: Float64Array.of(0) }), TypeError, 'word2vecTrain: job.resume.finished must be a Uint8Array'],
    ['train resume rng length', resume({ rng: Uint32Array.of(1, 2, 3) }), RangeError, 'word2vecTrain: job.resume.rng must have length 4 for shape (4), got 3'],
    [
      'train resume offset value',
      resume({ offsets: Float64Array.of(0.5) }),
      RangeError,
      'word2vecTrain: job.resume.offsets[0] must be an integer in [0, 9007199254740991], got 0.5',
    ],
    [
      'train resume terms value',
      resume({ terms: Float64Array.of(NaN) }),
      RangeError,
      'word2vecTrain: job.resume.terms[0] must be an integer in [0, 9007199254740991], got NaN',
    ],
    [
      'train resume loss value',
      resume({ loss: Float64Array.of(-Infinity) }),
      RangeError,
      'word2vecTrain: job.resume.loss[0] must be finite and ≥ 0, got -Infinity',
    ],
    ['train resume finished value', resume({ finished: Uint8Array.of(2) }), RangeError, 'word2vecTrain: job.resume.finished[0] must be 0 or 1, got 2'],
    ['train resume rng zero', resume({ rng: new Uint32Array(4) }), RangeError, 'word2vecTrain: job.resume.rng must not hold an all-zero state (thread 0)'],
  ];
  it.each(cases)('%s', (_label, call, cls, message) => {
    let err: unknown = null;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).toBe(message);
  });

  it('a vocabulary that passed is checked again when another counts array comes with it', async () => {
    // The check of a vocabulary runs once per pair of arrays (a run's segments share them); a new pair is checked.
    const valid = job();
    await expect(b.word2vecTrain(valid)).rejects.toThrow();
    expect(() => b.word2vecTrain({ ...valid, counts: Float64Array.of(1, 2) })).toThrow(
      new RangeError('word2vecTrain: job.counts must be non-increasing (sorted by count)'),
    );
    expect(() => b.word2vecTrain({ ...valid, counts: Float64Array.of(2) })).toThrow(
      new RangeError('word2vecTrain: job.counts must have length 2 (one per word), got 1'),
    );
  });

  // On the TS backend, where starting a job costs nothing of its own, so the check is all a call's time; the
  // native binding also copies the vocabulary on the JS thread (O(bytes), slow under the sanitizers' build).
  it.runIf(b.name === 'js')("the first job on the vocabulary pass's own output starts without a pass over it", async () => {
    // Checking a vocabulary is O(words) on the JS thread (~0.15 s at a million words); the pass's output is
    // trusted, while the same words in other arrays are checked. Path 'x' does not exist: each job rejects
    // once started, and what is timed is the call, which checks its arguments.
    const n = 200_000;
    const dir = tempDir();
    try {
      const path = writeTemp(dir, 'distinct.txt', `${Array.from({ length: n }, (_, i) => `w${i}`).join(' ')}\n`);
      const vocab = await b.word2vecVocab({ path, minCount: 1, maxFinalVocab: 0, lowercase: false, part: 0, parts: 1 });
      expect(vocab.counts.length).toBe(n);
      const start = async (words: Uint8Array, counts: Float64Array) => {
        const t = performance.now();
        const started = b.word2vecTrain({ ...job(), words, counts, vectorSize: 1, syn0: f32(n), syn1neg: f32(n) });
        const ms = performance.now() - t;
        await expect(started).rejects.toThrow();
        return ms;
      };
      // The copy first, so the checker's code is warm when the pass's own arrays come.
      const copied = await start(vocab.words.slice(), vocab.counts.slice());
      const trusted = await start(vocab.words, vocab.counts);
      expect(copied).toBeGreaterThan(4 * trusted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(b.name === 'js')('the TS backend refuses to resume a state of several threads (it trains on one)', () => {
    const two = {
      ...state(),
      offsets: Float64Array.of(0, 0),
      words: Float64Array.of(0, 0),
      loss: Float64Array.of(0, 0),
      terms: Float64Array.of(0, 0),
      finished: Uint8Array.of(0, 0),
      rng: Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    };
    expect(() => b.word2vecTrain({ ...job(), threads: 2, resume: two })).toThrow(
      new RangeError('word2vecTrain: the TS backend trains on one thread, so it resumes only one-thread states; job.threads is 2'),
    );
  });
});
