/**
 * Runs a script under mpirun for the distributed suites, with the settings
 * that make it work on one machine and in CI containers:
 * - TCP on loopback only (`btl self,tcp`, `btl_tcp_if_include lo`), so the
 *   path between hosts is the one tested;
 * - `--oversubscribe` (more ranks than cores) and `--bind-to none` (each
 *   rank's threads are free to use every core);
 * - no shared-memory single copy (it needs ptrace, which containers lack);
 * - running as root allowed (CI runs as root);
 * - a session directory of its own per launch (`orte_tmpdir_base`): the
 *   suites' files run in parallel, and launches sharing Open MPI's default
 *   one (/tmp/ompi.<host>.<uid>) race to make and remove it ("A call to mkdir
 *   was unable to create the desired directory … File exists").
 * The suites run where mpirun and the MPI addon are present, and must run
 * where FASTNN_REQUIRE_MPI=1 (CI sets it after building the addon): a
 * missing piece there is an error, not a skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MPI_ADDON_PATHS } from '../../src/distributed/mpi-addon.js';

const required = process.env['FASTNN_REQUIRE_MPI'] === '1';
const hasMpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
const hasAddon = MPI_ADDON_PATHS.some((p) => existsSync(p));

/** Whether this run can launch MPI jobs; throws when it must and cannot. */
export function mpiAvailable(): boolean {
  if (hasMpirun && hasAddon) return true;
  if (required) {
    throw new Error(`FASTNN_REQUIRE_MPI=1 but ${hasMpirun ? 'the MPI addon is not built (npm run build:mpi)' : 'mpirun is not installed'}`);
  }
  return false;
}

export const MPI_ENV = { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' };
export const MPIRUN_OPTIONS = [
  '--oversubscribe',
  '--bind-to',
  'none',
  '--mca',
  'btl',
  'self,tcp',
  '--mca',
  'btl_tcp_if_include',
  'lo',
  '--mca',
  'btl_vader_single_copy_mechanism',
  'none',
];

export interface MpiRun {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `mpirun -np <ranks> <options> <command…>`, killed (status null) after timeoutMs. */
export function mpirun(ranks: number, command: string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<MpiRun> {
  const started = performance.now();
  const session = mkdtempSync(join(tmpdir(), 'fastnn-ompi-'));
  return new Promise((resolve) => {
    const child = spawn('mpirun', ['-np', String(ranks), ...MPIRUN_OPTIONS, ...command], {
      env: { ...process.env, ...MPI_ENV, OMPI_MCA_orte_tmpdir_base: session, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      rmSync(session, { recursive: true, force: true });
      resolve({ status, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The JSON lines a run's ranks printed, by rank (each line carries `rank`). */
export function linesByRank<T extends { rank: number }>(stdout: string): T[] {
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
  return lines.sort((a, b) => a.rank - b.rank);
}
