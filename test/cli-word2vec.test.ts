/**
 * The word2vec commands of the compiled CLI: user errors (missing file,
 * corrupt file, bad flag) exit 1 with one actionable line on stderr, and
 * Ctrl-C (SIGINT) during training writes the vectors trained so far and
 * exits with 130.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WordVectors } from '../src/index.js';

const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-w2v-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
// 1.6 M words: an epoch outlasts the trainer's 200 ms progress interval, so a progress line shows training under way.
const corpus = file('corpus.txt', 'the king and the queen of the realm\n'.repeat(200_000));

describe('fastnn word2vec commands', () => {
  it.each([
    [['similar', join(dir, 'missing.bin'), 'x'], /^fastnn similar: vectors file '.*missing\.bin' does not exist or cannot be read$/],
    [['analogy', join(dir, 'missing.txt'), 'a', 'b', 'c'], /^fastnn analogy: vectors file '.*missing\.txt' does not exist/],
    [['eval', join(dir, 'missing.txt'), '--analogies', 'q.txt'], /^fastnn eval: vectors file '.*missing\.txt' does not exist/],
    [['word2vec', '--input', join(dir, 'missing.txt')], /^fastnn word2vec: corpus '.*missing\.txt' does not exist/],
    [['similar', file('bad.txt', '3 2\nking 0.1 0.2\nqueen 0.1\n'), 'king'], /^fastnn similar: .*bad\.txt.*line 3/],
    [['similar', file('bad.bin', '2 4\nking \x01\x02'), 'king'], /^fastnn similar: .*bad\.bin.*byte/],
    [['similar', file('page.txt', '<!DOCTYPE html><html></html>\n'), 'king'], /^fastnn similar: .*page\.txt/],
    [['word2vec', '--dimm', '5'], /^fastnn word2vec: Unknown option '--dimm'/],
    [['word2vec', '--input', corpus, '--dim', 'zero'], /^fastnn word2vec: --dim must be an integer ≥ 1, got 'zero'$/],
    [['similar', file('ok.txt', '1 2\nking 0.1 0.2\n'), 'king', '-k', 'many'], /^fastnn similar: --k must be an integer ≥ 1, got 'many'$/],
    [['similar', join(dir, 'ok.txt'), 'king', '-k', '-3'], /^fastnn similar: Option '-k' argument is ambiguous\. Did you forget/],
  ])('%j exits 1 with one actionable line', (args, message) => {
    const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('fastnn word2vec: backend'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('SIGINT during training writes the vectors trained so far and exits with 130', async () => {
    const output = join(dir, 'interrupted.txt');
    const child = spawn(process.execPath, [main, 'word2vec', '--input', corpus, '--output', output, '--epochs', '100000',
      '--dim', '8', '--min-count', '1', '--sample', '0', '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('words/s')) resolve();  // the progress bar: training is under way
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const vectors = await WordVectors.load(output, { format: 'text' });
    expect(vectors.size).toBe(6);
    expect(vectors.dim).toBe(8);
  });
});
