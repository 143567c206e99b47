/**
 * word2vec checkpoints on both backends: a one-thread run interrupted at
 * any moment and resumed from its checkpoint ends byte-identical to an
 * uninterrupted run (so does one paused every few milliseconds to write
 * checkpoints); checkpoints move between backends; a checkpoint that is
 * truncated, tampered with or paired with another corpus fails with a
 * message naming the file and the fault.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { encodeSafetensors, ModelFileError } from '../../src/io/safetensors.js';
import { readWord2VecCheckpoint, writeWord2VecCheckpoint } from '../../src/word2vec/checkpoint.js';
import { Word2Vec, type TrainOptions } from '../../src/word2vec/word2vec.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { plantedFile, tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 12000);
// Native trains ~10× faster: a longer corpus, so interruptions land inside epochs.
const longCorpus = plantedFile(dir, 60000);
// Subsampling on, so the generator's state matters between sentences too.
const base: Omit<TrainOptions, 'input'> = { vectorSize: 16, window: 3, minCount: 5, epochs: 2, threads: 1, seed: 5, sample: 1e-3 };
const backends = backendsUnderTest();
// A run stopped by stopAtFirstReport rejects with its AbortError (a fast machine may finish first).
const stopped = (run: Promise<unknown>) => run.catch((err: Error) => expect(err.name).toBe('AbortError'));
const names = backends.map((b) => b.name);

/**
 * Aborts a run at its first progress report: training is then surely under
 * way (a fixed timer may fire before the vocabulary scan ends on a loaded
 * machine, leaving no checkpoint), and the checkpoint holds a mid-run state.
 */
function stopAtFirstReport(): { signal: AbortSignal; onProgress: () => void } {
  const controller = new AbortController();
  return { signal: controller.signal, onProgress: () => controller.abort() };
}

/** Trains `options` whole, and again with a checkpoint, aborted once epoch 2 begins, then resumed from it. */
async function stopInEpoch2AndResume(options: TrainOptions, path: string) {
  const whole = await Word2Vec.train(options);
  const controller = new AbortController();
  await expect(
    Word2Vec.train({
      ...options,
      checkpoint: path,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 2) controller.abort();
      },
    }),
  ).rejects.toMatchObject({ name: 'AbortError' });
  return { whole, saved: await readWord2VecCheckpoint(path), resumed: await Word2Vec.resume(path) };
}

