/**
 * Where a path leads once symbolic links are followed. A save follows a link
 * and replaces the file it points to, so the link stays a link (as editors
 * do); a dangling link leads to the path it names, where the save creates
 * the file. The same-file checks of a run (run-paths.ts) compare files that
 * do not exist yet by this path too.
 */
import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

/** Linux's own limit on links followed in one lookup. */
const MAX_LINKS = 40;

/**
 * The path behind `path` (the last component's links followed, a chain
 * included) and what is there, not following links: null when nothing is
 * (or it cannot be looked at: the write that follows reports why).
 */
export async function followLinks(path: string): Promise<{ path: string; stats: Stats | null }> {
  let at = path;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const stats = await lstat(at).catch(() => null);
    if (!stats?.isSymbolicLink()) return { path: at, stats };
    const to = await readlink(at);
    // Not normalised: '..' after a linked directory is the kernel's to resolve, as it does when the file is opened.
    at = isAbsolute(to) ? to : `${dirname(at)}/${to}`;
  }
  throw Object.assign(new Error(`more than ${MAX_LINKS} symbolic links in a row`), { code: 'ELOOP' });
}
