/**
 * word2vec vector files: bit-exact round trips in both formats, files as
 * other tools write them, and hostile files (truncated at every byte,
 * absurd headers, bad rows, duplicates, NaN, invalid UTF-8), each failing
 * with a WordVectorsFileError that names the byte offset or line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadVectors, WordVectors } from '../../src/word2vec/vectors.js';
import { WordVectorsFileError } from '../../src/word2vec/formats.js';
import { tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): WordVectors {
  // Awkward values: subnormal, -0, extremes of float32, many digits.
  const values = Float32Array.of(0.1, -0, 1e-45, 3.4028234663852886e38, -1.5, 2 / 3, 1e-7, 123456.789, 0, -0.333333343267);
  return new WordVectors(['le', 'café', '東京', '</s>', 'x-y'], values, 2);
}

const binaryRow = (word: string, values: number[], newline = true): Buffer => {
  const v = Buffer.alloc(4 * values.length);
  values.forEach((x, i) => v.writeFloatLE(x, 4 * i));
  return Buffer.concat([Buffer.from(word + ' '), v, Buffer.from(newline ? '\n' : '')]);
};

describe('word2vec files', () => {
  for (const format of ['binary', 'text'] as const) {
    it(`round-trips ${format} bit-exactly, and the write is atomic (no temp file left)`, async () => {
      const path = `${dir}/rt.${format === 'binary' ? 'bin' : 'txt'}`;
      const v = sample();
      await v.save(path);
      const back = await WordVectors.load(path);
      expect(back.words).toEqual(v.words);
      expect(new Uint32Array(back.vectors.buffer)).toEqual(new Uint32Array(v.vectors.buffer));
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const limited = await WordVectors.load(path, { limit: 2 });
      expect(limited.words).toEqual(['le', 'café']);
    });
  }

  it('writes the layout word2vec.c writes', async () => {
    const v = new WordVectors(['a', 'b'], Float32Array.of(1, 2, -0.5, 0.25), 2);
    await v.save(`${dir}/layout.bin`);
    expect(readFileSync(`${dir}/layout.bin`)).toEqual(Buffer.concat([Buffer.from('2 2\n'), binaryRow('a', [1, 2]), binaryRow('b', [-0.5, 0.25])]));
    await v.save(`${dir}/layout.txt`);
    expect(readFileSync(`${dir}/layout.txt`, 'utf8')).toBe('2 2\na 1 2\nb -0.5 0.25\n');
  });

  it('reads what gensim, fastText and word2vec.c write: no newline after binary rows, trailing spaces, CRLF, no final newline', async () => {
    const gensim = writeTemp(dir, 'g.bin', Buffer.concat([Buffer.from('2 2\n'), binaryRow('a', [1, 2], false), binaryRow('b', [3, 4], false)]));
    expect(Array.from((await loadVectors(gensim)).vectors)).toEqual([1, 2, 3, 4]);
    const fasttext = writeTemp(dir, 'f.vec', '2 2\na 1 2 \r\nb 3 4');
    const v = await loadVectors(fasttext);
    expect(v.words).toEqual(['a', 'b']);
    expect(Array.from(v.vectors)).toEqual([1, 2, 3, 4]);
  });

  it('rejects every truncation of a small file with a typed error, in both formats', async () => {
    for (const [name, format] of [['t.bin', 'binary'], ['t.txt', 'text']] as const) {
      const full = `${dir}/${name}`;
      await new WordVectors(['ab', 'c', 'de'], Float32Array.of(1, 2, 3, 4, 5, 6), 2).save(full);
      const bytes = readFileSync(full);
      for (let n = 0; n < bytes.length; n++) {
        const cut = writeTemp(dir, `cut-${name}`, bytes.subarray(0, n));
        // Only the final newline is optional (gensim writes binary rows
        // without one, fastText may end text without one), so the one cut
        // that loads is the one removing it. (Text cannot tell a number cut
        // short inside the last row; these values are one digit each.)
        if (n === bytes.length - 1) {
          expect((await loadVectors(cut, { format })).size).toBe(3);
          continue;
        }
        const err = await loadVectors(cut, { format }).then(() => null, (e: unknown) => e);
        expect(err, `cut at ${n}`).toBeInstanceOf(WordVectorsFileError);
        expect((err as Error).message).toMatch(/byte offset \d+|line \d+/);
      }
    }
  });

  const hostile: [string, string | Buffer, RegExp][] = [
    ['an absurd header', '99999999999 300\nab 1\n', /byte offset 0: header declares 99999999999 vectors/],
    ['a header overflowing 64 bits', '999999999999999 999999999999999\n', /byte offset 0: header declares/],
    ['an HTML page', '<html><body>hi</body></html>\n', /byte offset 0: not a word2vec/],
    ['gzip bytes', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 10, 1, 2, 3]), /byte offset 0: not a word2vec/],
    ['a short row', '2 2\na 1 2\nb 3\n', /line 3: expected a word and 2 numbers, got 2 fields/],
    ['a long row', '2 2\na 1 2\nb 3 4 5\n', /line 3: expected a word and 2 numbers, got 4 fields/],
    ['a bad number', '1 2\na 1 zz\n', /line 2: 'zz' is not a number/],
    ['NaN in text', '1 2\na nan 1\n', /line 2: nan in field 2/],
    ['a value beyond float32', '2 2\na 1 2\nb -1e39 1\n', /line 3: -1e39 in field 2 is beyond float32's range \(±3\.4028235e38\)/],
    ['a duplicate word', '2 1\na 1\na 2\n', /line 3: duplicate word 'a'/],
    ['invalid UTF-8', Buffer.concat([Buffer.from('1 1\n'), Buffer.from([0xff, 0xfe]), Buffer.from(' 1\n')]), /line 2: invalid UTF-8/],
    ['a missing header newline', '1 1', /byte offset 0/],
  ];
  for (const [label, content, message] of hostile) {
    it(`rejects ${label}`, async () => {
      const path = writeTemp(dir, 'hostile.txt', content);
      await expect(loadVectors(path, { format: 'text' })).rejects.toThrow(WordVectorsFileError);
      await expect(loadVectors(path, { format: 'text' })).rejects.toThrow(message);
    });
  }

  it('rejects NaN, duplicates and invalid UTF-8 in binary files with the byte offset', async () => {
    const nan = writeTemp(dir, 'nan.bin', Buffer.concat([Buffer.from('2 1\n'), binaryRow('a', [1]), binaryRow('b', [NaN])]));
    await expect(loadVectors(nan)).rejects.toThrow(/byte offset 13: NaN in vector 2/);
    const dup = writeTemp(dir, 'dup.bin', Buffer.concat([Buffer.from('2 1\n'), binaryRow('a', [1]), binaryRow('a', [2])]));
    await expect(loadVectors(dup)).rejects.toThrow(/byte offset 11: duplicate word 'a'/);
    const bad = writeTemp(dir, 'utf.bin', Buffer.concat([Buffer.from('1 1\n'), Buffer.from([0xc3, 0x28, 32]), Buffer.alloc(4)]));
    await expect(loadVectors(bad)).rejects.toThrow(/byte offset 4: invalid UTF-8/);
    expect((await loadVectors(bad, { invalidUtf8: 'replace' })).words).toEqual(['\ufffd(']);
  });

  it('refuses unknown load options', async () => {
    await expect(loadVectors(`${dir}/t.bin`, { limt: 1 } as never)).rejects.toThrow(/unknown option 'limt'/);
  });
});
