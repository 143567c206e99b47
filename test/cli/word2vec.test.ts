/**
 * The word2vec commands of the compiled CLI: user errors (missing file,
 * corrupt file, bad flag) exit 1 with one actionable line on stderr, and
 * Ctrl-C (SIGINT) or SIGTERM during training writes a checkpoint, exits
 * with 130 or 143 and prints the command that finishes the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-w2v-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
// 0.4 M words: an epoch outlasts the trainer's 200 ms progress interval, so a progress line shows training under way.
const corpus = file('corpus.txt', 'the king and the queen of the realm\n'.repeat(50_000));

describe('fastnn word2vec commands', () => {
  it.each([
    [['similar', join(dir, 'missing.bin'), 'x'], /^fastnn similar: vectors file '.*missing\.bin' does not exist or cannot be read$/],
    [['analogy', join(dir, 'missing.txt'), 'a', 'b', 'c'], /^fastnn analogy: vectors file '.*missing\.txt' does not exist/],
    [['eval', join(dir, 'missing.txt'), '--analogies', 'q.txt'], /^fastnn eval: vectors file '.*missing\.txt' does not exist/],
    [['word2vec', '--input', join(dir, 'missing.txt'), '--output', join(dir, 'o.txt')], /^fastnn word2vec: corpus '.*missing\.txt' does not exist/],
    [['similar', file('bad.txt', '3 2\nking 0.1 0.2\nqueen 0.1\n'), 'king'], /^fastnn similar: .*bad\.txt.*line 3/],
    [['similar', file('bad.bin', '2 4\nking \x01\x02'), 'king'], /^fastnn similar: .*bad\.bin.*byte/],
    [['similar', file('page.txt', '<!DOCTYPE html><html></html>\n'), 'king'], /^fastnn similar: .*page\.txt/],
    [['word2vec', '--dimm', '5'], /^fastnn word2vec: unknown option '--dimm'; did you mean '--dim'\?/],
    [['word2vec', '--input', corpus, '--output', join(dir, 'o.txt'), '--window', '-1'], /^fastnn word2vec: --window must be an integer ≥ 1, got '-1'$/],
    [['word2vec', '--input', corpus, '--output', join(dir, 'o.txt'), '--dim', 'zero'], /^fastnn word2vec: --dim must be an integer ≥ 1, got 'zero'$/],
    [
      ['word2vec', '--input', corpus, '--output', join(dir, 'o.txt'), '--saturated', 'clip'],
      /^fastnn word2vec: --saturated must be 'limit' or 'skip', got 'clip'$/,
    ],
    [['similar', file('ok.txt', '1 2\nking 0.1 0.2\n'), 'king', '-k', 'many'], /^fastnn similar: --k must be an integer ≥ 1, got 'many'$/],
    [['similar', join(dir, 'ok.txt'), 'king', '-k', '-3'], /^fastnn similar: --k must be an integer ≥ 1, got '-3'$/],
  ])('%j exits 1 with one actionable line', (args, message) => {
    const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('fastnn word2vec: backend'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('progress into a pipe is one line per tenth of the work, never redrawn with \\r', () => {
    const run = spawnSync(
      process.execPath,
      [main, 'word2vec', '--input', corpus, '--output', join(dir, 'pipe.txt'), '--epochs', '2', '--dim', '8', '--min-count', '1', '--threads', '1'],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('\r');
    const progress = run.stderr.split('\n').filter((line) => / words\/s lr /.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(10);
    for (const line of progress) expect(line).toMatch(/^\d+\.\d% epoch [12] loss \d+\.\d{4} \d+k words\/s lr /);
    expect(progress.at(-1)).toMatch(/^100\.0% /);
  });

  // util-linux `script` runs the command on a pseudo-terminal (stdout and stderr both go to it).
  it.runIf(spawnSync('script', ['--version']).status === 0)('progress on a terminal is a bar redrawn in place with \\r', () => {
    const command = [
      process.execPath,
      main,
      'word2vec',
      '--input',
      corpus,
      '--output',
      join(dir, 'tty.txt'),
      '--epochs',
      '2',
      '--dim',
      '8',
      '--min-count',
      '1',
      '--threads',
      '1',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const run = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8' });
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/\r\[[#.]{30}\] \d+\.\d% epoch/);
  });

  // Ctrl-C, and SIGTERM as docker stop, timeout, Kubernetes and CI cancellation send it.
  it.each([
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated'],
  ] as const)(
    '%s during training writes a checkpoint, exits %i with one line, and the printed command finishes the run exactly',
    async (signal, status, word) => {
      // The CLI runs on the backend FASTNN_BACKEND picks; native needs more epochs to be still training at the signal.
      const epochs = process.env['FASTNN_BACKEND'] === 'js' ? 1 : 3;
      const flags = ['--input', corpus, '--epochs', String(epochs), '--dim', '8', '--min-count', '1', '--sample', '0', '--threads', '1'];
      const straight = join(dir, `straight-${signal}.txt`);
      const uninterrupted = spawn(process.execPath, [main, 'word2vec', ...flags, '--output', straight], { stdio: 'ignore' });
      const straightCode = new Promise((resolve) => uninterrupted.once('exit', resolve));
      const output = join(dir, `interrupted-${signal}.txt`);
      const child = spawn(process.execPath, [main, 'word2vec', ...flags, '--output', output], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('words/s')) resolve(); // the progress bar: training is under way
        });
      });
      child.kill(signal);
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code, stderr).toBe(status);
      const lines = stderr.split('\n').filter((l) => l.includes(word));
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0], stderr).toMatch(new RegExp(`^fastnn word2vec: ${word}; `));
      const [, wordsBefore, checkpoint, command] = lines[0]!.match(
        new RegExp(`^fastnn word2vec: ${word}; checkpoint in epoch \\d after (\\d+) words in (\\S+); continue with: fastnn (.*)$`),
      )!;
      expect(checkpoint).toBe(`${output}.ckpt`);
      // The settings come from the checkpoint: the command keeps only the corpus and the output.
      expect(command).toBe(`word2vec --input ${corpus} --output ${output} --resume ${checkpoint}`);
      const resumed = spawnSync(process.execPath, [main, ...command!.split(' ')], { encoding: 'utf8' });
      expect(resumed.status, resumed.stderr).toBe(0);
      // Its summary counts the words it read itself (8 a line, 50 000 lines an epoch), so its words/s is its own speed.
      expect(resumed.stderr).toContain(`; ${8 * 50_000 * epochs - Number(wordsBefore)} words in `);
      expect(await straightCode).toBe(0);
      expect(readFileSync(output).equals(readFileSync(straight))).toBe(true);
      const changed = spawnSync(process.execPath, [main, 'word2vec', '--resume', checkpoint!, '--dim', '4'], { encoding: 'utf8' });
      expect(changed.stderr).toMatch(/--dim cannot change a resumed run: its settings come from the checkpoint/);
    },
    120_000,
  );
});
