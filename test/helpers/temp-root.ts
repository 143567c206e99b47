/**
 * vitest's global setup: a test run's temporary files go under one
 * directory of its own, removed when the run ends. Test files and the
 * processes they start (CLI runs, mpirun, unprivileged children) make
 * theirs with os.tmpdir(), which reads TMPDIR, so a run leaves nothing in
 * the machine's temporary directory however its tests end.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'fastnn-tests-'));
  // As the system's /tmp: an unprivileged child (as-user.ts) makes and enters directories here too.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
