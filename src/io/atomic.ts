/**
 * Atomic file replacement: write a temp file in the same directory, fsync it,
 * then rename over the target. A crash at any moment leaves either the old
 * file or the new one, never a torn mix. The temp file is removed on failure,
 * and temp files left by processes that died mid-save (SIGKILL, power loss)
 * are swept after the next successful save of the same target.
 */
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<pid>.<8 hex>.tmp`: dot-prefixed beside the target (same filesystem, so rename is atomic). */
function tempName(target: string): string {
  return `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function writeFileAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  const temp = join(dirname(path), tempName(path));
  const file = await open(temp, 'wx');
  try {
    for (const chunk of chunks) await writeAll(file, chunk);
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await sweepStaleTemps(path);
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
