/**
 * Permission checks that hold for root too: root reads and writes through
 * permission bits, so a test of what a user without permission sees runs its
 * check in a child process of an unprivileged user (nobody, 65534) when the
 * tests run as root, and in a plain child otherwise. The child needs to read
 * the compiled package (dist/) and the files under test, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY = 65534;
const root = process.getuid?.() === 0;

/** A new directory the unprivileged user can enter (mkdtemp makes it 0700). */
export function sharedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Runs `node script ...args` as the unprivileged user; its stdout parsed as JSON. */
export function runUnprivileged<T>(script: string, args: string[]): T {
  const run = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(root ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (run.status !== 0) throw new Error(`unprivileged child failed (status ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
