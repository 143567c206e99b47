/**
 * The commands in pipes, as users chain them (the compiled CLI, on each
 * backend under test): `word2vec --input - --output -` reads the corpus
 * from stdin and writes only the vectors to stdout, every message on
 * stderr; a run trained from stdin resumes with the same corpus piped in
 * again, and says so when it is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { plantedFile } from '../helpers/word2vec.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 3000);
const train = ['--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1'];

describe.each(backendsUnderTest().map((b) => [b.name]))('pipes on %s', (backend) => {
  const fastnn = (args: string[], stdin?: string | Buffer) => spawnSync(process.execPath, [main, ...args],
    { input: stdin ?? '', env: { ...process.env, FASTNN_BACKEND: backend }, maxBuffer: 1 << 28 });
  const at = (name: string) => join(dir, `${backend}-${name}`);

  it('word2vec --input - --output - reads the corpus from a pipe and writes only the vectors to stdout', async () => {
    const piped = fastnn(['word2vec', '--input', '-', '--output', '-', ...train], readFileSync(corpus));
    expect(piped.status, piped.stderr.toString()).toBe(0);
    expect(piped.stderr.toString()).toMatch(/wrote the vectors to stdout \(text\)\n$/);
    const fromFile = fastnn(['word2vec', '--input', corpus, '--output', at('file.txt'), ...train]);
    expect(fromFile.status, fromFile.stderr.toString()).toBe(0);
    // The same vectors, in the file a text --output writes: stdout holds nothing else.
    expect(piped.stdout.equals(readFileSync(at('file.txt')))).toBe(true);
    writeFileSync(at('stdout'), piped.stdout);
    expect((await WordVectors.load(at('stdout'))).words).toContain('queen');
    const binary = fastnn(['word2vec', '--input', '-', '--output', '-', '--binary', ...train], readFileSync(corpus));
    expect(binary.status, binary.stderr.toString()).toBe(0);
    const fromBinaryFile = fastnn(['word2vec', '--input', corpus, '--output', at('file.bin'), ...train]);
    expect(fromBinaryFile.status).toBe(0);
    expect(binary.stdout.equals(readFileSync(at('file.bin')))).toBe(true);
  });

  it('a run trained from stdin resumes only with the same corpus piped in again, and says so', () => {
    const checkpoint = at('stdin.ckpt');
    const first = fastnn(['word2vec', '--input', '-', '--output', at('first.txt'), '--checkpoint', checkpoint, ...train], readFileSync(corpus));
    expect(first.status, first.stderr.toString()).toBe(0);
    const without = fastnn(['word2vec', '--resume', checkpoint, '--output', at('again.txt')]);
    expect(without.status).toBe(1);
    expect(without.stderr.toString()).toBe(`fastnn word2vec: --resume ${checkpoint} was trained on a corpus read from stdin, which is not kept: ` +
      'pipe the same corpus in again with --input -\n');
    const other = fastnn(['word2vec', '--resume', checkpoint, '--input', '-', '--output', at('again.txt')], 'another corpus\n');
    expect(other.status).toBe(1);
    expect(other.stderr.toString()).toMatch(/Word2Vec\.resume: the corpus is not the one .*stdin\.ckpt was trained on/);
    // A finished run resumes at once to the same vectors.
    const again = fastnn(['word2vec', '--resume', checkpoint, '--input', '-', '--output', at('again.txt')], readFileSync(corpus));
    expect(again.status, again.stderr.toString()).toBe(0);
    expect(readFileSync(at('again.txt')).equals(readFileSync(at('first.txt')))).toBe(true);
  });
});
