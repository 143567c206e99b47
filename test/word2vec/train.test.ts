/**
 * word2vec training on both backends: planted analogies, one-thread
 * determinism, native and TS giving identical vectors and losses, the loss
 * of every epoch, progress, cancellation,
 * divergence, vocabulary order, corpora from iterables and the option checks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { useBackend } from '../../src/backend/select.js';
import { Word2Vec, type TrainOptions } from '../../src/word2vec/word2vec.js';
import { CorpusError } from '../../src/word2vec/corpus.js';
import { readWord2VecCheckpoint } from '../../src/word2vec/checkpoint.js';
import { plantedAnalogies } from '../../src/datasets/planted-corpus.js';
import type { Word2VecProgress } from '../../src/backend/word2vec.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { inSomeTry } from '../helpers/timing.js';
import { plantedFile, tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const small = plantedFile(dir, 12000);
const base: Omit<TrainOptions, 'input'> = { vectorSize: 24, window: 4, minCount: 5, epochs: 3, threads: 1, seed: 7, sample: 0 };
const backends = backendsUnderTest();

describe.each(backends.map((b) => [b.name]))('word2vec on %s', (name) => {
  const train = (options: Partial<TrainOptions> = {}) => {
    useBackend(name as 'js' | 'native');
    return Word2Vec.train({ input: small, ...base, ...options });
  };

  it('learns the planted analogies (skip-gram, negative sampling)', async () => {
    const v = await train();
    const questions = plantedAnalogies();
    const right = questions.filter(([a, b, c, d]) => v.analogy(a, b, c)[0]!.word === d).length;
    expect(right / questions.length).toBeGreaterThanOrEqual(0.9);
    expect(v.training).toMatchObject({ epochsCompleted: 3 });
    expect(v.training).not.toHaveProperty('cancelled');
  });

  it('learns them with CBOW (negative sampling) and with hierarchical softmax (skip-gram)', async () => {
    const questions = plantedAnalogies();
    const score = async (options: Partial<TrainOptions>) => {
      const v = await train(options);
      return questions.filter(([a, b, c, d]) => v.analogy(a, b, c)[0]!.word === d).length / questions.length;
    };
    expect(await score({ sg: false, alpha: 0.05, epochs: 5 })).toBeGreaterThanOrEqual(0.9);
    expect(await score({ hs: true, negative: 0 })).toBeGreaterThanOrEqual(0.8);
  });

  it('learns them with the batched kernel too', async () => {
    const v = await train({ kernel: 'batched' });
    const questions = plantedAnalogies();
    const right = questions.filter(([a, b, c, d]) => v.analogy(a, b, c)[0]!.word === d).length;
    expect(right / questions.length).toBeGreaterThanOrEqual(0.9);
  });

  it.each(['classic', 'batched'] as const)('gives the same vectors for the same seed on one thread, other vectors for another seed (%s)', async (kernel) => {
    const a = await train({ epochs: 1, sample: 1e-3, kernel });
    const b = await train({ epochs: 1, sample: 1e-3, kernel });
    const c = await train({ epochs: 1, sample: 1e-3, seed: 8, kernel });
    expect(b.vectors).toEqual(a.vectors);
    expect(c.vectors).not.toEqual(a.vectors);
  });

  it('the kernels differ for skip-gram with negative sampling only', async () => {
    const input = plantedFile(dir, 1500);
    const kernels = async (options: Partial<TrainOptions>) => {
      const [classic, batched] = [
        await train({ input, epochs: 1, ...options, kernel: 'classic' }),
        await train({ input, epochs: 1, ...options, kernel: 'batched' }),
      ];
      return Buffer.from(classic.vectors.buffer).equals(Buffer.from(batched.vectors.buffer));
    };
    expect(await kernels({})).toBe(false);
    expect(await kernels({ sg: false })).toBe(true);
    expect(await kernels({ hs: true })).toBe(true);
  });

  it('orders the vocabulary by count, then by bytes; applies minCount, maxFinalVocab and lowercase', async () => {
    const path = writeTemp(dir, `vocab-${name}.txt`, 'b a c b\nB c a b\nA d d d\ne\n' + 'x'.repeat(1001) + ' b\n');
    useBackend(name as 'js' | 'native');
    const opts = { input: path, vectorSize: 4, minCount: 1, epochs: 1, threads: 1 } as const;
    const v = await Word2Vec.train(opts);
    // the 1001-byte token is dropped; counts b 4, d 3, a 2, c 2, A 1, B 1, e 1
    expect(v.words).toEqual(['b', 'd', 'a', 'c', 'A', 'B', 'e']);
    expect(Array.from(v.counts!)).toEqual([4, 3, 2, 2, 1, 1, 1]);
    expect((await Word2Vec.train({ ...opts, minCount: 2, maxFinalVocab: 3 })).words).toEqual(['b', 'd', 'a']);
    expect((await Word2Vec.train({ ...opts, lowercase: true })).words).toEqual(['b', 'a', 'd', 'c', 'e']);
  });

  it('reports the mean loss of every epoch, the last one being the final loss', async () => {
    const { training } = await train({ epochs: 3 });
    expect(training.epochLosses).toHaveLength(3);
    for (const loss of training.epochLosses) expect(loss).toBeGreaterThan(0);
    expect(training.epochLosses[2]).toBe(training.loss);
    expect(training.epochLosses[2]).toBeLessThan(training.epochLosses[0]!); // it learns
  });

  it('reports monotonic progress at least once a second, ending at 1 and the words read', async () => {
    const seen: Word2VecProgress[] = [];
    const input = plantedFile(dir, name === 'js' ? 12000 : 30000, 2);
    // Report times while training (the vocabulary scan before it reports through its own job), then the settled promise.
    const times: number[] = [];
    const v = await train({
      input,
      epochs: name === 'js' ? 3 : 4,
      onProgress: (p) => {
        seen.push(p);
        times.push(performance.now());
      },
    });
    times.push(performance.now());
    expect(seen.length).toBeGreaterThan(1);
    // Reports come every ~200 ms (the trainers' cadence): a second leaves a 5× margin for a loaded machine.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThan(1000);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
      expect(seen[i]!.words).toBeGreaterThanOrEqual(seen[i - 1]!.words);
    }
    const last = seen.at(-1)!;
    expect(last.progress).toBe(1);
    expect(last.words).toBe(v.training.words);
    expect(v.training.words).toBe((name === 'js' ? 3 : 4) * Array.from(v.counts!).reduce((s, c) => s + c, 0));
    for (const p of seen) expect(Number.isFinite(p.loss) && p.loss > 0 && p.lr > 0).toBe(true);
  });

  it('rejects soon after an abort with its reason, having written the checkpoint the run continues from', async () => {
    const input = plantedFile(dir, 60000, 3);
    const checkpoint = `${dir}/aborted-${name}.ckpt`;
    // Within 1 s of the abort in one of three tries (a loaded machine may
    // stall one); a trainer that ignored it would run all 20 epochs.
    await inSomeTry(3, async () => {
      const controller = new AbortController();
      const stop = new Error('stop');
      let abortedAt = 0;
      const aborted = train({
        input,
        epochs: 20,
        checkpoint,
        onProgress: () => {
          if (!abortedAt) {
            abortedAt = performance.now();
            controller.abort(stop);
          }
        },
        signal: controller.signal,
      });
      await expect(aborted).rejects.toBe(stop);
      const settleMs = performance.now() - abortedAt;
      // Stopped early in the run; the checkpoint's vectors are the ones trained so far (checkpoint.test.ts resumes such files).
      const saved = await readWord2VecCheckpoint(checkpoint);
      expect(saved.state.epoch).toBeLessThan(20);
      expect(saved.syn0.every(Number.isFinite)).toBe(true);
      expect(settleMs).toBeLessThan(1000);
    });
  });

  it('rejects a diverging run with a clear error', async () => {
    await expect(train({ alpha: 1e30, minAlpha: 1e30, epochs: 1 })).rejects.toThrow(/diverged.*epoch 1.*lower alpha/);
  });

  it('refuses the vectors of a corpus emptied, or rewritten without its words, during training, naming it', async () => {
    const bytes = readFileSync(small);
    const during = async (label: string, change: (path: string) => void, message: RegExp) => {
      const input = writeTemp(dir, `changing-${label}-${name}.txt`, bytes);
      let changed = false;
      const run = train({
        input,
        onProgress: () => {
          if (!changed) {
            changed = true;
            change(input);
          }
        },
      });
      await expect(run).rejects.toThrow(CorpusError);
      await expect(run).rejects.toThrow(message);
    };
    await during(
      'truncated',
      (path) => truncateSync(path, 0),
      new RegExp(
        `Word2Vec\\.train: corpus .*changing-truncated-${name}\\.txt changed during training: ${bytes.length} bytes when training started, 0 bytes now; no vectors are returned`,
      ),
    );
    // The same size, no word of the vocabulary left: the epochs after the change read nothing.
    await during(
      'blanked',
      (path) => writeFileSync(path, ' '.repeat(bytes.length)),
      /Word2Vec\.train: corpus .*changing-blanked-.*\.txt changed during training: its 3 epoch\(s\) read \d+ words of the vocabulary, fewer than the \d+ per epoch the vocabulary pass counted/,
    );
  });

  it('trains from an async iterable of strings', async () => {
    async function* lines() {
      for (let i = 0; i < 200; i++) yield 'the cat sat on the mat';
    }
    useBackend(name as 'js' | 'native');
    const v = await Word2Vec.train({ input: lines(), vectorSize: 8, minCount: 1, epochs: 1 });
    expect(v.words).toEqual(['the', 'cat', 'mat', 'on', 'sat']);
  });

  it('trains from a byte stream (process.stdin, a file stream) exactly as from the file, chunks cut inside words and lines', async () => {
    useBackend(name as 'js' | 'native');
    const bytes = readFileSync(small);
    // Latin-1 bytes too: they must reach the trainer as they are, never through a string.
    const latin1 = Buffer.from('café crème\n', 'latin1');
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 4093) yield bytes.subarray(at, at + 4093);
      yield new Uint8Array(latin1.subarray(0, 3));
      yield latin1.subarray(3);
    }
    const file = writeTemp(dir, 'stream.txt', Buffer.concat([bytes, latin1]));
    const options = { ...base, epochs: 1, minCount: 1, encoding: 'latin1' } as const;
    const streamed = await Word2Vec.train({ input: chunks(), ...options });
    const direct = await Word2Vec.train({ input: file, ...options });
    expect(streamed.words).toEqual(direct.words);
    expect(streamed.words).toContain('café');
    expect(streamed.vectors).toEqual(direct.vectors);
    async function* numbers() {
      yield 42;
    }
    await expect(Word2Vec.train({ input: numbers() as never, ...options })).rejects.toThrow(
      new TypeError('Word2Vec.train: input iterable must yield strings or bytes (Uint8Array)'),
    );
  });

  it('refuses unknown and bad options, naming them', async () => {
    await expect(train({ dim: 5 } as never)).rejects.toThrow(/unknown option 'dim'/);
    await expect(train({ window: 0 })).rejects.toThrow(RangeError);
    await expect(train({ epochs: 2 ** 31 })).rejects.toThrow('Word2Vec.train: epochs must be at most 2147483647, got 2147483648');
    // As the CLI's --max-vocab: no cap is maxFinalVocab left out, not 0.
    await expect(train({ maxFinalVocab: 0 })).rejects.toThrow('Word2Vec.train: maxFinalVocab must be a positive integer, got 0');
    await expect(train({ negative: 0 })).rejects.toThrow(/hs must be true/);
    await expect(train({ kernel: 'fast' as never })).rejects.toThrow("Word2Vec.train: kernel must be 'batched' or 'classic', got fast");
    await expect(train({ saturated: 'clip' as never })).rejects.toThrow("Word2Vec.train: saturated must be 'limit' or 'skip', got clip");
    await expect(train({ input: `${dir}/missing.txt` })).rejects.toThrow(/missing\.txt/);
  });
});

describe.runIf(backendPair())('native and TS trainers', () => {
  // Same RNG stream, same vocabulary, same float32 roundings in the same
  // order (vecmath.h / vecmath.ts), same tables: with one thread the vectors
  // are identical bit for bit, not merely close. (That needs a C++ build that
  // does not fuse multiply-adds, which GCC may do by default: binding.gyp and
  // native/CMakeLists.txt pass -ffp-contract=off.)
  for (const [label, options] of [
    ['skip-gram + negative sampling with subsampling', { sample: 1e-3 }],
    ['CBOW + hierarchical softmax + negative sampling', { sg: false, hs: true }],
    ['batched skip-gram + negative sampling with subsampling', { sample: 1e-3, kernel: 'batched' }],
    ['batched skip-gram, 12 negatives (repeated noise words merge)', { negative: 12, kernel: 'batched', epochs: 1 }],
  ] as const) {
    it(`agree exactly on one thread: ${label}`, async () => {
      const run = async (name: 'js' | 'native') => {
        useBackend(name);
        return Word2Vec.train({ input: small, ...base, epochs: 2, ...options });
      };
      const native = await run('native');
      const ts = await run('js');
      expect(ts.words).toEqual(native.words);
      expect(ts.training.loss).toBe(native.training.loss);
      expect(ts.training.epochLosses).toEqual(native.training.epochLosses);
      expect(ts.vectors).toEqual(native.vectors);
    });
  }

  it.each(['classic', 'batched'] as const)('native with several threads still learns the analogies (%s)', async (kernel) => {
    useBackend('native');
    const v = await Word2Vec.train({ input: small, ...base, threads: 2, kernel });
    const questions = plantedAnalogies();
    const right = questions.filter(([a, b, c, d]) => v.analogy(a, b, c)[0]!.word === d).length;
    expect(right / questions.length).toBeGreaterThanOrEqual(0.85);
  });
});
