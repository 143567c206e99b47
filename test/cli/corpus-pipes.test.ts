/**
 * `fastnn word2vec --input` on corpora that are not regular files (the
 * compiled CLI, on each backend under test): a FIFO path as `<(cat c.txt)`
 * passes one, Ctrl-C while it waits for a writer, and /dev/zero stopped by
 * --max-spool.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendsUnderTest } from '../helpers/backends.js';
import { plantedFile } from '../helpers/word2vec.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fastnn-cli-pipes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 2000);
const train = ['--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1'];

describe.each(backendsUnderTest().map((b) => [b.name]))('word2vec --input that is not a regular file, on %s', (backend) => {
  const env = { ...process.env, FASTNN_BACKEND: backend };
  const fifo = (name: string) => {
    const path = join(dir, `${backend}-${name}`);
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    return path;
  };

  it('trains from a FIFO with a writer, as <(cat corpus.txt) passes it, like from the file', async () => {
    const path = fifo('substituted');
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', corpus, path]);
    const output = join(dir, `${backend}-piped.txt`);
    const piped = spawn(process.execPath, [main, 'word2vec', '--input', path, '--output', output, ...train], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    piped.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = await Promise.all([new Promise((resolve) => piped.once('exit', resolve)), new Promise((resolve) => writer.once('exit', resolve))]);
    expect(code, stderr).toBe(0);
    const direct = spawnSync(process.execPath, [main, 'word2vec', '--input', corpus, '--output', join(dir, `${backend}-direct.txt`), ...train], { env });
    expect(direct.status, direct.stderr.toString()).toBe(0);
    expect(readFileSync(output).equals(readFileSync(join(dir, `${backend}-direct.txt`)))).toBe(true);
  });

  it('exits 130 on the first Ctrl-C while it waits for a FIFO nobody writes', async () => {
    const path = fifo('silent');
    const child = spawn(process.execPath, [main, 'word2vec', '--input', path, '--output', join(dir, `${backend}-silent.txt`), ...train], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('backend')) resolve(); // the first line: it is reading the corpus
      }),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
  });

  it('stops reading /dev/zero at --max-spool and says how to raise it', () => {
    const run = spawnSync(
      process.execPath,
      [main, 'word2vec', '--input', '/dev/zero', '--output', join(dir, `${backend}-zero.txt`), '--max-spool', '1M', ...train],
      { env, encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain('the corpus /dev/zero is larger than maxSpoolBytes (1048576 bytes; CLI: --max-spool)');
  });
});
