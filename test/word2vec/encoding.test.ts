/**
 * Corpora that are not UTF-8, on both backends: by default they are refused
 * right after the vocabulary scan (nothing trained), naming the line and byte
 * offset of the first invalid sequence and the option that accepts them;
 * with encoding 'latin1' every byte string keeps a distinct name through
 * training, saving, loading and resuming. Both backends give the same vectors.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { CorpusError, Utf8Scanner } from '../../src/word2vec/corpus.js';
import { Word2Vec, type TrainOptions } from '../../src/word2vec/word2vec.js';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { Rng } from '../../src/rng.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';
import { tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => {
  useBackend('auto');
  rmSync(dir, { recursive: true, force: true });
});

// Latin-1 words: é, ï, ü, ç, ô, à, ñ are single bytes ≥ 0x80, invalid as UTF-8; U+00A0 and U+0085
// are Unicode whitespace but not separators (the tokenizer splits on ASCII whitespace only).
const WORDS = ['café', 'naïve', 'über', 'garçon', 'façade', 'rôle', 'déjà', 'niño', 'plain', 'no\u00a0break', 'next\u0085line'];
const rng = new Rng(3);
const lines = ['plain ascii first line', ...Array.from({ length: 300 }, () => Array.from({ length: 10 }, () => WORDS[rng.below(WORDS.length)]).join(' '))];
const latin1 = writeTemp(dir, 'latin1.txt', Buffer.from(lines.join('\n') + '\n', 'latin1'));
// The first byte ≥ 0x80 is on line 2, at its first Latin-1 letter.
const firstOffset = Buffer.from(lines[0]! + '\n', 'latin1').length + Buffer.from(lines[1]!, 'latin1').findIndex((b) => b >= 0x80);
const base: Omit<TrainOptions, 'input'> = { vectorSize: 8, window: 3, minCount: 1, epochs: 2, threads: 1, seed: 5, sample: 0 };

describe.each(backendsUnderTest().map((b) => [b.name]))('non-UTF-8 corpora on %s', (name) => {
  const use = () => useBackend(name as 'js' | 'native');

  it('refuses a Latin-1 corpus by default, before training, with the line, byte offset and the option that accepts it', async () => {
    use();
    let progress = 0;
    const run = Word2Vec.train({
      input: latin1,
      ...base,
      onProgress: () => {
        progress++;
      },
    });
    await expect(run).rejects.toThrow(CorpusError);
    await expect(run).rejects.toThrow(new RegExp(`latin1\\.txt is not UTF-8: line 2, byte offset ${firstOffset} \\(bytes 0x[ef][0-9a-f]`));
    await expect(run).rejects.toThrow(/encoding: 'latin1' \(CLI: --encoding latin1\)/);
    expect(progress).toBe(0);
  });

  it('refuses random bytes the same way (no vocabulary names collide into U+FFFD)', async () => {
    use();
    const noise = new Rng(9);
    const bytes = Uint8Array.from({ length: 20_000 }, () => noise.below(256));
    const input = writeTemp(dir, `noise-${name}.bin`, bytes);
    const expected = new Utf8Scanner().feed(bytes, true)!;
    await expect(Word2Vec.train({ input, ...base })).rejects.toThrow(`line ${expected.line}, byte offset ${expected.offset} `);
  });

  it("trains it with encoding 'latin1': distinct byte strings stay distinct words through save, load and resume", async () => {
    use();
    const checkpoint = join(dir, `latin1-${name}.ckpt`);
    const v = await Word2Vec.train({ input: latin1, ...base, encoding: 'latin1', checkpoint });
    expect([...v.words].sort()).toEqual([...WORDS, 'ascii', 'first', 'line'].sort());
    for (const format of ['text', 'binary'] as const) {
      const path = join(dir, `latin1-${name}.${format === 'binary' ? 'bin' : 'txt'}`);
      await v.save(path, { format });
      const back = await WordVectors.load(path, { format });
      expect(back.words).toEqual(v.words);
      expect(back.vectors).toEqual(v.vectors);
    }
    // A finished checkpoint resumes at once, with the names its encoding gives.
    const resumed = await Word2Vec.resume(checkpoint);
    expect(resumed.words).toEqual(v.words);
  });

  it('still trains a valid UTF-8 corpus, names decoded as UTF-8, under either encoding setting', async () => {
    use();
    const input = writeTemp(dir, 'utf8.txt', 'café crème brûlée no\u00a0break\n'.repeat(50));
    const v = await Word2Vec.train({ input, ...base });
    expect([...v.words].sort()).toEqual(['brûlée', 'café', 'crème', 'no\u00a0break']);
    const path = join(dir, `utf8-${name}.txt`);
    await v.save(path);
    expect((await WordVectors.load(path)).words).toEqual(v.words);
    // As Latin-1 the same bytes are two characters each: distinct, but not the UTF-8 letters.
    expect((await Word2Vec.train({ input, ...base, encoding: 'latin1' })).words).toContain('cafÃ©');
  });

  it('checks the option', async () => {
    use();
    await expect(Word2Vec.train({ input: latin1, ...base, encoding: 'ascii' as 'utf8' })).rejects.toThrow(
      "Word2Vec.train: encoding must be 'utf8' or 'latin1', got ascii",
    );
  });
});

describe('non-UTF-8 corpora across backends', () => {
  it.runIf(backendPair() !== null)('native and TS give the same Latin-1 vocabulary and vectors (one thread)', async () => {
    const train = (name: 'js' | 'native') => {
      useBackend(name);
      return Word2Vec.train({ input: latin1, ...base, encoding: 'latin1' });
    };
    const js = await train('js');
    const native = await train('native');
    expect(native.words).toEqual(js.words);
    expect(native.vectors).toEqual(js.vectors);
  });
});

describe('Utf8Scanner', () => {
  // Reference: the first invalid sequence starts where the longest prefix TextDecoder's fatal mode accepts ends.
  const reference = (bytes: Uint8Array): number | null => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let p = bytes.length; p >= 0; p--) {
      try {
        decoder.decode(bytes.subarray(0, p));
        return p === bytes.length ? null : p;
      } catch {
        /* shorter */
      }
    }
    return 0;
  };

  it('agrees with TextDecoder on 3000 random strings of mixed ASCII, valid UTF-8 and stray bytes, fed in random chunks', () => {
    const r = new Rng(17);
    const pieces = ['a', '\n', 'é', '€', '𝄞', '\u{10ffff}', '\ud7ff'].map((s) => Buffer.from(s, 'utf8'));
    const strays = [0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff];
    for (let round = 0; round < 3000; round++) {
      const parts: number[] = [];
      for (let i = r.below(12); i > 0; i--) {
        if (r.below(8) === 0) parts.push(strays[r.below(strays.length)]!);
        else parts.push(...pieces[r.below(pieces.length)]!);
      }
      const bytes = Uint8Array.from(parts);
      const scanner = new Utf8Scanner();
      const cut = r.below(bytes.length + 1);
      const found = scanner.feed(bytes.subarray(0, cut), false) ?? scanner.feed(bytes.subarray(cut), true);
      const expected = reference(bytes);
      expect(found?.offset ?? null, Buffer.from(bytes).toString('hex')).toBe(expected);
      if (found) expect(found.line).toBe(1 + bytes.subarray(0, found.offset).filter((b) => b === 10).length);
    }
  });
});
