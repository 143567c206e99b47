/**
 * word2vec vector files: bit-exact round trips in both formats, plain and
 * gzip; saves that take their format from the name and loads that take it
 * from the bytes; files as other tools write them, and hostile files
 * (truncated at every byte, absurd headers, bad rows, duplicates, NaN,
 * invalid UTF-8, broken gzip), each failing with a WordVectorsFileError that
 * names the file and the byte offset or line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
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
    for (const [name, format] of [
      ['t.bin', 'binary'],
      ['t.txt', 'text'],
    ] as const) {
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
        const err = await loadVectors(cut, { format }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `cut at ${n}`).toBeInstanceOf(WordVectorsFileError);
        expect((err as Error).message).toMatch(/byte offset \d+|line \d+/);
      }
    }
  });

  const hostile: [string, string | Buffer, RegExp][] = [
    ['an absurd header', '99999999999 300\nab 1\n', /byte offset 0: header declares 99999999999 vectors/],
    ['a header overflowing 64 bits', '999999999999999 999999999999999\n', /byte offset 0: header declares/],
    ['an HTML page', '<html><body>hi</body></html>\n', /byte offset 0: not a word2vec/],
    ['gzip bytes that are no gzip stream', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 10, 1, 2, 3]), /hostile\.txt: gzip data is corrupt or truncated/],
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

  it('saves in the format the name says: .bin binary, .txt, .vec and other names text, .gz compressed', async () => {
    const v = sample();
    const plain = { binary: '', text: '' };
    for (const [name, format, gzip] of [
      ['n.bin', 'binary', false],
      ['n.txt', 'text', false],
      ['n.vec', 'text', false],
      ['n', 'text', false],
      ['n.w2v', 'text', false],
      ['n.txt.gz', 'text', true],
      ['n.bin.gz', 'binary', true],
      ['n.BIN.GZ', 'binary', true],
      ['n.gz', 'text', true],
    ] as const) {
      const path = `${dir}/${name}`;
      await v.save(path);
      const bytes = readFileSync(path);
      expect(bytes.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])), name).toBe(gzip);
      const inner = (gzip ? gunzipSync(bytes) : bytes).toString('latin1');
      plain[format] ||= inner;
      expect(inner, name).toBe(plain[format]);
      const back = await WordVectors.load(path);
      expect(back.words).toEqual(v.words);
      expect(new Uint32Array(back.vectors.buffer), name).toEqual(new Uint32Array(v.vectors.buffer));
    }
    expect(plain.binary).not.toBe(plain.text);
    expect(plain.text.split('\n')[1]).toBe('le 0.1 -0');
  });

  it('a format asked for chooses for a name that says none, and one that contradicts the name is refused', async () => {
    const v = sample();
    await v.save(`${dir}/asked`, { format: 'binary' });
    await v.save(`${dir}/asked.gz`, { format: 'binary' });
    await v.save(`${dir}/agrees.bin`, { format: 'binary' });
    expect(readFileSync(`${dir}/asked`)).toEqual(readFileSync(`${dir}/agrees.bin`));
    expect(gunzipSync(readFileSync(`${dir}/asked.gz`))).toEqual(readFileSync(`${dir}/agrees.bin`));
    for (const [name, format, says] of [
      ['no.txt', 'binary', '.txt names the text format'],
      ['no.vec.gz', 'binary', '.vec names the text format'],
      ['no.bin', 'text', '.bin names the binary format'],
      ['no.bin.gz', 'text', '.bin names the binary format'],
    ] as const) {
      await expect(v.save(`${dir}/${name}`, { format })).rejects.toThrow(
        new RangeError(`saveVectors: options.format '${format}' contradicts the path ${dir}/${name}: ${says}`),
      );
      expect(readdirSync(dir)).not.toContain(name);
    }
    await expect(v.save(`${dir}/x.txt`, { format: 'gzip' as 'text' })).rejects.toThrow("saveVectors: format must be 'binary' or 'text', got gzip");
  });

  it('loads by the bytes, whatever the name: binary in a .txt file, text in a .bin file, gzip in a file without .gz', async () => {
    const v = sample();
    await v.save(`${dir}/real.bin`);
    await v.save(`${dir}/real.txt`);
    await v.save(`${dir}/real.txt.gz`);
    copyFileSync(`${dir}/real.bin`, `${dir}/misnamed.txt`);
    copyFileSync(`${dir}/real.txt`, `${dir}/misnamed.bin`);
    copyFileSync(`${dir}/real.txt.gz`, `${dir}/misnamed.vec`);
    for (const name of ['misnamed.txt', 'misnamed.bin', 'misnamed.vec']) {
      const back = await WordVectors.load(`${dir}/${name}`);
      expect(back.words, name).toEqual(v.words);
      expect(new Uint32Array(back.vectors.buffer), name).toEqual(new Uint32Array(v.vectors.buffer));
    }
    // A text file whose first row has the wrong width is still read as text, and says so.
    const short = writeTemp(dir, 'short.bin', '2 3\nking 1 2\nqueen 4 5 6\n');
    await expect(loadVectors(short)).rejects.toThrow(`${short}: line 2: expected a word and 3 numbers, got 3 fields`);
    // format insists on one parser.
    await expect(loadVectors(`${dir}/real.bin`, { format: 'text' })).rejects.toThrow(`${dir}/real.bin: line 2: `);
  });

  it('refuses every truncation of a gzip file, and a corrupt one, naming the file', async () => {
    for (const name of ['t.txt.gz', 't.bin.gz']) {
      const full = `${dir}/${name}`;
      await new WordVectors(['ab', 'c', 'de'], Float32Array.of(1, 2, 3, 4, 5, 6), 2).save(full);
      const bytes = readFileSync(full);
      for (let n = 0; n < bytes.length; n++) {
        const cut = writeTemp(dir, `cut-${name}`, bytes.subarray(0, n));
        const err = await loadVectors(cut).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `cut at ${n}`).toBeInstanceOf(WordVectorsFileError);
        expect((err as Error).message, `cut at ${n}`).toContain(cut);
      }
      const corrupt = Buffer.from(bytes);
      corrupt[corrupt.length - 8]! ^= 0xff; // the CRC-32 of the inflated bytes
      const path = writeTemp(dir, `corrupt-${name}`, corrupt);
      await expect(loadVectors(path)).rejects.toThrow(`${path}: gzip data is corrupt or truncated (incorrect data check)`);
    }
    // Damage far past the last row (beyond what parsing reads ahead) is found too: the stream is read to its end.
    const padded = gzipSync(Buffer.concat([Buffer.from('1 1\na 1\n'), Buffer.alloc(4 << 20, 10)]));
    const path = writeTemp(dir, 'padded.txt.gz', padded.subarray(0, padded.length - 4));
    await expect(loadVectors(path)).rejects.toThrow(`${path}: gzip data is corrupt or truncated (unexpected end of file)`);
  });

  it('trusts no header in a gzip file: rows are allocated as their bytes arrive', async () => {
    // Allocated up front, these headers would be petabytes: a RangeError of the engine's, not the loader's error.
    const huge = '999999999999999';
    const text = writeTemp(dir, 'huge-text.gz', gzipSync(`2 ${huge}\nking 1 2\nqueen 3 4\n`));
    await expect(loadVectors(text)).rejects.toThrow(`${text} (gzip): line 2: expected a word and ${huge} numbers, got 3 fields`);
    const binary = writeTemp(dir, 'huge-binary.gz', gzipSync(Buffer.concat([Buffer.from(`2 ${huge}\n`), binaryRow('a', [1, 2])])));
    await expect(loadVectors(binary)).rejects.toThrow(/huge-binary\.gz \(gzip\): byte offset \d+: file ends inside vector 1 of 2/);
    const rows = writeTemp(dir, 'many-rows.gz', gzipSync(`${huge} 1\na 1\n`));
    await expect(loadVectors(rows)).rejects.toThrow(`${rows} (gzip): line 3: file ends after 1 of ${huge} vectors`);
  });

  it('refuses unknown load options', async () => {
    await expect(loadVectors(`${dir}/t.bin`, { limt: 1 } as never)).rejects.toThrow(/unknown option 'limt'/);
  });
});
