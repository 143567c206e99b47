/**
 * The compiled CLI on hostile input, on each backend (FASTNN_BACKEND): a
 * corpus that is not UTF-8, impossible sizes and unusable output paths fail
 * with one line naming the option or the user's path — before any training,
 * so no work is lost — and `--encoding latin1` trains the corpus instead.
 * An output that is an input or another output, an empty output path and a
 * read-only output (without --force) are refused the same way, every file
 * left as it was; devices are written through.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { Word2Vec } from '../../src/word2vec/word2vec.js';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { characterDevice } from '../helpers/devices.js';

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
// A vectors file compressed, then cut short and with its checksum broken.
const gzipped = gzipSync('2 2\nking 1 0\nqueen 0 1\n');
const truncatedGz = join(dir, 'truncated.txt.gz');
writeFileSync(truncatedGz, gzipped.subarray(0, gzipped.length - 6));
const corruptGz = join(dir, 'corrupt.txt.gz');
writeFileSync(corruptGz, Buffer.concat([gzipped.subarray(0, -8), Buffer.alloc(4), gzipped.subarray(-4)]));
// 1000 distinct words: with --dim 1e9, terabytes on any machine.
const wide = join(dir, 'wide.txt');
writeFileSync(wide, `${Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ')}\n`);
// A vectors file with a value float32 cannot hold, and a good one.
const huge = join(dir, 'huge.txt');
writeFileSync(huge, '3 2\na 1 2\nb 3.5e38 1\nc 0 1\n');
const vectors = join(dir, 'vectors.txt');
writeFileSync(vectors, '3 2\na 1 2\nb 3 1\nc 0 1\n');

/** A fresh directory holding the files a run may name (hard links too, which a copy would not keep). */
function runDirectory(): string {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const at = (name: string) => join(cwd, name);
  mkdirSync(at('sub'));
  writeFileSync(at('c.txt'), 'the king and the queen\n'.repeat(100));
  linkSync(at('c.txt'), at('c-hard.txt'));
  symlinkSync('c.txt', at('c-link.txt'));
  writeFileSync(at('v.ckpt'), 'the king and the queen\n'.repeat(100));
  writeFileSync(at('v.vec'), 'old vectors');
  // IDX: big-endian magic (type, dimension count) and sizes, then bytes.
  const idx = (magic: number, dims: number[], bytes: number) => {
    const header = Buffer.alloc(4 * (1 + dims.length));
    [magic, ...dims].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    return Buffer.concat([header, Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37) % 256))]);
  };
  writeFileSync(at('imgs.idx'), idx(0x803, [8, 4, 4], 8 * 16));
  writeFileSync(at('imgs.ckpt'), idx(0x803, [8, 4, 4], 8 * 16));
  writeFileSync(at('t.idx'), idx(0x803, [4, 4, 4], 4 * 16));
  writeFileSync(at('l.idx'), idx(0x801, [8], 8));
  writeFileSync(at('ae.st'), 'old model');
  writeFileSync(at('words.txt'), '3 2\nking 1 0\nqueen 0 1\nman 1 1\n');
  linkSync(at('words.txt'), at('words.svg'));
  for (const name of ['ro.vec', 'ro.svg']) writeFileSync(at(name), 'read-only', { mode: 0o444 });
  return cwd;
}

/** Every entry under `at`: its kind, mode and bytes (a link: where it points). */
function snapshot(at: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(at, { recursive: true }) as string[]) {
    const path = join(at, name);
    const stats = lstatSync(path);
    entries[name] = `${stats.mode.toString(8)} ${stats.isFile() ? readFileSync(path).toString('base64') : stats.isSymbolicLink() ? 'link' : ''}`;
  }
  return entries;
}

