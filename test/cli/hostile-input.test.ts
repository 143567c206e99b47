/**
 * The compiled CLI on hostile input, on each backend (FASTNN_BACKEND): a
 * corpus that is not UTF-8, impossible sizes and unusable output paths fail
 * with one line naming the option or the user's path — before any training,
 * so no work is lost — and `--encoding latin1` trains the corpus instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { backendsUnderTest } from '../helpers/backends.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rng = new Rng(4);
// Words of random non-space bytes: a stand-in for a Latin-1 or mixed-encoding corpus.
const noiseWords = Array.from({ length: 300 }, () => Array.from({ length: 1 + rng.below(6) }, () => 0x21 + rng.below(0xff - 0x21)));
const noiseBytes: number[] = [];
for (let i = 0; i < 20_000; i++) noiseBytes.push(...noiseWords[rng.below(noiseWords.length)]!, i % 12 === 11 ? 10 : 32);
const noise = join(dir, 'noise.bin');
writeFileSync(noise, Uint8Array.from(noiseBytes));
const small = join(dir, 'small.txt');
writeFileSync(small, 'the king and the queen\n'.repeat(100));
// 1000 distinct words: with --dim 1e9, terabytes on any machine.
const wide = join(dir, 'wide.txt');
writeFileSync(wide, `${Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ')}\n`);
// A vectors file with a value float32 cannot hold, and a good one.
const huge = join(dir, 'huge.txt');
writeFileSync(huge, '3 2\na 1 2\nb 3.5e38 1\nc 0 1\n');
const vectors = join(dir, 'vectors.txt');
writeFileSync(vectors, '3 2\na 1 2\nb 3 1\nc 0 1\n');

describe.each(backendsUnderTest().map((b) => [b.name]))('the CLI on %s', (name) => {
  const cli = (args: string[]) => {
    const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, FASTNN_BACKEND: name } });
    const lines = run.stderr.trim().split('\n').filter((l) => !/^fastnn \w+: backend /.test(l));
    return { status: run.status, lines, stderr: run.stderr };
  };
  const fails = (args: string[], message: RegExp) => {
    const run = cli(args);
    expect(run.status, run.stderr).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(message);
    // Refused up front: no progress bar was ever drawn.
    expect(run.stderr).not.toContain('words/s');
  };
  const w2v = ['word2vec', '--dim', '8', '--epochs', '1', '--threads', '1'];

  it('refuses a corpus that is not UTF-8 before training, naming line, byte offset and --encoding latin1', () => {
    const output = join(dir, `refused-${name}.txt`);
    fails([...w2v, '--input', noise, '--output', output],
      /^fastnn word2vec: Word2Vec\.train: corpus .*noise\.bin is not UTF-8: line \d+, byte offset \d+ \(bytes [0-9a-fx ]+\) starts an invalid UTF-8 sequence.*--encoding latin1/);
    expect(existsSync(output)).toBe(false);
  });

  it('trains it with --encoding latin1, and the saved vectors load with every word distinct', async () => {
    const output = join(dir, `latin1-${name}.bin`);
    const run = cli([...w2v, '--input', noise, '--output', output, '--binary', '--encoding', 'latin1', '--min-count', '2']);
    expect(run.status, run.stderr).toBe(0);
    const vectors = await WordVectors.load(output);
    expect(vectors.size).toBeGreaterThan(100);
    expect(new Set(vectors.words).size).toBe(vectors.size);
  });

  it.each([
    [['word2vec', '--input', wide, '--dim', '1000000000', '--min-count', '1'],
      /^fastnn word2vec: Word2Vec\.train: vectorSize × vocabulary × 2 matrices \(1000000000 × 1000 × 2\) = 2\.00e12 floats, 8000 GB: /],
    [['autoencoder', '--layers', '784,100000000', '--out', join(dir, 'ae.safetensors')],
      /^fastnn autoencoder: Autoencoder: the parameters of config\.layers and config\.decoder \[784, 100000000, 784\] = 1\.57e11 floats, 628 GB: /],
    [['word2vec', '--input', small, '--output', '/proc/nope/o.bin'], /^fastnn word2vec: cannot write \/proc\/nope\/o\.bin: directory \/proc\/nope does not exist$/],
    [['word2vec', '--input', small, '--output', dir], /^fastnn word2vec: cannot write .*: it is a directory$/],
    [['word2vec', '--input', small, '--output', join(noise, 'o.txt')], /^fastnn word2vec: cannot write .*: .*noise\.bin is not a directory$/],
    [['autoencoder', '--out', '/missing/dir/ae.safetensors'], /^fastnn autoencoder: cannot write \/missing\/dir\/ae\.safetensors: directory \/missing\/dir does not exist$/],
    [['autoencoder', '--out', join(dir, 'ae.safetensors'), '--picture', '/missing/p.png'], /^fastnn autoencoder: cannot write \/missing\/p\.png: directory \/missing does not exist$/],
    [['word2vec', '--input', dir], /^fastnn word2vec: Word2Vec\.train: corpus .*: is a directory$/],
    [['autoencoder', '--out', join(dir, 'ae.safetensors'), '--resume', dir], /^fastnn autoencoder: .*: is a directory$/],
    [['map', huge, '--out', join(dir, 'map.svg')], /^fastnn map: .*huge\.txt: line 3: 3\.5e38 in field 2 is beyond float32's range/],
    // An endless file without a newline: refused at its first long line, not read until memory runs out.
    [['eval', vectors, '--analogies', '/dev/zero'], /^fastnn eval: \/dev\/zero: line 1: longer than 65536 characters$/],
  ])('%j fails up front with one line naming the option or path', (args, message) => fails(args, message));
});
