/**
 * Data-parallel fits (FitOptions.distributed, the CLI's --distributed) under
 * mpirun on the backend under test (FASTNN_BACKEND), through
 * test/helpers/children/mpi-fit.mjs:
 * - P = 2 ranks with local batch B/2 end with the parameters of one process
 *   with batch B after 100 steps, to a relative 1e-5 (only the float32
 *   order of the gradient's sum differs), and every rank with the same bits;
 * - repeats at the same P are bit-identical;
 * - 3 ranks with an uneven last batch (shares of 1, 0 and 0 rows) match one process too;
 * - a TS rank's step cut into pieces (run across event-loop turns) gives the bits of the whole step;
 * - a rank killed mid-fit, and ranks given different settings, end the run
 *   with a non-zero exit in bounded time and write no output file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { linesByRank, mpiAvailable, mpirun, type MpiRun } from '../helpers/mpi.js';
import { backendPair } from '../helpers/backends.js';
import { Matrix, MLP } from '../../src/index.js';
import { shareOf } from '../../src/backend/backend.js';

const child = new URL('../helpers/children/mpi-fit.mjs', import.meta.url).pathname;
const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-mpi-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface FitSpec {
  kind: 'mlp' | 'autoencoder';
  n: number;
  batchSize: number;
  epochs: number;
  optimizer: { type: string; lr: number };
  validationSplit?: number;
  differ?: Record<string, unknown>;
  dieAt?: { rank: number; epoch: number };
  abortAt?: { rank: number; epoch: number };
  denoise?: number;
  output?: string;
  pieces?: { work: number; entries: number };
}
interface FitLine {
  rank: number;
  size: number;
  params: string[];
  loss: number[];
  valLoss: number[] | null;
}

/** One process alone (no launcher: rank 0 of 1, and options.distributed changes nothing). */
function alone(spec: FitSpec): Promise<MpiRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [child, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('close', (status) => resolve({ status, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

async function fitLines(ranks: number, spec: FitSpec): Promise<FitLine[]> {
  const run = ranks === 1 ? await alone(spec) : await mpirun(ranks, [process.execPath, child, JSON.stringify(spec)]);
  expect(run.status, run.stderr).toBe(0);
  const lines = linesByRank<FitLine>(run.stdout);
  expect(lines.map((l) => l.size)).toEqual(Array(ranks).fill(ranks));
  return lines;
}

const floats = (line: FitLine): Float32Array[] =>
  line.params.map((b) => {
    const u = Buffer.from(b, 'base64');
    return new Float32Array(u.buffer, u.byteOffset, u.byteLength / 4);
  });

/** ‖a − b‖ / ‖b‖ over every parameter. */
function relativeDistance(a: FitLine, b: FitLine): number {
  const pa = floats(a),
    pb = floats(b);
  let d = 0,
    norm = 0;
  pb.forEach((p, j) =>
    p.forEach((v, i) => {
      d += (pa[j]![i]! - v) ** 2;
      norm += v * v;
    }),
  );
  return Math.sqrt(d / norm);
}

function expectSameBitsOnEveryRank(lines: FitLine[]): void {
  for (const line of lines.slice(1)) {
    expect(line.params).toEqual(lines[0]!.params);
    expect(line.loss).toEqual(lines[0]!.loss);
    expect(line.valLoss).toEqual(lines[0]!.valLoss);
  }
}

describe('outside mpirun', () => {
  it('options.distributed changes nothing: the same bits as without it', async () => {
    const x = new Matrix(
      Float32Array.from({ length: 60 }, (_, i) => Math.sin(i)),
      20,
      3,
    );
    const y = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const fit = async (distributed: boolean | undefined) => {
      const net = new MLP({ layers: [3, 5, 2], task: 'multiclass', seed: 4 });
      const history = await net.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.25, ...(distributed === undefined ? {} : { distributed }) });
      return { params: net.params.map((p) => Array.from(p)), history };
    };
    expect(await fit(true)).toEqual(await fit(undefined));
    expect(await fit(false)).toEqual(await fit(undefined));
    await expect(new MLP({ layers: [3, 2], task: 'multiclass' }).fit(x, y, { distributed: 1 as never })).rejects.toThrow(
      'MLP.fit: options.distributed must be a boolean',
    );
  });

  it('cuts a global batch into contiguous shares in rank order, the first ones a row longer', () => {
    const shares = (rows: number, size: number) => Array.from({ length: size }, (_, r) => shareOf(rows, r, size));
    expect(shares(24, 3)).toEqual([
      { begin: 0, rows: 8 },
      { begin: 8, rows: 8 },
      { begin: 16, rows: 8 },
    ]);
    expect(shares(5, 3)).toEqual([
      { begin: 0, rows: 2 },
      { begin: 2, rows: 2 },
      { begin: 4, rows: 1 },
    ]);
    expect(shares(1, 3)).toEqual([
      { begin: 0, rows: 1 },
      { begin: 1, rows: 0 },
      { begin: 1, rows: 0 },
    ]);
  });
});

describe.runIf(mpiAvailable())('data-parallel fit under mpirun', () => {
  // 320 rows in global batches of 32: 10 steps an epoch, 100 in all.
  const mlp = (batchSize: number, type: string, lr: number): FitSpec => ({
    kind: 'mlp',
    n: 320,
    batchSize,
    epochs: 10,
    optimizer: { type, lr },
    validationSplit: 0,
  });

  it.each([
    ['momentum', 0.05],
    ['adam', 0.01],
  ] as const)('2 ranks × batch 16 = 1 rank × batch 32 after 100 steps (%s), repeats bit-identical', async (type, lr) => {
    const [one, twice, again] = await Promise.all([fitLines(1, mlp(32, type, lr)), fitLines(2, mlp(16, type, lr)), fitLines(2, mlp(16, type, lr))]);
    expectSameBitsOnEveryRank(twice!);
    expect(again!.map((l) => l.params)).toEqual(twice!.map((l) => l.params));
    const distance = relativeDistance(twice![0]!, one![0]!);
    expect(distance).toBeLessThan(1e-5);
    // The float32 sums differ in order, so the results are close, not equal: the test can tell them apart.
    expect(distance).toBeGreaterThan(0);
    twice![0]!.loss.forEach((l, e) => expect(l).toBeCloseTo(one![0]!.loss[e]!, 5));
  });

  it('3 ranks with an uneven last batch (shares 1, 0, 0) match one process; an autoencoder with validation agrees on every rank', async () => {
    // 73 rows in global batches of 3 × 8 = 24: the last batch is 1 row, rank 0's alone.
    const spec = (batchSize: number): FitSpec => ({ kind: 'mlp', n: 73, batchSize, epochs: 8, optimizer: { type: 'sgd', lr: 0.1 } });
    const ae: FitSpec = { kind: 'autoencoder', n: 90, batchSize: 5, epochs: 3, optimizer: { type: 'adam', lr: 0.01 }, validationSplit: 0.2 };
    const [one, three, aeOne, aeThree] = await Promise.all([
      fitLines(1, spec(24)),
      fitLines(3, spec(8)),
      fitLines(1, { ...ae, batchSize: 15 }),
      fitLines(3, ae),
    ]);
    expectSameBitsOnEveryRank(three!);
    expect(relativeDistance(three![0]!, one![0]!)).toBeLessThan(1e-5);
    expectSameBitsOnEveryRank(aeThree!);
    expect(relativeDistance(aeThree![0]!, aeOne![0]!)).toBeLessThan(1e-5);
    aeThree![0]!.valLoss!.forEach((v, e) => expect(v).toBeCloseTo(aeOne![0]!.valLoss![e]!, 5));
  });

  it("a TS rank's step in many pieces gives the same bits as in one", async () => {
    // Small pieces cut the pass and the update into dozens of pieces, which the
    // trainer runs across slices; validation's pass too.
    const spec = { ...mlp(16, 'adam', 0.01), epochs: 3, validationSplit: 0.2 };
    const run = (s: FitSpec) => mpirun(2, [process.execPath, child, JSON.stringify(s)], { env: { FASTNN_BACKEND: 'js' } });
    const [cut, whole] = await Promise.all([run({ ...spec, pieces: { work: 24, entries: 8 } }), run(spec)]);
    const lines = [cut, whole].map((r) => {
      expect(r.status, r.stderr).toBe(0);
      return linesByRank<FitLine>(r.stdout);
    });
    expectSameBitsOnEveryRank(lines[0]!);
    expect(lines[0]).toEqual(lines[1]);
  });

  it.runIf(backendPair() !== null)('native and TS ranks draw the same input noise: a denoising autoencoder agrees across backends', async () => {
    const spec: FitSpec = { kind: 'autoencoder', n: 60, batchSize: 6, epochs: 4, optimizer: { type: 'adam', lr: 0.01 }, denoise: 0.3 };
    const run = (backend: string) => mpirun(2, [process.execPath, child, JSON.stringify(spec)], { env: { FASTNN_BACKEND: backend } });
    const [native, js, alone1] = await Promise.all([run('native'), run('js'), alone(spec)]);
    const lines = [native, js].map((r) => {
      expect(r.status, r.stderr).toBe(0);
      return linesByRank<FitLine>(r.stdout);
    });
    expectSameBitsOnEveryRank(lines[0]!);
    expectSameBitsOnEveryRank(lines[1]!);
    expect(relativeDistance(lines[1]![0]!, lines[0]![0]!)).toBeLessThan(1e-5);
    // Each rank's noise is its own stream, not the one process's: the runs differ by more than rounding.
    expect(relativeDistance(lines[0]![0]!, linesByRank<FitLine>(alone1!.stdout)[0]!)).toBeGreaterThan(1e-3);
  });

  it('a rank killed mid-fit ends every rank with a non-zero exit, and no output file', async () => {
    const output = join(dir, 'killed.safetensors');
    const run = await mpirun(
      2,
      [
        process.execPath,
        child,
        JSON.stringify({ kind: 'mlp', n: 320, batchSize: 16, epochs: 100_000, optimizer: { type: 'sgd', lr: 0.1 }, dieAt: { rank: 1, epoch: 3 }, output }),
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull(); // ended by MPI, not by the test's timeout
    expect(run.seconds).toBeLessThan(30);
    expect(run.stdout).toBe('');
    expect(existsSync(output)).toBe(false);
  });

  it('an abort on one rank stops every rank: that one with its reason, the others saying so', async () => {
    const run = await mpirun(
      2,
      [
        process.execPath,
        child,
        JSON.stringify({ kind: 'mlp', n: 320, batchSize: 16, epochs: 100_000, optimizer: { type: 'sgd', lr: 0.1 }, abortAt: { rank: 1, epoch: 2 } }),
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull();
    expect(run.stderr).toContain('rank 1: rank 1 stops');
    expect(run.stderr).toContain('rank 0: MLP.fit: another rank of this run was aborted, so every rank stopped');
  });

  it('ranks given different settings fail on every rank, naming the difference', async () => {
    const output = join(dir, 'mismatch.safetensors');
    const run = await mpirun(2, [
      process.execPath,
      child,
      JSON.stringify({ kind: 'mlp', n: 320, batchSize: 16, epochs: 2, optimizer: { type: 'sgd', lr: 0.1 }, differ: { batchSize: 8 }, output }),
    ]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('rank 0: MLP.fit: the ranks of this run disagree: batchSize is 16 on rank 0 but 8 on rank 1');
    expect(existsSync(output)).toBe(false);
  });

  it('fastnn autoencoder --distributed: rank 0 writes the model and checkpoint, the others nothing', async () => {
    const out = join(dir, 'ae.safetensors');
    const checkpoint = join(dir, 'ae.ckpt');
    const run = await mpirun(2, [
      process.execPath,
      cli,
      'autoencoder',
      '--out',
      out,
      '--limit',
      '120',
      '--layers',
      '784,16',
      '--epochs',
      '2',
      '--batch',
      '16',
      '--checkpoint',
      checkpoint,
      '--distributed',
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(checkpoint)).toBe(true);
    // Rank 0 alone reports.
    expect(run.stderr.match(/reconstruction MSE/g)).toHaveLength(1);
  });
});