describe.each(names.map((n) => [n]))('word2vec checkpoints on %s', (name) => {
  const use = () => useBackend(name);

  it('a run interrupted at any moment and resumed ends byte-identical to an uninterrupted one', async () => {
    use();
    const input = name === 'native' ? longCorpus : corpus;
    const started = performance.now();
    const whole = await Word2Vec.train({ input, ...base });
    const duration = performance.now() - started;
    let midEpoch = 0;
    for (const [i, fraction] of [0.35, 0.55, 0.75, 0.9].entries()) {
      const path = join(dir, `${name}-interrupted-${i}.ckpt`);
      const controller = new AbortController();
      const stop = new Error('stop');
      setTimeout(() => controller.abort(stop), fraction * duration);
      // An aborted run rejects with the reason once its checkpoint is written; a busy machine may finish first.
      await Word2Vec.train({ input, ...base, signal: controller.signal, checkpoint: path }).then(
        () => expect(controller.signal.aborted).toBe(false),
        (err: unknown) => expect(err).toBe(stop),
      );
      // Aborted before training began (a busy machine): nothing was checkpointed.
      if (!existsSync(path)) continue;
      const saved = await readWord2VecCheckpoint(path);
      if (saved.state.epoch <= base.epochs! && saved.state.offsets[0]! > 0) midEpoch++;
      const resumed = await Word2Vec.resume(path);
      expect(resumed.training.words).toBe(whole.training.words);
      expect(Buffer.from(resumed.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
    }
    // The moments are spread over the run, so most land inside an epoch.
    expect(midEpoch).toBeGreaterThan(0);
    // ~4 s natively; 34 s in CI's AddressSanitizer build on a busy machine.
  }, 120_000);

  it('pausing every few milliseconds to write a checkpoint changes nothing, and a finished checkpoint resumes at once', async () => {
    use();
    const input = name === 'native' ? longCorpus : corpus;
    const whole = await Word2Vec.train({ input, ...base, hs: true, sg: false });
    const path = join(dir, `${name}-periodic.ckpt`);
    const paused = await Word2Vec.train({ input, ...base, hs: true, sg: false, checkpoint: { path, everySeconds: 0.02 } });
    expect(Buffer.from(paused.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
    // Each epoch's mean loss once, over all the paused jobs, as in the whole run.
    expect(paused.training.epochLosses).toEqual(whole.training.epochLosses);
    const saved = await readWord2VecCheckpoint(path);
    expect(saved.state.epoch).toBe(base.epochs! + 1);
    const again = await Word2Vec.resume(path);
    expect(again.training.epochsCompleted).toBe(base.epochs);
    expect(Buffer.from(again.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
  }, 120_000); // 18 s in the AddressSanitizer build

  it('the batched kernel resumes byte-identical too, from a stop after the first epoch', async () => {
    use();
    const input = name === 'native' ? longCorpus : corpus;
    // Native's batched epochs are short (~0.3 s here): enough of them that the abort lands before the end.
    const { whole, saved, resumed } = await stopInEpoch2AndResume(
      { input, ...base, kernel: 'batched', epochs: name === 'native' ? 4 : 2 },
      join(dir, `${name}-batched.ckpt`),
    );
    expect(saved.settings.kernel).toBe('batched');
    expect(resumed.training.words).toBe(whole.training.words);
    // The resumed call's own words: what the checkpoint had not read (its speed counts these).
    const before = saved.state.words.reduce((sum, w) => sum + w, saved.state.wordsBefore);
    expect(before).toBeGreaterThan(0);
    expect(resumed.training.wordsThisRun).toBe(whole.training.words - before);
    expect(whole.training.wordsThisRun).toBe(whole.training.words);
    expect(Buffer.from(resumed.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
    // Three runs: ~4 s natively, ~30 s in CI's AddressSanitizer build (about 8× slower).
  }, 120_000);

  it('the saturated rule is stored and a run under it resumes byte-identical', async () => {
    use();
    const input = name === 'native' ? longCorpus : corpus;
    // A high rate, so scores saturate and the rule matters (saturated.test.ts shows the rules then differ).
    const { whole, saved, resumed } = await stopInEpoch2AndResume(
      { input, ...base, saturated: 'skip', alpha: 0.2, epochs: name === 'native' ? 4 : 2 },
      join(dir, `${name}-saturated.ckpt`),
    );
    expect(saved.settings.saturated).toBe('skip');
    expect(Buffer.from(resumed.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
  }, 120_000); // as the batched kernel's test above

  it('a resumed job stopped before it reads a byte hands its state back unchanged', async () => {
    use();
    const path = join(dir, `${name}-unchanged.ckpt`);
    await stopped(Word2Vec.train({ input: corpus, ...base, checkpoint: { path, everySeconds: 0.01 }, ...stopAtFirstReport() }));
    const saved = await readWord2VecCheckpoint(path);
    const s = saved.settings;
    const result = await backends
      .find((b) => b.name === name)!
      .word2vecTrain(
        {
          path: corpus,
          words: saved.words,
          counts: saved.counts,
          vectorSize: s.vectorSize,
          window: s.window,
          negative: s.negative,
          nsExponent: s.nsExponent,
          sample: s.sample,
          alpha: s.alpha,
          minAlpha: s.minAlpha,
          epochs: s.epochs,
          threads: s.threads,
          seed: s.seed,
          sg: s.sg,
          hs: s.hs,
          lowercase: s.lowercase,
          kernel: s.kernel,
          saturated: s.saturated,
          syn0: saved.syn0,
          syn1neg: saved.syn1neg,
          syn1: saved.syn1,
          resume: saved.state,
          rank: 0,
          ranks: 1,
        },
        undefined,
        AbortSignal.abort(),
      );
    expect(result.state).toEqual(saved.state);
  });

  it('resumes a run trained from an async iterable when given the same lines, and refuses another corpus', async () => {
    use();
    const text = readFileSync(corpus, 'utf8');
    async function* lines(t: string) {
      yield t;
    }
    const path = join(dir, `${name}-iterable.ckpt`);
    const aborted = AbortSignal.abort();
    await expect(Word2Vec.train({ input: lines(text), ...base, epochs: 1, checkpoint: path, signal: aborted })).rejects.toBe(aborted.reason);
    // Aborted before training started: nothing to resume from.
    await expect(readWord2VecCheckpoint(path)).rejects.toThrow(`${name}-iterable.ckpt: does not exist`);
    await Word2Vec.train({ input: lines(text), ...base, epochs: 1, checkpoint: path });
    await expect(Word2Vec.resume(path)).rejects.toThrow(/was trained from an async iterable, which is not kept; pass the same corpus as options.input/);
    const again = await Word2Vec.resume(path, { input: lines(text) });
    expect(again.training.epochsCompleted).toBe(1);
    const other = writeTemp(dir, 'other.txt', text.replace('a', 'b'));
    await expect(Word2Vec.resume(path, { input: other })).rejects.toThrow(/is not the one .* was trained on \(\d+ bytes, expected \d+, different content\)/);
    const shorter = writeTemp(dir, 'shorter.txt', text.slice(1));
    await expect(Word2Vec.resume(path, { input: shorter })).rejects.toThrow(RangeError);
  }, 60_000);
});

describe.runIf(backendPair())('word2vec checkpoints across backends', () => {
  it('a native one-thread checkpoint resumes on TS to the same vectors', async () => {
    useBackend('native');
    const whole = await Word2Vec.train({ input: corpus, ...base });
    const path = join(dir, 'cross.ckpt');
    await stopped(Word2Vec.train({ input: corpus, ...base, epochs: base.epochs, checkpoint: { path, everySeconds: 0.01 }, ...stopAtFirstReport() }));
    useBackend('js');
    const resumed = await Word2Vec.resume(path);
    expect(Buffer.from(resumed.vectors.buffer).equals(Buffer.from(whole.vectors.buffer))).toBe(true);
  }, 60_000);

  it('native with two threads resumes to completion (the TS backend refuses its checkpoint)', async () => {
    useBackend('native');
    const path = join(dir, 'two-threads.ckpt');
    const whole = await Word2Vec.train({ input: corpus, ...base, threads: 2 });
    await stopped(Word2Vec.train({ input: corpus, ...base, threads: 2, checkpoint: { path, everySeconds: 0.01 }, ...stopAtFirstReport() }));
    useBackend('js');
    await expect(Word2Vec.resume(path)).rejects.toThrow('was written by 2 native threads; the TS backend trains on one');
    useBackend('native');
    const resumed = await Word2Vec.resume(path);
    // Every token of every epoch read exactly once, however the run was cut.
    expect(resumed.training.words).toBe(whole.training.words);
  }, 60_000);
});

describe('word2vec checkpoint files', () => {
  const tiny = writeTemp(dir, 'tiny.txt', 'a b c a b a\nc a b\n');
  const makeTiny = async () => {
    const path = join(dir, 'tiny.ckpt');
    await Word2Vec.train({ input: tiny, vectorSize: 2, minCount: 1, epochs: 1, threads: 1, sample: 0, hs: true, checkpoint: path });
    return path;
  };

  it('round-trips every tensor and setting bit-exactly', async () => {
    const path = await makeTiny();
    const saved = await readWord2VecCheckpoint(path);
    const copy = join(dir, 'tiny-copy.ckpt');
    await writeWord2VecCheckpoint(copy, saved);
    expect(readFileSync(copy).equals(readFileSync(path))).toBe(true);
    expect(saved.settings.hs).toBe(true);
    expect(Buffer.from(saved.words).toString()).toBe('a\nb\nc\n');
    expect([...saved.counts]).toEqual([4, 3, 2]);
  });

  it('reads a checkpoint written before the kernel and saturated settings existed as classic with the limit rule', async () => {
    const saved = await readWord2VecCheckpoint(await makeTiny());
    const old = join(dir, 'old.ckpt');
    const { kernel: _kernel, saturated: _saturated, ...settings } = saved.settings;
    await writeWord2VecCheckpoint(old, { ...saved, settings: settings as typeof saved.settings });
    expect((await readWord2VecCheckpoint(old)).settings).toMatchObject({ kernel: 'classic', saturated: 'limit' });
    await writeWord2VecCheckpoint(old, { ...saved, settings: { ...saved.settings, saturated: 'clip' as never } });
    await expect(readWord2VecCheckpoint(old)).rejects.toThrow(/old\.ckpt: invalid settings: saturated must be 'limit' or 'skip', got clip/);
  });

  it('fails with a typed error naming the file at every truncation', async () => {
    const path = await makeTiny();
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.ckpt');
    for (let length = 0; length < bytes.length; length++) {
      writeFileSync(cut, bytes.subarray(0, length));
      await expect(readWord2VecCheckpoint(cut), `truncated to ${length} bytes`).rejects.toThrow(ModelFileError);
    }
  }, 30_000);

  it('refuses tampered contents with a message naming the fault', async () => {
    const path = await makeTiny();
    const saved = await readWord2VecCheckpoint(path);
    const bad = join(dir, 'bad.ckpt');
    const expectFault = async (edit: (c: typeof saved) => void, message: RegExp) => {
      const c = structuredClone(saved);
      edit(c);
      await writeWord2VecCheckpoint(bad, c);
      await expect(readWord2VecCheckpoint(bad).then((x) => x && Word2Vec.resume(bad, { input: tiny }))).rejects.toThrow(message);
    };
    await expectFault((c) => {
      c.syn0[1] = NaN;
    }, /bad\.ckpt: tensor 'syn0' holds NaN at index 1/);
    await expectFault((c) => {
      c.state.rng.fill(0);
    }, /bad\.ckpt: word2vecTrain: job\.resume\.rng must not hold an all-zero state/);
    await expectFault((c) => {
      c.state.epoch = 9;
    }, /bad\.ckpt: word2vecTrain: job\.resume\.epoch must be an integer in \[1, 2\], got 9/);
    await expectFault((c) => {
      c.counts[0] = 1;
    }, /bad\.ckpt: word2vecTrain: job\.counts must be non-increasing/);
    await expectFault((c) => {
      c.settings.vectorSize = 3;
    }, /bad\.ckpt: tensor 'syn0' shape \[3,3\] needs 36 bytes but data_offsets span 24/);
    await expectFault((c) => {
      c.settings.threads = 0;
    }, /bad\.ckpt: invalid settings: threads must be a positive integer, got 0/);
    await expectFault((c) => {
      c.settings.hs = false;
    }, /bad\.ckpt: unexpected tensor 'syn1'/);
    await expectFault(
      (c) => {
        c.state.offsets[0] = c.corpus.bytes + 1;
      },
      new RegExp(
        `bad\\.ckpt: state\\.offsets\\[0\\] is ${saved.corpus.bytes + 1}, past the end of the corpus it was trained on \\(${saved.corpus.bytes} bytes\\)`,
      ),
    );
  });

  it('refuses a model file, a foreign safetensors file and an unknown version', async () => {
    const foreign = join(dir, 'foreign.ckpt');
    writeFileSync(foreign, Buffer.concat(encodeSafetensors({}, [['w', [1], new Float32Array(1)]])));
    await expect(readWord2VecCheckpoint(foreign)).rejects.toThrow(/not a fastnn file/);
    writeFileSync(foreign, Buffer.concat(encodeSafetensors({ format: 'fastnn', 'fastnn.kind': 'MLP', 'fastnn.version': '1' }, [])));
    await expect(readWord2VecCheckpoint(foreign)).rejects.toThrow(/holds a MLP, not a word2vec checkpoint/);
    writeFileSync(foreign, Buffer.concat(encodeSafetensors({ format: 'fastnn', 'fastnn.kind': 'word2vec-checkpoint', 'fastnn.version': '7' }, [])));
    await expect(readWord2VecCheckpoint(foreign)).rejects.toThrow(/format version 7 is not supported/);
  });
});
