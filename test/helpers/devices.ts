/**
 * Character devices for tests that save into them. As root, a twin of the
 * device made in the test's directory (mknod), so a save that wrongly
 * replaces the node replaces the twin, never the machine's /dev/null; as any
 * other user the device itself, which such a save could not replace.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** /dev/null (minor 3), /dev/full (7) or its twin in `dir`; null when neither can be opened (no mknod, a filesystem mounted nodev). */
export function characterDevice(dir: string, name: string, minor: number): string | null {
  let path = `/dev/${name}`;
  if (process.getuid?.() === 0) {
    path = join(dir, `${name}-twin`);
    if (!existsSync(path) && spawnSync('mknod', ['-m', '666', path, 'c', '1', String(minor)]).status !== 0) return null;
  }
  try {
    closeSync(openSync(path, constants.O_WRONLY));
    return path;
  } catch {
    return null;
  }
}
