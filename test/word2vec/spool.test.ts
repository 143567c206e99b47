/**
 * Corpora that are not regular files, on both backends: a FIFO (with a
 * writer, and without one: the abort and process exit must not wait for
 * it), a /proc file (size 0), /dev/zero and /dev/urandom (stopped by maxSpoolBytes), and an async
 * iterable that stalls (abandoned within 250 ms of the abort).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/select.js';
import { CorpusError } from '../../src/word2vec/corpus.js';
import { Word2Vec, type TrainOptions } from '../../src/word2vec/word2vec.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { inSomeTry } from '../helpers/timing.js';
import { plantedFile, tempDir } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = plantedFile(dir, 2000);
const base: Omit<TrainOptions, 'input'> = { vectorSize: 8, minCount: 1, epochs: 1, threads: 1, seed: 3 };
const dist = new URL('../../dist/index.js', import.meta.url).pathname;

function fifo(name: string): string {
  const path = join(dir, name);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${made.stderr}`);
  return path;
}

/** How long (ms) after `abortAfter` ms the call rejects with the abort's reason. */
async function abortDelay(abortAfter: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<number> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), abortAfter);
  const start = performance.now();
  await expect(run(controller.signal)).rejects.toThrow(/aborted/);
  return performance.now() - start - abortAfter;
}

describe.each(backendsUnderTest().map((b) => [b.name]))('corpora that are not regular files, on %s', (name) => {
  const train = (options: TrainOptions) => {
    useBackend(name as 'js' | 'native');
    return Word2Vec.train({ ...base, ...options });
  };

  it('trains from a FIFO as from the file written into it', { timeout: 30_000 }, async () => {
    const path = fifo(`${name}-written`);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', corpus, path]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    const piped = await train({ input: path });
    expect(await written).toBe(0);
    const direct = await train({ input: corpus });
    expect(piped.words).toEqual(direct.words);
    expect(Buffer.from(piped.vectors.buffer).equals(Buffer.from(direct.vectors.buffer))).toBe(true);
  });

  it('stops waiting for a FIFO nobody writes within 250 ms of the abort', async () => {
    const path = fifo(`${name}-silent`);
    await inSomeTry(3, async () => {
      const late = await abortDelay(100, (signal) => train({ input: path, signal }));
      expect(late).toBeLessThan(250);
    });
  });

  it('stops waiting for the FIFO a checkpoint names as its corpus when the resume aborts', async () => {
    const path = fifo(`${name}-checkpointed`);
    const checkpoint = join(dir, `${name}-fifo.ckpt`);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', corpus, path]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    await train({ input: path, checkpoint });
    expect(await written).toBe(0);
    await inSomeTry(3, async () => {
      const late = await abortDelay(100, (signal) => Word2Vec.resume(checkpoint, { signal, checkpoint: false }));
      expect(late).toBeLessThan(250);
    });
  });

  it('lets the process exit while it waits for a FIFO nobody writes, aborted or not', () => {
    const path = fifo(`${name}-exit`);
    const script = (ending: string) => `
      const { Word2Vec } = await import(${JSON.stringify(dist)});
      const { useBackend } = await import(${JSON.stringify(dist.replace(/index\.js$/, 'backend/select.js'))});
      useBackend(${JSON.stringify(name)});
      const controller = new AbortController();
      Word2Vec.train({ input: ${JSON.stringify(path)}, signal: controller.signal }).catch(() => {});
      setTimeout(() => { ${ending} }, 200);`;
    // An explicit exit, and an abort after which nothing may keep the loop alive.
    for (const ending of ['process.exit(0)', 'controller.abort()']) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(ending)], { timeout: 10_000 });
      expect(child.signal, `${ending}: ${child.stderr}`).toBeNull();
      expect(child.status, `${ending}: ${child.stderr}`).toBe(0);
    }
  });

  it('trains from a file whose size the system does not report (/proc)', async () => {
    const v = await train({ input: '/proc/self/maps' });
    expect(v.words.length).toBeGreaterThan(0);
  });

  it.each(['/dev/zero', '/dev/urandom'])('stops spooling %s at maxSpoolBytes, naming the option', async (device) => {
    const failure = train({ input: device, maxSpoolBytes: 1 << 20 });
    await expect(failure).rejects.toThrow(CorpusError);
    await expect(failure).rejects.toThrow(`the corpus ${device} is larger than maxSpoolBytes (1048576 bytes; CLI: --max-spool)`);
  });

  it('counts an iterable against maxSpoolBytes too', async () => {
    async function* lines() {
      for (;;) yield 'the same sentence again and again';
    }
    await expect(train({ input: lines(), maxSpoolBytes: 1e5 })).rejects.toThrow(/the input iterable is larger than maxSpoolBytes \(100000 bytes/);
  });

  it('abandons an async iterable that stalls within 250 ms of the abort', async () => {
    await inSomeTry(3, async () => {
      async function* stalls() {
        yield readFileSync(corpus, 'utf8');
        await new Promise(() => {});
      }
      const late = await abortDelay(100, (signal) => train({ input: stalls(), signal }));
      expect(late).toBeLessThan(250);
    });
  });
});
