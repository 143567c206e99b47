/**
 * What a save may do to the thing a path names, decided before a byte is
 * written (atomic.ts writes, checkWritable checks the same way before a
 * CLI run trains):
 * - nothing there, or a regular file: replaced atomically (temp + rename);
 *   a regular file without write permission for its owner is refused unless
 *   the caller asks to overwrite it — the mode bits are read, since root
 *   passes every access(W_OK) check and a rename needs only the directory;
 * - a character device or a FIFO: written through (/dev/null, a pipe to
 *   another program), never replaced by a regular file;
 * - a directory, block device or socket: refused.
 * Symbolic links are followed (links.ts): the file they lead to is the target.
 */
import { constants, open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FileWriteError, writeThroughProblem } from './file-errors.js';
import { followLinks } from './links.js';
import { checkOptions } from '../options.js';

export interface WriteOptions {
  /** Replace a regular file that has no write permission for its owner (default false: refused). */
  overwrite?: boolean;
}

/** An `overwrite` option as a caller gave it (`name`: 'options.overwrite', 'checkpoint.overwrite'): a boolean, or absent. */
export function checkOverwrite(fn: string, name: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean`);
  return v === true;
}

/** The options of a save that takes no others (`MLP#save`, `Figure#save`), checked key by key. */
export function checkWriteOptions(fn: string, options: unknown): WriteOptions {
  checkOptions(fn, 'options', options, ['overwrite']);
  return { overwrite: checkOverwrite(fn, 'options.overwrite', (options as WriteOptions | undefined)?.overwrite) };
}

export type WriteTarget =
  /** `file` (links followed) is replaced by a temp file renamed over it; `existing` is what it replaces. */
  | { how: 'replace'; file: string; existing: Stats | null }
  /** `file` is opened and written as it is. */
  | { how: 'through'; file: string; kind: 'character device' | 'FIFO' };

export async function writeTarget(path: string, options: WriteOptions): Promise<WriteTarget> {
  if (path === '') throw new FileWriteError(path, 'the path is empty');
  const { path: file, stats } = await followLinks(path).catch((err: unknown) => {
    throw new FileWriteError(path, 'too many symbolic links (a loop?)', { cause: err });
  });
  if (stats === null || stats.isFile()) {
    if (stats && (stats.mode & 0o200) === 0 && options.overwrite !== true) {
      throw new FileWriteError(
        path,
        `it is read-only (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}); ` + 'overwrite: true (--force on the command line) replaces it',
      );
    }
    return { how: 'replace', file, existing: stats };
  }
  if (stats.isDirectory()) throw new FileWriteError(path, 'it is a directory');
  if (stats.isCharacterDevice()) return { how: 'through', file, kind: 'character device' };
  if (stats.isFIFO()) return { how: 'through', file, kind: 'FIFO' };
  const kind = stats.isBlockDevice() ? 'a block device' : stats.isSocket() ? 'a socket' : 'a special file';
  throw new FileWriteError(path, `it is ${kind}; saves write regular files, character devices and FIFOs only`);
}

/**
 * Opens a character device or FIFO for writing. A FIFO is opened without
 * blocking, so one that no process reads is refused at once instead of
 * waiting forever; its writes then may return EAGAIN (atomic.ts retries).
 */
export async function openThrough(path: string, target: WriteTarget & { how: 'through' }): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_NOCTTY | (target.kind === 'FIFO' ? constants.O_NONBLOCK : 0);
  try {
    return await open(target.file, flags);
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENXIO' && target.kind === 'FIFO'
        ? 'it is a FIFO that no process has open for reading (start the reader first)'
        : writeThroughProblem(err);
    throw new FileWriteError(path, why, { cause: err });
  }
}
