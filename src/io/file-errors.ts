/**
 * fs failures retold about the path the user named — "does not exist", "is a
 * directory", "permission denied" — instead of the engine's words (EISDIR
 * with no path) or the temp file a save writes first (atomic.ts).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

type ErrorClass = new (message: string, options?: { cause: unknown }) => Error;

/** A save that failed or was refused: `path` is the file asked for, the message says what is wrong with it or its directory. */
export class FileWriteError extends Error {
  /** The class name, as `err.name`. */
  override name = 'FileWriteError';
  constructor(
    /** The file that was to be written. */
    readonly path: string,
    why: string,
    options?: { cause: unknown },
  ) {
    // An empty path would read as "cannot write : …".
    super(`cannot write ${path === '' ? "''" : path}: ${why}`, options);
  }
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Why `path` cannot be read, from the error opening or reading it. */
function readProblem(err: unknown): string {
  switch (codeOf(err)) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'does not exist (a part of its path is a file, not a directory)';
    default:
      return `cannot be read (${codeOf(err) ?? (err as Error).message})`;
  }
}

/**
 * Opens `path` for reading, refusing directories (Linux opens them and fails
 * only at the first read). Failures throw `errorClass` with "<path>: <why>".
 */
export async function openForReading(path: string, errorClass: ErrorClass): Promise<FileHandle> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new errorClass(`${path}: ${readProblem(err)}`, { cause: err });
  }
  if ((await file.stat()).isDirectory()) {
    await file.close();
    throw new errorClass(`${path}: is a directory`);
  }
  return file;
}

/** The whole file at `path`, with openForReading's errors. */
export async function readWholeFile(path: string, errorClass: ErrorClass): Promise<Buffer> {
  const file = await openForReading(path, errorClass);
  try {
    return await file.readFile();
  } finally {
    await file.close();
  }
}

/**
 * Why a file cannot be written at `path` (the file a save replaces, links
 * followed), from the error writing the temp file beside it (or renaming it
 * into place): the directory's problem, named.
 */
export async function writeProblem(path: string, err: unknown, temp: string): Promise<string> {
  const dir = dirname(path);
  switch (codeOf(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return missingDirectory(dir);
    case 'EACCES':
    case 'EPERM':
      return `directory ${dir} is not writable (permission denied)`;
    case 'EROFS':
      return `directory ${dir} is not writable (read-only file system)`;
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the device of ${dir}`;
    default:
      return (err as Error).message.replaceAll(temp, path);
  }
}

/** "directory D does not exist", or which ancestor of D is a file rather than a directory. */
async function missingDirectory(dir: string): Promise<string> {
  for (let at = dir; ; at = dirname(at)) {
    const found = await stat(at).catch(() => null);
    if (found?.isDirectory()) return at === dir ? `cannot create files in directory ${dir}` : `directory ${dir} does not exist`;
    if (found) return `${at} is not a directory`;
    if (dirname(at) === at) return `directory ${dir} does not exist`;
  }
}

/** Why writing through a character device or FIFO (atomic.ts) failed: the device's own refusal, in words. */
export function writeThroughProblem(err: unknown): string {
  switch (codeOf(err)) {
    case 'ENOSPC':
      return 'no space left on device';
    case 'EPIPE':
      return 'its reader closed it before the whole file was written';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `the device refused the write (${codeOf(err) ?? (err as Error).message})`;
  }
}
