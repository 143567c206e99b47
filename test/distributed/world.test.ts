/**
 * distributed() and the collectives of src/distributed/world.ts under
 * mpirun (test/helpers/mpi.ts): 2 and 3 ranks over TCP on loopback, sums in
 * rank order, broadcasts, gathers, the settings agreement, and (native run)
 * the C ABI communicator a main-addon job calls from its own thread. Outside
 * mpirun the world is rank 0 of 1 and MPI is never loaded.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { distributed } from '../../src/index.js';
import { launcherVariable } from '../../src/distributed/launcher.js';
import { linesByRank, mpiAvailable, mpirun } from '../helpers/mpi.js';

const child = new URL('../helpers/children/mpi-world.mjs', import.meta.url).pathname;
const native = process.env['FASTNN_BACKEND'] === 'native';

interface WorldLine {
  rank: number;
  size: number;
  f32: number[];
  f64: number[];
  bytes: string;
  gathered: number[][] | null;
  agreeError: string | null;
  averaged: number[][];
  round: { header: number[]; rows: number[]; times: { headerSeconds: number; seconds: number; cpuSeconds: number } };
  broadcastShared: number[];
  summedShared: number[];
  abi: { rank: number; size: number; f64: number[]; f32: number[]; broadcast: number[] } | null;
}

describe('outside mpirun', () => {
  it('is rank 0 of 1 and loads no MPI', async () => {
    expect(launcherVariable({})).toBeNull();
    expect(launcherVariable({ OMPI_COMM_WORLD_SIZE: '2' })).toBe('OMPI_COMM_WORLD_SIZE');
    expect(launcherVariable({ PMIX_RANK: '0' })).toBe('PMIX_RANK');
    expect(await distributed()).toEqual({ rank: 0, size: 1 });
    const maps = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
       await m.distributed(); console.log(require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes('libmpi') ? 'mpi' : 'none');`.replace(
          "require('node:fs')",
          "(await import('node:fs'))",
        ),
      ],
      { encoding: 'utf8' },
    );
    expect(maps.stderr).toBe('');
    expect(maps.stdout.trim()).toBe('none');
  });
});

describe.runIf(native)('the communicator argument of a native job', () => {
  it("is refused, naming it, unless it is the MPI addon's tagged external", async () => {
    const { nativeWithTestHooks } = await import('../helpers/backends.js');
    const addon = nativeWithTestHooks();
    const call = (c: unknown) => () => addon.testCommunicator(c as object, new Float64Array(1), new Float32Array(1), 0);
    expect(call({})).toThrow(new TypeError("testCommunicator: communicator must be the communicator of fastnn's MPI addon, or null"));
    expect(call(null)).toThrow(new TypeError('testCommunicator: communicator must not be null'));
  });
});

describe.runIf(mpiAvailable())('under mpirun', () => {
  it.each([2, 3])('%i ranks: rank-ordered sums, broadcast, gather, agreement', async (ranks) => {
    const run = await mpirun(ranks, [process.execPath, child]);
    expect(run.status, run.stderr).toBe(0);
    const lines = linesByRank<WorldLine>(run.stdout);
    expect(lines.map((l) => l.rank)).toEqual([...Array(ranks).keys()]);
    // float32, added in rank order: 1e8 + 1 (+ 1) rounds back to 1e8 each time.
    const f32 = [
      Math.fround(1e8),
      Math.fround(Array.from({ length: ranks }, (_, r) => r + 0.5).reduce((a, b) => Math.fround(a + b))),
      -(ranks * (ranks - 1)) / 2,
    ];
    for (const line of lines) {
      expect(line.size).toBe(ranks);
      expect(line.f32).toEqual(f32);
      expect(line.f64[0]).toBeCloseTo((ranks - 1) / 2, 12);
      expect(line.f64[1]).toBeCloseTo(1 / 3, 12);
      expect(line.bytes).toBe('from rank 1');
      // The float32 sum over the ranks times float32(1/ranks); the 4th float is not averaged.
      const meanOf = (sum: number) => Math.fround(Math.fround(sum) * Math.fround(1 / ranks));
      const rankSum = (ranks * (ranks - 1)) / 2;
      const [x, y, z] = line.averaged;
      expect(x).toEqual([meanOf(rankSum), meanOf(2 * rankSum), 1, line.rank]);
      expect(y).toEqual([meanOf(10 * rankSum), meanOf(0.5 * ranks), meanOf(rankSum), line.rank]);
      // value + (mean − value): the mean, to float32 rounding.
      z!.forEach((v, i) => expect(v).toBeCloseTo([rankSum / ranks, 3, 7, rankSum / ranks][i]!, 5));
      // averageRound: every rank's header slots, then the rows averaged as averageInPlace without replace.
      expect(line.round.header).toEqual(Array.from({ length: ranks }, (_, r) => [r + 1, 2 ** 40 + r]).flat());
      line.round.rows.forEach((v, i) => expect(v).toBeCloseTo([rankSum / ranks, (4 * rankSum) / ranks, 9, line.rank][i]!, 5));
      const { headerSeconds, seconds, cpuSeconds } = line.round.times;
      for (const t of [headerSeconds, seconds, cpuSeconds]) expect(t).toBeGreaterThanOrEqual(0);
      expect(seconds + headerSeconds).toBeLessThan(30);
      expect(line.broadcastShared).toEqual([0, 1, 2, 3]);
      expect(line.summedShared).toEqual([-1, rankSum, 2 * rankSum, -1]);
      expect(line.agreeError).toMatch(/^test: the ranks of this run disagree: differs is "a" on rank 0 but "b1" on rank 1/);
      expect(line.agreeError).toContain(ranks === 3 ? 'but "b2" on rank 2' : 'rank 1');
      if (native) {
        expect(line.abi).toEqual({
          rank: line.rank,
          size: ranks,
          f64: [(ranks * (ranks + 1)) / 2],
          f32: [(0.25 * ranks * (ranks - 1)) / 2],
          broadcast: [ranks - 1, 7, 11],
        });
      }
    }
    expect(lines[0]!.gathered).toEqual(Array.from({ length: ranks }, (_, r) => Array(r + 1).fill(r)));
    expect(lines.slice(1).every((l) => l.gathered === null)).toBe(true);
  });
});
