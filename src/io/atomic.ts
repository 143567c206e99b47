/**
 * Saves. A path that names nothing yet, or a regular file, is replaced
 * atomically: a temp file in the same directory is written, fsynced, given
 * the old file's mode (and, where the process may, its owner), then renamed
 * over the target. A crash at any moment leaves either the old file or the
 * new one, never a torn mix. The temp file is removed on failure, and temp
 * files left by processes that died mid-save (SIGKILL, power loss) are swept
 * after the next successful save of the same target. Character devices and
 * FIFOs are written through instead; what is refused, and how links are
 * followed, is write-target.ts's to say. A failure is a FileWriteError about
 * the target ("directory /x does not exist"), never about the temp file.
 */
import { access, constants, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, dirname, join } from 'node:path';
import { FileWriteError, writeProblem, writeThroughProblem } from './file-errors.js';
import { openThrough, writeTarget, type WriteOptions, type WriteTarget } from './write-target.js';

export { FileWriteError } from './file-errors.js';
export { checkOverwrite, checkWriteOptions, type WriteOptions } from './write-target.js';

/** `.<name>.<pid>.<8 hex>.tmp`: dot-prefixed beside the target (same filesystem, so rename is atomic). */
function tempName(target: string): string {
  return `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function writeFileAtomic(path: string, chunks: Uint8Array[], options: WriteOptions = {}): Promise<void> {
  const target = await writeTarget(path, options);
  if (target.how === 'through') return writeThrough(path, target, chunks);
  const file = target.file;
  const temp = join(dirname(file), tempName(file));
  const fail = async (err: unknown): Promise<never> => {
    throw new FileWriteError(path, await writeProblem(file, err, temp), { cause: err });
  };
  const handle = await open(temp, 'wx').catch(fail);
  try {
    if (target.existing) await keepModeAndOwner(handle, target.existing);
    for (const chunk of chunks) await writeAll(handle, chunk);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    return fail(err);
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    return fail(err);
  }
  await sweepStaleTemps(file);
}

/**
 * The replaced file's permissions carry over (a 0600 key file stays 0600, a
 * read-only one stays read-only). Its owner too where the process may set it
 * (root): otherwise the file becomes the saver's, as when an editor saves it.
 * The owner first: chown clears set-user-ID bits that chmod then restores.
 */
async function keepModeAndOwner(handle: FileHandle, old: Stats): Promise<void> {
  const mine = await handle.stat();
  if (mine.uid !== old.uid || mine.gid !== old.gid) await handle.chown(old.uid, old.gid).catch(() => undefined);
  await handle.chmod(old.mode & 0o7777);
}

/** A character device or FIFO: opened and written as it is, nothing renamed, nothing to sweep. */
async function writeThrough(path: string, target: WriteTarget & { how: 'through' }, chunks: Uint8Array[]): Promise<void> {
  const handle = await openThrough(path, target);
  try {
    for (const chunk of chunks) await writeAll(handle, chunk);
  } catch (err) {
    throw new FileWriteError(path, writeThroughProblem(err), { cause: err });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Fails now as a save to `path` would fail later (it is a directory, a
 * read-only file, a block device; its directory is missing or not writable),
 * so a CLI run checks before the work that produces the file. Not a
 * guarantee: the disk may still fill up. A FIFO's reader is looked for only
 * when writing: opening it now and closing it would end the reader's input.
 */
export async function checkWritable(path: string, options: WriteOptions = {}): Promise<void> {
  const target = await writeTarget(path, options);
  if (target.how === 'through') return;
  const dir = dirname(target.file);
  try {
    // access() alone would accept a writable file where the directory should be.
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new FileWriteError(path, await writeProblem(target.file, err, target.file), { cause: err });
  }
}

/** fs writes take at most 2 GiB − 1 bytes and may write less than asked: large chunks (word2vec vectors) go in pieces. */
const WRITE_PIECE = 1 << 30;

/** A FIFO opened without blocking returns EAGAIN while its buffer is full: wait for the reader, this long at most between tries. */
const FULL_PIPE_WAIT_MS = 20;

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0, wait = 1; at < chunk.length; ) {
    try {
      const { bytesWritten } = await file.write(chunk, at, Math.min(WRITE_PIECE, chunk.length - at));
      at += bytesWritten;
      wait = 1;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      await sleep(wait);
      wait = Math.min(2 * wait, FULL_PIPE_WAIT_MS);
    }
  }
}

/** Removes temp files of `target` whose writing process no longer exists. */
async function sweepStaleTemps(target: string): Promise<void> {
  const prefix = `.${basename(target)}.`;
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !processExists(pid)) await rm(join(dirname(target), entry), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
