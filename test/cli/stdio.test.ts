/**
 * The commands in pipes, as users chain them (the compiled CLI, on each
 * backend under test): `word2vec --input - --output -` reads the corpus
 * from stdin and writes only the vectors to stdout, every message on
 * stderr; a run trained from stdin resumes with the same corpus piped in
 * again, and says so when it is not. print-vectors, similar and analogy
 * answer the queries of stdin line by line, name the ones they cannot
 * answer on stderr and then exit 1; a reader that closes the pipe early
 * ends them quietly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WordVectors } from '../../src/word2vec/vectors.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { plantedFile } from '../helpers/word2vec.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 3000);
const train = ['--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1'];

describe.each(backendsUnderTest().map((b) => [b.name]))('pipes on %s', (backend) => {
  const fastnn = (args: string[], stdin?: string | Buffer) =>
    spawnSync(process.execPath, [main, ...args], { input: stdin ?? '', env: { ...process.env, FASTNN_BACKEND: backend }, maxBuffer: 1 << 28 });
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

  it('the demo with --output - prints its analogies on stderr, so stdout holds only the vectors', () => {
    const demo = fastnn(['word2vec', '--output', '-', '--epochs', '1', '--threads', '1']);
    expect(demo.status, demo.stderr.toString()).toBe(0);
    expect(demo.stderr.toString()).toMatch(/\d+ of \d+ planted analogies right\n/);
    const lines = demo.stdout.toString().trim().split('\n');
    expect(lines[0]).toBe(`${lines.length - 1} 32`);
    for (const row of lines.slice(1)) expect(row.split(' ')).toHaveLength(33);
  });

  it('a run trained from stdin resumes only with the same corpus piped in again, and says so', () => {
    const checkpoint = at('stdin.ckpt');
    const first = fastnn(['word2vec', '--input', '-', '--output', at('first.txt'), '--checkpoint', checkpoint, ...train], readFileSync(corpus));
    expect(first.status, first.stderr.toString()).toBe(0);
    const without = fastnn(['word2vec', '--resume', checkpoint, '--output', at('again.txt')]);
    expect(without.status).toBe(1);
    expect(without.stderr.toString()).toBe(
      `fastnn word2vec: --resume ${checkpoint} was trained on a corpus read from stdin, which is not kept: ` + 'pipe the same corpus in again with --input -\n',
    );
    const other = fastnn(['word2vec', '--resume', checkpoint, '--input', '-', '--output', at('again.txt')], 'another corpus\n');
    expect(other.status).toBe(1);
    expect(other.stderr.toString()).toMatch(/Word2Vec\.resume: the corpus is not the one .*stdin\.ckpt was trained on/);
    // A finished run resumes at once to the same vectors.
    const again = fastnn(['word2vec', '--resume', checkpoint, '--input', '-', '--output', at('again.txt')], readFileSync(corpus));
    expect(again.status, again.stderr.toString()).toBe(0);
    expect(readFileSync(at('again.txt')).equals(readFileSync(at('first.txt')))).toBe(true);
  });
});

describe.each(backendsUnderTest().map((b) => [b.name]))('queries from stdin on %s', (backend) => {
  const fastnn = (args: string[], stdin = '') =>
    spawnSync(process.execPath, [main, ...args], { input: stdin, encoding: 'utf8', env: { ...process.env, FASTNN_BACKEND: backend } });
  const vectors = join(dir, `${backend}-queries.vec`);
  const rows = new Map<string, string>();
  beforeAll(() => {
    const trained = fastnn(['word2vec', '--input', corpus, '--output', vectors, ...train]);
    expect(trained.status, trained.stderr).toBe(0);
    for (const row of readFileSync(vectors, 'utf8').trim().split('\n').slice(1)) rows.set(row.split(' ')[0]!, row);
  });

  it('print-vectors prints the text rows of the words on stdin, in order; unknown words are named and skipped, then exit 1', () => {
    const run = fastnn(['print-vectors', vectors], 'king queen\n\n  paris\t\nnowhere king\n');
    expect(run.stdout).toBe(['king', 'queen', 'paris', 'king'].map((w) => `${rows.get(w)}\n`).join(''));
    expect(run.stderr).toBe("fastnn print-vectors: line 4: 'nowhere' is not in the vocabulary\nfastnn print-vectors: 1 word skipped (each named above)\n");
    expect(run.status).toBe(1);
    const clean = fastnn(['print-vectors', vectors], 'madrid\n');
    expect([clean.status, clean.stdout, clean.stderr]).toEqual([0, `${rows.get('madrid')}\n`, '']);
  });

  it('similar and analogy without query words answer each line of stdin under its query, as the one-query command does', () => {
    const one = (args: string[]) =>
      fastnn(args)
        .stdout.trim()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
    const similar = fastnn(['similar', vectors, '-k', '3'], 'king\n\nnowhere\nparis\n');
    expect(similar.stdout).toBe(`king\n${one(['similar', vectors, 'king', '-k', '3'])}\nparis\n${one(['similar', vectors, 'paris', '-k', '3'])}\n`);
    expect(similar.stderr).toBe("fastnn similar: line 3: 'nowhere' is not in the vocabulary\nfastnn similar: 1 query skipped (each named above)\n");
    expect(similar.status).toBe(1);
    const analogy = fastnn(['analogy', vectors, '-k', '2'], 'paris france england\nking man\nking man woman\n');
    expect(analogy.stdout).toBe(
      `paris france england\n${one(['analogy', vectors, 'paris', 'france', 'england', '-k', '2'])}\n` +
        `king man woman\n${one(['analogy', vectors, 'king', 'man', 'woman', '-k', '2'])}\n`,
    );
    expect(analogy.stderr).toBe(
      'fastnn analogy: line 2: expected three words A B C (for A − B + C), got 2\nfastnn analogy: 1 query skipped (each named above)\n',
    );
    expect(analogy.status).toBe(1);
  });

  it('--json prints one JSON document per query, JSON lines for stdin queries, with the answers the text gives', () => {
    const text = (args: string[], stdin?: string) =>
      fastnn(args, stdin)
        .stdout.trim()
        .split('\n')
        .filter((l) => l.startsWith(' ') || /^\d|^-/.test(l))
        .map((l) => l.trim().split(/ +/))
        .map(([score, word]) => ({ word, score }));
    const json = (args: string[], stdin?: string) => {
      const run = fastnn([...args, '--json'], stdin);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { neighbours: { word: string; score: number }[] });
    };
    const rounded = (answers: { neighbours: { word: string; score: number }[] }[]) =>
      answers.flatMap((a) => a.neighbours.map(({ word, score }) => ({ word, score: score.toFixed(4) })));
    const one = json(['similar', vectors, 'king', '-k', '3']);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ query: 'king' });
    expect(rounded(one)).toEqual(text(['similar', vectors, 'king', '-k', '3']));
    const lines = json(['similar', vectors, '-k', '2'], 'king\nparis madrid\n');
    expect(lines.map((l) => (l as unknown as { query: string }).query)).toEqual(['king', 'paris madrid']);
    expect(rounded(lines)).toEqual(text(['similar', vectors, '-k', '2'], 'king\nparis madrid\n'));
    const analogy = json(['analogy', vectors, '-k', '2', '--cosmul'], 'paris france england\nking man woman\n');
    expect(analogy.map(({ neighbours, ...query }) => query)).toEqual([
      { a: 'paris', b: 'france', c: 'england', method: 'mul' },
      { a: 'king', b: 'man', c: 'woman', method: 'mul' },
    ]);
    expect(rounded(analogy)).toEqual(text(['analogy', vectors, '-k', '2', '--cosmul'], 'paris france england\nking man woman\n'));
  });

  it('eval --json prints the scores as one JSON document', () => {
    const questions = join(dir, 'questions.txt');
    writeFileSync(questions, ': capitals\nfrance paris england london\nfrance paris nowhere london\n: people\nman woman king queen\n');
    const pairs = join(dir, 'pairs.txt');
    writeFileSync(pairs, 'king queen 9\nman woman 8\nparis rome 2\nnowhere king 1\n');
    const analogies = JSON.parse(fastnn(['eval', vectors, '--analogies', questions, '--json']).stdout);
    expect(analogies).toMatchObject({
      sections: [
        { section: 'capitals', questions: 2, answered: 1 },
        { section: 'people', questions: 1, answered: 1 },
      ],
      overall: { section: 'overall', questions: 3, answered: 2 },
      coverage: 2 / 3,
    });
    const text = fastnn(['eval', vectors, '--analogies', questions]).stdout;
    expect(text).toContain(`${(100 * analogies.overall.accuracy).toFixed(1)}%  (${analogies.overall.correct}/2; 1 skipped)`);
    const similarity = JSON.parse(fastnn(['eval', vectors, '--similarity', pairs, '--json']).stdout);
    expect(similarity).toMatchObject({ pairs: 4, used: 3, coverage: 0.75 });
    expect(fastnn(['eval', vectors, '--similarity', pairs]).stdout).toBe(`spearman ${similarity.spearman.toFixed(4)} over 3 of 4 pairs (coverage 75.0%)\n`);
  });

  it('a reader that closes the pipe early ends print-vectors quietly, as SIGPIPE would (status 141)', async () => {
    const child = spawn(process.execPath, [main, 'print-vectors', vectors], { env: { ...process.env, FASTNN_BACKEND: backend } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    // Words until the process is gone: far more rows than a pipe holds.
    const feed = setInterval(() => child.stdin.write('king queen\n'.repeat(1000)), 1);
    child.stdin.on('error', () => undefined);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    clearInterval(feed);
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });
});
