/**
 * Atomic file replacement: write a temp file in the same directory, fsync it,
 * then rename over the target. A crash at any moment leaves either the old
 * file or the new one, never a torn mix. The temp file is removed on failure,
 * and temp files left by processes that died mid-save (SIGKILL, power loss)
 * are swept after the next successful save of the same target. A failure is
 * a FileWriteError about the target ("directory /x does not exist"), never
 * about the temp file.
 */
import { access, constants, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { writeProblem } from './file-errors.js';

/** A save that failed: `path` is the file asked for, the message says what is wrong with it or its directory. */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
  constructor(readonly path: string, why: string, options?: { cause: unknown }) {
    super(`cannot write ${path}: ${why}`, options);
  }
}

/** `.<name>.<pid>.<8 hex>.tmp`: dot-prefixed beside the target (same filesystem, so rename is atomic). */
function tempName(target: string): string {
  return `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function writeFileAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  // Checked first: the rename would refuse it only after the whole file is written.
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new FileWriteError(path, 'it is a directory');
  const temp = join(dirname(path), tempName(path));
  const fail = async (err: unknown): Promise<never> => {
    throw new FileWriteError(path, await writeProblem(path, err, temp), { cause: err });
  };
  const file = await open(temp, 'wx').catch(fail);
  try {
    for (const chunk of chunks) await writeAll(file, chunk);
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    return fail(err);
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    return fail(err);
  }
  await sweepStaleTemps(path);
}

/**
 * Fails now as a save to `path` would fail later (it is a directory; its
 * directory is missing or not writable), so a CLI run checks before the work
 * that produces the file. Not a guarantee: the disk may still fill up.
 */
export async function checkWritable(path: string): Promise<void> {
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new FileWriteError(path, 'it is a directory');
  try {
    // access() alone would accept a writable file where the directory should be.
    if (!(await stat(dirname(path))).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dirname(path), constants.W_OK);
  } catch (err) {
    throw new FileWriteError(path, await writeProblem(path, err, path), { cause: err });
  }
}

/** fs writes take at most 2 GiB − 1 bytes and may write less than asked: large chunks (word2vec vectors) go in pieces. */
const WRITE_PIECE = 1 << 30;

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    const { bytesWritten } = await file.write(chunk, at, Math.min(WRITE_PIECE, chunk.length - at));
    at += bytesWritten;
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
