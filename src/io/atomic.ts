/**
 * Atomic file replacement: write a temp file in the same directory, fsync it,
 * then rename over the target. A crash at any moment leaves either the old
 * file or the new one, never a torn mix; the temp file is removed on failure.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  // A dot-prefixed name beside the target: same filesystem, so rename is atomic.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temp, 'wx');
  try {
    for (const chunk of chunks) await file.write(chunk);
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
}