describe.each(backendsUnderTest().map((b) => [b.name]))('the CLI on %s', (name) => {
  const cli = (args: string[], cwd?: string) => {
    const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd, env: { ...process.env, FASTNN_BACKEND: name } });
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^fastnn \w+: backend /.test(l));
    return { status: run.status, lines, stderr: run.stderr };
  };
  const fails = (args: string[], message: RegExp, cwd?: string) => {
    const run = cli(args, cwd);
    expect(run.status, run.stderr).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(message);
    // Refused up front: no progress bar was ever drawn, no epoch reported.
    expect(run.stderr).not.toMatch(/words\/s|samples\/s|epoch/);
  };
  const w2v = ['word2vec', '--dim', '8', '--epochs', '1', '--threads', '1'];

  it('refuses a corpus that is not UTF-8 before training, naming line, byte offset and --encoding latin1', () => {
    const output = join(dir, `refused-${name}.txt`);
    fails(
      [...w2v, '--input', noise, '--output', output],
      /^fastnn word2vec: Word2Vec\.train: corpus .*noise\.bin is not UTF-8: line \d+, byte offset \d+ \(bytes [0-9a-fx ]+\) starts an invalid UTF-8 sequence.*--encoding latin1/,
    );
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
    [
      ['word2vec', '--input', wide, '--output', join(dir, 'wide.vec'), '--dim', '1000000000', '--min-count', '1'],
      /^fastnn word2vec: Word2Vec\.train: vectorSize × vocabulary × 2 matrices \(1000000000 × 1000 × 2\) = 2\.00e12 floats, 8000 GB: /,
    ],
    [
      ['autoencoder', '--layers', '784,100000000', '--out', join(dir, 'ae.safetensors')],
      /^fastnn autoencoder: Autoencoder: the parameters of config\.layers and config\.decoder \[784, 100000000, 784\] = 1\.57e11 floats, 628 GB: /,
    ],
    [
      ['word2vec', '--input', small, '--output', '/proc/nope/o.bin'],
      /^fastnn word2vec: cannot write \/proc\/nope\/o\.bin: directory \/proc\/nope does not exist$/,
    ],
    [['word2vec', '--input', small, '--output', dir], /^fastnn word2vec: cannot write .*: it is a directory$/],
    [['word2vec', '--input', small, '--output', join(noise, 'o.txt')], /^fastnn word2vec: cannot write .*: .*noise\.bin is not a directory$/],
    [
      ['autoencoder', '--out', '/missing/dir/ae.safetensors'],
      /^fastnn autoencoder: cannot write \/missing\/dir\/ae\.safetensors: directory \/missing\/dir does not exist$/,
    ],
    [
      ['autoencoder', '--out', join(dir, 'ae.safetensors'), '--picture', '/missing/p.png'],
      /^fastnn autoencoder: cannot write \/missing\/p\.png: directory \/missing does not exist$/,
    ],
    [['word2vec', '--input', dir, '--output', join(dir, 'v.vec')], /^fastnn word2vec: Word2Vec\.train: corpus .*: is a directory$/],
    [['autoencoder', '--out', join(dir, 'ae.safetensors'), '--resume', dir], /^fastnn autoencoder: .*: is a directory$/],
    [['map', huge, '--out', join(dir, 'map.svg')], /^fastnn map: .*huge\.txt: line 3: 3\.5e38 in field 2 is beyond float32's range/],
    // An endless file without a newline: refused at its first long line, not read until memory runs out.
    [['eval', vectors, '--analogies', '/dev/zero'], /^fastnn eval: \/dev\/zero: line 1: longer than 65536 characters$/],
    // Compressed vectors that are damaged: every reader names the file.
    [['similar', truncatedGz, 'king'], /^fastnn similar: .*truncated\.txt\.gz: gzip data is corrupt or truncated \(unexpected end of file\)$/],
    [['analogy', corruptGz, 'king', 'man', 'queen'], /^fastnn analogy: .*corrupt\.txt\.gz: gzip data is corrupt or truncated \(incorrect data check\)$/],
    [['map', truncatedGz, '--out', join(dir, 'map.svg')], /^fastnn map: .*truncated\.txt\.gz: gzip data is corrupt or truncated/],
    [['eval', corruptGz, '--similarity', small], /^fastnn eval: .*corrupt\.txt\.gz: gzip data is corrupt or truncated/],
  ])('%j fails up front with one line naming the option or path', (args, message) => fails(args, message));

  const ae = ['autoencoder', '--epochs', '1', '--limit', '8', '--layers', '16,4'];
  it.each([
    // An output that is an input or another output.
    [[...w2v, '--input', 'c.txt', '--output', 'out.vec', '--checkpoint', 'c.txt'], /^fastnn word2vec: --checkpoint c\.txt is the same file as --input$/],
    [[...w2v, '--input', 'c.txt', '--output', 'c.txt'], /^fastnn word2vec: --output c\.txt is the same file as --input$/],
    [[...w2v, '--input', 'c.txt', '--output', 'c-hard.txt'], /^fastnn word2vec: --output c-hard\.txt is the same file as --input c\.txt$/],
    [[...w2v, '--input', 'c.txt', '--output', 'c-link.txt'], /^fastnn word2vec: --output c-link\.txt is the same file as --input c\.txt$/],
    [[...w2v, '--input', 'c.txt', '--output', 'sub/../c.txt'], /^fastnn word2vec: --output sub\/\.\.\/c\.txt is the same file as --input c\.txt$/],
    [[...w2v, '--input', 'c.txt', '--output', 'v.vec', '--checkpoint', 'v.vec'], /^fastnn word2vec: --checkpoint v\.vec is the same file as --output$/],
    [[...w2v, '--input', 'c.txt', '--output', 'v.svg', '--plot', 'v.svg'], /^fastnn word2vec: --plot v\.svg is the same file as --output$/],
    [[...w2v, '--input', 'v.ckpt', '--output', 'v'], /^fastnn word2vec: the Ctrl-C checkpoint v\.ckpt is the same file as --input$/],
    [[...ae, '--images', 'imgs.idx', '--out', 'imgs.idx'], /^fastnn autoencoder: --out imgs\.idx is the same file as --images$/],
    [
      [...ae, '--images', 'imgs.idx', '--out', 'ae.st', '--checkpoint', 'imgs.idx'],
      /^fastnn autoencoder: --checkpoint imgs\.idx is the same file as --images$/,
    ],
    [[...ae, '--images', 'imgs.idx', '--test-images', 't.idx', '--out', 't.idx'], /^fastnn autoencoder: --out t\.idx is the same file as --test-images$/],
    [
      [...ae, '--images', 'imgs.idx', '--labels', 'l.idx', '--map', 'm.svg', '--out', 'l.idx'],
      /^fastnn autoencoder: --out l\.idx is the same file as --labels$/,
    ],
    [[...ae, '--images', 'imgs.ckpt', '--out', 'imgs'], /^fastnn autoencoder: the Ctrl-C checkpoint imgs\.ckpt is the same file as --images$/],
    [[...ae, '--out', 'ae.st', '--codes', 'ae.st'], /^fastnn autoencoder: --codes ae\.st is the same file as --out$/],
    [[...ae, '--out', 'ae.st', '--map', 'm.svg', '--plot', 'm.svg'], /^fastnn autoencoder: --plot m\.svg is the same file as --map$/],
    [['demo', '--epochs', '1', '--checkpoint', 'd.svg', '--plot', 'd.svg'], /^fastnn demo: --plot d\.svg is the same file as --checkpoint$/],
    [['map', 'words.txt', '--out', 'words.svg'], /^fastnn map: --out words\.svg is the same file as VECTORS words\.txt$/],
    // An empty output path.
    [[...w2v, '--input', 'c.txt', '--output', ''], /^fastnn word2vec: --output must name a file, got ''$/],
    [[...w2v, '--input', 'c.txt', '--output', 'out.vec', '--checkpoint', ''], /^fastnn word2vec: --checkpoint must name a file, got ''$/],
    [[...ae, '--out', ''], /^fastnn autoencoder: --out must name a file, got ''$/],
    [[...ae, '--out', 'ae.st', '--codes', ''], /^fastnn autoencoder: --codes must name a file, got ''$/],
    // An output format that contradicts the output's name, or says nothing without an output.
    [[...w2v, '--input', 'c.txt', '--output', 'v.txt', '--binary'], /^fastnn word2vec: --binary contradicts --output v\.txt: \.txt names the text format$/],
    [
      [...w2v, '--input', 'c.txt', '--output', 'v.vec.gz', '--binary'],
      /^fastnn word2vec: --binary contradicts --output v\.vec\.gz: \.vec names the text format$/,
    ],
    [[...w2v, '--input', 'c.txt', '--output', 'v.bin', '--text'], /^fastnn word2vec: --text contradicts --output v\.bin: \.bin names the binary format$/],
    [
      [...w2v, '--input', 'c.txt', '--output', 'v.bin.gz', '--text'],
      /^fastnn word2vec: --text contradicts --output v\.bin\.gz: \.bin names the binary format$/,
    ],
    [[...w2v, '--input', 'c.txt', '--output', '-', '--binary', '--text'], /^fastnn word2vec: --binary and --text contradict each other: give one$/],
    [[...w2v, '--binary'], /^fastnn word2vec: --binary says how --output is written: give --output FILE too$/],
    // No output: the vectors would be trained for nothing.
    [
      [...w2v, '--input', 'c.txt'],
      /^fastnn word2vec: --output FILE is required: where the vectors go \(vectors\.bin, vectors\.txt, vectors\.txt\.gz, or - for stdout\)$/,
    ],
    [[...w2v, '--input', 'c.txt', '--checkpoint', 'v.ckpt2'], /^fastnn word2vec: --output FILE is required/],
    // '-' where only a file will do (stdin and stdout are for --input and --output).
    [
      [...w2v, '--input', 'c.txt', '--output', 'v.vec', '--plot', '-'],
      /^fastnn word2vec: --plot takes a file, not '-' \(stdin or stdout\); \.\/- names a file called '-'$/,
    ],
    [[...w2v, '--input', 'c.txt', '--output', 'v.vec', '--checkpoint', '-'], /^fastnn word2vec: --checkpoint takes a file, not '-'/],
    [[...ae, '--out', '-'], /^fastnn autoencoder: --out takes a file, not '-'/],
    [[...ae, '--out', 'ae.st', '--codes', '-'], /^fastnn autoencoder: --codes takes a file, not '-'/],
    [['demo', '--epochs', '1', '--plot', '-'], /^fastnn demo: --plot takes a file, not '-'/],
    [['map', '-', '--out', 'm.svg'], /^fastnn map: VECTORS takes a file, not '-'/],
    [['similar', '-', 'king'], /^fastnn similar: VECTORS takes a file, not '-'/],
    // Activations the autoencoder cannot have.
    [
      [...ae, '--images', 'imgs.idx', '--out', 'ae.st', '--hidden', 'softmax'],
      /^fastnn autoencoder: --hidden must be one of identity, sigmoid, tanh, relu, leakyRelu, got 'softmax'$/,
    ],
    [
      [...ae, '--images', 'imgs.idx', '--out', 'ae.st', '--sparse', '0.05,3', '--code', 'relu'],
      /^fastnn autoencoder: --sparse needs --code sigmoid \(its penalty is on mean activations in \(0, 1\)\), got --code relu$/,
    ],
    // A read-only output without --force.
    [
      [...w2v, '--input', 'c.txt', '--output', 'ro.vec'],
      /^fastnn word2vec: cannot write ro\.vec: it is read-only \(mode 0444\); overwrite: true \(--force on the command line\) replaces it$/,
    ],
    [[...w2v, '--input', 'c.txt', '--output', 'out.vec', '--plot', 'ro.svg'], /^fastnn word2vec: cannot write ro\.svg: it is read-only \(mode 0444\)/],
    [[...ae, '--out', 'ro.vec'], /^fastnn autoencoder: cannot write ro\.vec: it is read-only \(mode 0444\)/],
    [[...ae, '--out', 'ae.st', '--map', 'ro.svg'], /^fastnn autoencoder: cannot write ro\.svg: it is read-only \(mode 0444\)/],
  ])('%j fails before any work, leaving every file as it was', (args, message) => {
    const cwd = runDirectory();
    const before = snapshot(cwd);
    fails(args, message, cwd);
    expect(snapshot(cwd)).toEqual(before);
  });

  it('a resumed run refuses an output that is the corpus its checkpoint names', async () => {
    const at = mkdtempSync(join(dir, 'resume-'));
    const corpus = join(at, 'c.txt');
    writeFileSync(corpus, 'the king and the queen\n'.repeat(100));
    await Word2Vec.train({ input: corpus, minCount: 1, vectorSize: 4, epochs: 2, threads: 1, checkpoint: { path: join(at, 'r.ckpt'), everySeconds: 0 } });
    const before = snapshot(at);
    fails(
      ['word2vec', '--resume', join(at, 'r.ckpt'), '--output', corpus],
      new RegExp(`^fastnn word2vec: --output ${corpus} is the same file as the corpus of --resume$`),
    );
    expect(snapshot(at)).toEqual(before);
  });

  it('--force replaces a read-only output, which stays read-only', () => {
    const cwd = runDirectory();
    const run = cli([...w2v, '--input', 'c.txt', '--output', 'ro.vec', '--force'], cwd);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'ro.vec'), 'utf8')).toMatch(/^4 8\n/);
    expect(statSync(join(cwd, 'ro.vec')).mode & 0o777).toBe(0o444);
  });

  const [devNull, devFull] = [characterDevice(dir, 'null', 3), characterDevice(dir, 'full', 7)];
  it.skipIf(devNull === null || devFull === null)('--output writes through a null device and a full one fails with one line; both stay devices', () => {
    expect(cli([...w2v, '--input', small, '--output', devNull!]).status).toBe(0);
    const full = cli([...w2v, '--input', small, '--output', devFull!]);
    expect(full.status, full.stderr).toBe(1);
    expect(full.stderr.trim().split('\n').at(-1)).toBe(`fastnn word2vec: cannot write ${devFull}: no space left on device`);
    for (const path of [devNull!, devFull!]) expect(lstatSync(path).isCharacterDevice()).toBe(true);
  });
});
