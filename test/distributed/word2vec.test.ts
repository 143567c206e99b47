/**
 * Word2vec across ranks under mpirun (test/helpers/mpi.ts), on the backend
 * of this run: the CLI with 2 ranks, the API with 3 (an uneven split), a
 * checkpoint paused and resumed across ranks, and the failures every rank
 * must end on, in bounded time and without an output file: mismatched
 * settings, mismatched corpora, a wrong rank count on resume, a rank
 * aborted and a rank killed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Word2Vec } from '../../src/index.js';
import { readWord2VecCheckpoint } from '../../src/word2vec/checkpoint.js';
import { linesByRank, mpiAvailable, mpirun } from '../helpers/mpi.js';
import { plantedFile, tempDir } from '../helpers/word2vec.js';

const child = new URL('../helpers/children/mpi-word2vec.mjs', import.meta.url).pathname;
const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 20000);
const options = { input: corpus, vectorSize: 32, window: 4, sample: 0, minCount: 1, epochs: 2, threads: 1, seed: 3 };

interface RankLine {
  rank: number;
  error?: string;
  words: number;
  epochsCompleted: number;
  right: number;
  of: number;
  firstLr: number | null;
  size: number;
  vocab: string;
  vectors: string;
  checkpoint: string | null;
  distributed: { ranks: number; rounds: number; seconds: number; bytes: number } | null;
}

const runChild = async (ranks: number, config: Record<string, unknown>, timeoutMs = 90_000) => {
  const run = await mpirun(ranks, [process.execPath, child, JSON.stringify(config)], { timeoutMs });
  return { ...run, lines: linesByRank<RankLine>(run.stdout) };
};

describe.runIf(mpiAvailable())('word2vec under mpirun', () => {
  it('the CLI with 2 ranks: rank 0 reports global progress and writes the vectors, which find the planted analogies', async () => {
    const output = join(dir, 'cli.txt');
    const run = await mpirun(2, [
      process.execPath,
      cli,
      'word2vec',
      '--input',
      corpus,
      '--output',
      output,
      '--dim',
      '32',
      '--window',
      '4',
      '--sample',
      '0',
      '--min-count',
      '1',
      '--epochs',
      '2',
      '--threads',
      '1',
      '--sync-seconds',
      '0.05',
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr.match(/fastnn word2vec: backend \w+, 2 ranks/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/rounds of averaging took/);
    const vectors = await (await import('../../src/index.js')).WordVectors.load(output);
    const { plantedAnalogies } = await import('../../src/datasets/planted-corpus.js');
    const right = plantedAnalogies().filter(([a, b, c, e]) => vectors.analogy(a, b, c)[0]?.word === e).length;
    expect(right).toBeGreaterThanOrEqual(30);
  });

  it("3 ranks (an uneven split): one vocabulary, the same final vectors on every rank, every rank's words counted", async () => {
    const alone = await Word2Vec.train({ ...options, epochs: 1 });
    const { lines, status, stderr } = await runChild(3, { options });
    expect(status, stderr).toBe(0);
    expect(lines.map((l) => l.rank)).toEqual([0, 1, 2]);
    for (const l of lines) {
      expect(l.error).toBeUndefined();
      expect(l.size).toBe(alone.size);
      expect(l.vocab).toBe(lines[0]!.vocab);
      expect(l.vectors).toBe(lines[0]!.vectors);
      // Every token of the corpus, twice: the ranks' words added up.
      expect(l.words).toBe(2 * alone.training.words);
      expect(l.distributed!.ranks).toBe(3);
      expect(l.distributed!.rounds).toBeGreaterThan(1);
      expect(l.right).toBeGreaterThanOrEqual(30);
      // Each rank trains at 3 × alpha (0.025 by default), decaying as the run goes, so the averaged rows
      // move as one process's would; a rank at alpha would never report more than 0.025.
      expect(l.firstLr).toBeGreaterThan(1.2 * 0.025);
      expect(l.firstLr).toBeLessThanOrEqual(3 * 0.025);
    }
    expect(new Set(alone.words).size).toBe(alone.size);
  });

  it('a sync period longer than the run does not hold up its end', async () => {
    const run = await runChild(2, { options: { ...options, sync: { seconds: 600 } } }, 60_000);
    expect(run.status, run.stderr).toBe(0);
    expect(run.seconds).toBeLessThan(60);
    expect(run.lines.every((l) => l.distributed!.rounds <= 3 && l.vectors === run.lines[0]!.vectors)).toBe(true);
  });

  it('checkpoints pause every rank; a run stopped mid-way resumes to the end, only with as many ranks', async () => {
    const checkpoint = join(dir, 'ranks.ckpt');
    const paused = await runChild(2, { options: { ...options, epochs: 3, checkpoint: { path: checkpoint, everySeconds: 0.2 } } });
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.lines.every((l) => l.checkpoint === checkpoint && l.epochsCompleted === 3)).toBe(true);
    const finished = await runChild(2, { resume: checkpoint, options: { checkpoint: false } });
    expect(finished.status, finished.stderr).toBe(0);
    expect(finished.lines.map((l) => l.vectors)).toEqual(paused.lines.map((l) => l.vectors));
    // Stopped by rank 0's caller at its first report: the checkpoint holds both ranks' unfinished states.
    const stopped = await runChild(2, { options: { ...options, epochs: 6, checkpoint }, abortRank: 0, killAfterWords: 1 });
    expect(stopped.status).not.toBe(0);
    expect(stopped.lines.map((l) => l.error)).toEqual(['stopped by the test', expect.stringMatching(/rank 0 was stopped/)]);
    const saved = await readWord2VecCheckpoint(checkpoint);
    expect(saved.otherRanks).toHaveLength(1);
    for (const s of [saved.state, saved.otherRanks[0]!]) expect(s.epoch).toBeLessThanOrEqual(6);
    const resumed = await runChild(2, { resume: checkpoint, options: {} });
    expect(resumed.status, resumed.stderr).toBe(0);
    for (const l of resumed.lines) {
      expect(l.epochsCompleted).toBe(6);
      expect(l.words).toBe(2 * paused.lines[0]!.words);
      expect(l.vectors).toBe(resumed.lines[0]!.vectors);
      expect(l.right).toBeGreaterThanOrEqual(30);
    }
    const wrong = await runChild(3, { resume: checkpoint, options: {} });
    expect(wrong.status).not.toBe(0);
    expect(wrong.lines.length).toBeGreaterThan(0);
    for (const l of wrong.lines) expect(l.error).toMatch(/written by a run of 2 rank\(s\); resume it with as many \(mpirun -np 2\), not 3/);
  });

  it.each([
    ['settings', { 1: { vectorSize: 16 } }, /the ranks of this run disagree: vectorSize is 32 on rank 0 but 16 on rank 1/],
    ['corpora', { 1: { input: 'other' } }, /the ranks of this run disagree: corpusBytes is \d+ on rank 0 but \d+ on rank 1/],
  ])('mismatched %s end every rank with one clear error, and no output file', async (_what, byRank, message) => {
    const output = join(dir, `mismatch-${_what}.txt`);
    const other = plantedFile(dir, 100, 2);
    const ranks = Object.fromEntries(Object.entries(byRank).map(([r, o]) => [r, 'input' in o ? { input: other } : o]));
    const run = await runChild(2, { options, byRank: ranks, output }, 60_000);
    expect(run.status).not.toBe(0);
    expect(run.seconds).toBeLessThan(60);
    expect(run.lines).toHaveLength(2);
    for (const l of run.lines) expect(l.error).toMatch(message);
    expect(existsSync(output)).toBe(false);
  });

  it('a rank whose caller aborts stops every rank, each with an error saying so', async () => {
    const output = join(dir, 'aborted.txt');
    const run = await runChild(2, { options: { ...options, epochs: 20 }, abortRank: 1, killAfterWords: 50_000, output }, 60_000);
    expect(run.status).not.toBe(0);
    expect(run.lines.find((l) => l.rank === 1)?.error).toBe('stopped by the test');
    expect(run.lines.find((l) => l.rank === 0)?.error).toMatch(/rank 1 was stopped, so every rank of the run stops/);
    expect(existsSync(output)).toBe(false);
  });

  it('a rank killed mid-run ends the whole run in bounded time, with no output file', async () => {
    const output = join(dir, 'killed.txt');
    const run = await runChild(2, { options: { ...options, epochs: 20 }, killRank: 1, killAfterWords: 50_000, output }, 60_000);
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull(); // mpirun ended it, not the test's timeout
    expect(run.seconds).toBeLessThan(60);
    expect(run.stderr).toMatch(/rank 1|signal 9|Killed/i);
    expect(existsSync(output)).toBe(false);
  });
});
