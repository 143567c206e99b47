/**
 * Corpora the backends cannot read as they are, copied to a temporary file
 * first. Both backends read a corpus twice (the vocabulary scan, then
 * training split by the file's size), so the corpus must be a regular file
 * whose size is known. An async iterable (stdin, lines), a FIFO, a process
 * substitution (/dev/fd/N), a character device or a /proc file (size 0) is
 * spooled, up to `maxSpoolBytes`: /dev/zero or /dev/urandom then fails with
 * a message instead of filling the disk.
 *
 * Every wait honours the signal: a FIFO is opened non-blocking (a blocking
 * open() with no writer would hold a libuv thread, so neither an abort nor
 * process.exit() could end it) and read through the event loop, and each
 * chunk of any source is raced against the signal, so a source that stalls
 * is abandoned when the signal aborts.
 */
import { constants, createReadStream, open as openCallback } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CorpusError } from './corpus.js';

const openFd = promisify(openCallback);

/** The default cap: larger than any corpus a spool is the right tool for, small enough to stop /dev/zero before most disks fill. */
export const DEFAULT_MAX_SPOOL_BYTES = 64 * 2 ** 30;

/** Whether the corpus at `path` must be spooled: not a regular file, or one that reports no size (/proc). */
export async function needsSpool(path: string): Promise<boolean> {
  // stat never opens the file, so a FIFO without a writer cannot block it.
  const s = await stat(path);
  return !s.isFile() || s.size === 0;
}

/** The bytes of a corpus path that needsSpool refused, read without blocking a libuv thread on a FIFO. */
export async function readNonRegular(path: string): Promise<AsyncIterable<Uint8Array> & { destroy(): void }> {
  if (!(await stat(path)).isFIFO()) return createReadStream(path);
  // O_NONBLOCK: open() returns at once with or without a writer; the pipe is then
  // polled by the event loop (net.Socket), which waits for a writer and its end.
  return new Socket({ fd: await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
}

/** `promise`, or the signal's reason as soon as it aborts. */
function raced<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Writes a corpus source to `dir`/corpus.txt: a string is whole lines (a
 * newline added when it lacks one), bytes are a stream's chunks, written as
 * they come (a chunk may end inside a word). Fails past `maxBytes`, naming
 * `what` and the option that raises it; an abort stops it while it waits.
 */
export async function spool(
  fn: string,
  what: string,
  chunks: AsyncIterable<string | Uint8Array>,
  dir: string,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const path = join(dir, 'corpus.txt');
  const out = await open(path, 'w');
  const source = chunks[Symbol.asyncIterator]();
  let written = 0;
  let finished = false;
  try {
    for (;;) {
      const next = await raced(source.next(), signal);
      if (next.done) break;
      const chunk = next.value;
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) throw new TypeError(`${fn}: input iterable must yield strings or bytes (Uint8Array)`);
      const data = typeof chunk !== 'string' || chunk.endsWith('\n') ? chunk : chunk + '\n';
      written += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (written > maxBytes) {
        throw new CorpusError(
          `${fn}: ${what} is larger than maxSpoolBytes (${maxBytes} bytes; CLI: --max-spool), the most a corpus that ` +
            'is not a regular file is copied to a temporary file before training: raise it, or give the corpus as a regular file',
        );
      }
      // A write to the temp file is not raced: it ends by itself, and the file is closed after it.
      await (typeof data === 'string' ? out.write(data) : out.write(data));
    }
    finished = true;
  } finally {
    await out.close();
    // Not awaited: a source stalled in next() may never settle its return().
    if (!finished) void Promise.resolve(source.return?.()).catch(() => {});
  }
  return path;
}
