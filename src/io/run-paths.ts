/**
 * The files one run names — a command's flags, an API call's paths —
 * checked together before any work: every file it writes has a name, and
 * none is the same file as one it reads or another it writes; on a command
 * line, none is '-'. A checkpoint
 * saved over the corpus, or vectors over their own checkpoint, would replace
 * it without a word.
 *
 * Files that exist compare by device and inode (hard links and different
 * spellings of one path are caught), others by their absolute path with
 * symbolic links resolved as far as they exist (a save follows a link:
 * links.ts). Only regular files and files still to be created count: two
 * writes through /dev/null or one FIFO replace nothing.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { followLinks } from './links.js';

/** Paths by the name the user gave them ('--input', 'checkpoint'); absent ones are left out. */
export type NamedPaths = Record<string, string | undefined>;

export interface RunPaths {
  reads: NamedPaths;
  writes: NamedPaths;
  /** Two names that may be the same file: a checkpoint resumed from and written again. */
  inPlace?: [string, string];
  /**
   * Paths from a command line, where '-' means stdin or stdout: refused,
   * so that no command creates or reads a file called '-' by surprise (the
   * options that take '-' leave it out of these lists).
   */
  commandLine?: boolean;
}

/**
 * Throws naming both roles and the path ("--checkpoint c.txt is the same file
 * as --input"), after `fn: ` when given (API calls).
 */
export async function checkRunPaths(paths: RunPaths, fn?: string): Promise<void> {
  const prefix = fn === undefined ? '' : `${fn}: `;
  const present = (named: NamedPaths) => Object.entries(named).filter((e): e is [string, string] => e[1] !== undefined);
  const writes = present(paths.writes);
  for (const [name, path] of writes) if (path === '') throw new TypeError(`${prefix}${name} must name a file, got ''`);
  const reads = present(paths.reads);
  if (paths.commandLine) {
    const dash = [...reads, ...writes].find(([, path]) => path === '-');
    if (dash) throw new TypeError(`${dash[0]} takes a file, not '-' (stdin or stdout); ./- names a file called '-'`);
  }
  const seen: { name: string; path: string; key: string }[] = [];
  for (const [index, [name, path]] of [...reads, ...writes].entries()) {
    const key = await identity(path);
    const writing = index >= reads.length;
    const earlier = key === null || !writing ? undefined : seen.find((s) => s.key === key && !inPlace(paths, s.name, name));
    if (earlier) {
      throw new RangeError(`${prefix}${name} ${path} is the same file as ${earlier.name}${earlier.path === path ? '' : ` ${earlier.path}`}`);
    }
    if (key !== null) seen.push({ name, path, key });
  }
}

function inPlace(paths: RunPaths, a: string, b: string): boolean {
  const pair = paths.inPlace;
  return pair !== undefined && pair.includes(a) && pair.includes(b);
}

/** What makes two paths one file: its inode, or where it will be created; null for what may be shared (devices, FIFOs, directories). */
async function identity(path: string): Promise<string | null> {
  const stats = await stat(path).catch(() => null);
  if (stats) return stats.isFile() ? `inode ${stats.dev}:${stats.ino}` : null;
  // A link loop is the save's to report.
  const { path: target } = await followLinks(path).catch(() => ({ path }));
  return `path ${await realPathSoFar(target)}`;
}

/** The absolute path with its longest existing prefix's links resolved (realpath of the rest would fail: it does not exist). */
async function realPathSoFar(path: string): Promise<string> {
  const rest: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const real = await realpath(at).catch(() => null);
    if (real !== null) return join(real, ...rest);
    if (dirname(at) === at) return resolve(path);
    rest.unshift(basename(at));
  }
}
