/**
 * Out of memory, on both backends: sizes the machine could hold but the
 * memory left cannot give a RangeError naming what could not be allocated
 * (code ERR_FASTNN_OUT_OF_MEMORY), never a crash; a model keeps its weights
 * and trains again. Each case runs test/helpers/children/out-of-memory.mjs
 * in a child process under `ulimit -v` (Node's own start-up reservations
 * plus 700 MB), where an allocation fails at once instead of the kernel's
 * overcommit letting it through: the input data copied for a native job,
 * one batch's scratch buffers (on the native job's thread), word2vec's
 * vectors and the native job's copies of them, PCA's centred data and MDS's
 * distance matrix.
 */
import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsUnderTest } from '../helpers/backends.js';

const child = new URL('../helpers/children/out-of-memory.mjs', import.meta.url).pathname;
const backends = backendsUnderTest().map((b) => b.name);
const BOTH = ['js', 'native'];

interface Run {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { signal?: string | null }) | null;
      resolve({ stdout, stderr, signal: e?.signal ?? null, status: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
    });
  });
}

/** [case, backends, message]: the cases that copy a native job's data run on the native backend only. */
const CASES: [string, string[], RegExp][] = [
  ['mlp-copy', ['native'], /^MLP\.fit: not enough memory for a shared copy of x \(\d+ floats\)$/],
  ['autoencoder-copy', ['native'], /^Autoencoder\.fit: not enough memory for a shared copy of x \(\d+ floats\)$/],
  ['mlp-scratch', BOTH, /^MLP\.fit: not enough memory for the network's scratch buffers for batches of 4096 rows$/],
  ['word2vec', BOTH, /^Word2Vec\.train: not enough memory for the input vectors \(100 × \d+ floats, [\d.]+ GB\)$/],
  ['word2vec-copy', ['native'], /^Word2Vec\.train: not enough memory for a shared copy of the (input|output) vectors.*\(\d+ floats\)$/],
  ['pca', BOTH, /^PCA\.fit: not enough memory for the covariance of x \(\d+ × \d+ floats\)$/],
  ['mds', BOTH, /^classicalMds: not enough memory for the Gram matrix of x \(\d+ × \d+ floats\)$/],
];
const MODELS = new Set(['mlp-copy', 'autoencoder-copy', 'mlp-scratch']);

describe.runIf(process.platform === 'linux')('out of memory', () => {
  let limitKb = 0;
  beforeAll(async () => {
    // What the child reserves before any case (V8, the addon's threads) varies with the Node release.
    const measured = await run(process.execPath, [child, backends.includes('native') ? 'native' : 'js', 'measure']);
    expect(measured.status, measured.stderr).toBe(0);
    limitKb = Math.ceil((JSON.parse(measured.stdout) as { vmSize: number }).vmSize / 1024) + 700_000;
  }, 60_000);

  const rows = CASES.flatMap(([name, on, message]) => on.filter((b) => backends.includes(b)).map((b) => [name, b, message] as const));
  it.each(rows)(
    '%s on %s: a RangeError naming what did not fit, and no crash',
    async (name, backend, message) => {
      const out = await run('bash', ['-c', `ulimit -v ${limitKb} && exec "$0" "$@"`, process.execPath, child, backend, name]);
      expect(out.signal, out.stderr).toBeNull();
      expect(out.status, out.stderr).toBe(0);
      const result = JSON.parse(out.stdout) as { error: { name: string; code: string; message: string } | null; weightsKept?: boolean; trainsAgain?: boolean };
      expect(result.error).not.toBeNull();
      expect(result.error!.name).toBe('RangeError');
      expect(result.error!.code).toBe('ERR_FASTNN_OUT_OF_MEMORY');
      expect(result.error!.message).toMatch(message);
      if (MODELS.has(name)) expect({ weightsKept: result.weightsKept, trainsAgain: result.trainsAgain }).toEqual({ weightsKept: true, trainsAgain: true });
    },
    60_000,
  );
});
