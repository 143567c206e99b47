/**
 * Every vectors file `fastnn word2vec` can write is read back by every
 * reader, on each backend under test: each output name (.bin, .txt, .vec,
 * .txt.gz, .bin.gz, a name without a format, and - for stdout) with and
 * without --binary/--text holds the format its name (or flag) says, and
 * similar, analogy, map, eval, print-vectors and WordVectors.load all find
 * the same vectors in it. (The combinations that contradict the name are
 * refused before training: test/cli/hostile-input.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { findAll, parseXml } from '../helpers/xml.js';
import { plantedFile } from '../helpers/word2vec.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-vector-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 2000);
const pairs = join(dir, 'pairs.txt');
writeFileSync(pairs, 'king queen 9\nman woman 8\nparis rome 3\nfrance tokyo 1\n');

/** [--output, flags, the format the file must hold, compressed]. One thread and one seed: every one holds the same vectors. */
const outputs: [string, string[], 'text' | 'binary', boolean][] = [
  ['v.txt', [], 'text', false],
  ['v.txt', ['--text'], 'text', false],
  ['v.bin', [], 'binary', false],
  ['v.bin', ['--binary'], 'binary', false],
  ['v.vec', [], 'text', false],
  ['v.vec', ['--text'], 'text', false],
  ['v.txt.gz', [], 'text', true],
  ['v.txt.gz', ['--text'], 'text', true],
  ['v.bin.gz', [], 'binary', true],
  ['v.bin.gz', ['--binary'], 'binary', true],
  ['vectors', [], 'text', false],
  ['vectors', ['--text'], 'text', false],
  ['vectors', ['--binary'], 'binary', false],
  ['-', [], 'text', false],
  ['-', ['--text'], 'text', false],
  ['-', ['--binary'], 'binary', false],
];

describe.each(backendsUnderTest().map((b) => [b.name]))('vectors files on %s', (backend) => {
  const fastnn = (args: string[], stdin = '') =>
    spawnSync(process.execPath, [main, ...args], { input: stdin, env: { ...process.env, FASTNN_BACKEND: backend }, maxBuffer: 1 << 26 });
  const out = (args: string[], stdin?: string) => {
    const run = fastnn(args, stdin);
    expect(run.status, `${args.join(' ')}: ${run.stderr.toString()}`).toBe(0);
    return run.stdout.toString();
  };
  /** What each reader says about a vectors file: all of them must agree across files. */
  const readings = async (path: string) => {
    out(['map', path, '--words', '12', '--out', `${path}.svg`]);
    const loaded = await WordVectors.load(path);
    return {
      similar: out(['similar', path, 'king', '-k', '3', '--json']),
      analogy: out(['analogy', path, 'king', 'man', 'woman', '-k', '2']),
      eval: out(['eval', path, '--similarity', pairs, '--json']),
      printVectors: out(['print-vectors', path], 'queen\nparis king\n'),
      mapPoints: findAll(parseXml(readFileSync(`${path}.svg`, 'utf8')), 'circle').length,
      loaded: { words: loaded.words, bits: Buffer.from(loaded.vectors.buffer).toString('base64') },
    };
  };
  const plain = { text: Buffer.alloc(0), binary: Buffer.alloc(0) };
  let reference: Awaited<ReturnType<typeof readings>>;

  beforeAll(async () => {
    for (const format of ['text', 'binary'] as const) {
      const path = join(dir, `${backend}-reference.${format === 'text' ? 'txt' : 'bin'}`);
      out(['word2vec', '--input', corpus, '--output', path, '--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1']);
      plain[format] = readFileSync(path);
    }
    reference = await readings(join(dir, `${backend}-reference.txt`));
    expect(reference.analogy).toMatch(/^(-?\d\.\d{4} {2}\w+\n){2}$/);
    expect(reference.mapPoints).toBe(12);
  });

  it.each(outputs)('--output %s %j holds the %s format (gzip: %s), and every reader finds the same vectors in it', async (name, flags, format, gzip) => {
    const path = join(dir, `${backend}${flags.join('')}-${name === '-' ? 'stdout' : name}`);
    const run = fastnn([
      'word2vec',
      '--input',
      corpus,
      '--output',
      name === '-' ? '-' : path,
      ...flags,
      '--min-count',
      '1',
      '--dim',
      '8',
      '--epochs',
      '1',
      '--threads',
      '1',
    ]);
    expect(run.status, run.stderr.toString()).toBe(0);
    const said = name === '-' ? `wrote the vectors to stdout (${format})` : `wrote ${path} (${format}${gzip ? ', gzip' : ''})`;
    expect(run.stderr.toString().trim().split('\n').at(-1)).toBe(said);
    if (name === '-') writeFileSync(path, run.stdout);
    else expect(run.stdout.length).toBe(0);
    const bytes = readFileSync(path);
    expect(bytes[0] === 0x1f && bytes[1] === 0x8b, 'gzip magic').toBe(gzip);
    expect((gzip ? gunzipSync(bytes) : bytes).equals(plain[format]), `the ${format} bytes`).toBe(true);
    expect(await readings(path)).toEqual(reference);
  });
});
