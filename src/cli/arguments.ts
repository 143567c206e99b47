/**
 * Checks of command-line values shared by the word2vec commands: each
 * error names the flag and what it expects, and main.ts prints it as the
 * command's one line on stderr.
 */
import { access } from 'node:fs/promises';

/** An integer ≥ min, or undefined when the flag is absent. */
export function int(flag: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

/** A finite number ≥ 0, or undefined when the flag is absent. */
export function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new RangeError(`--${flag} must be a non-negative number, got '${v}'`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A byte count: a number, optionally with a binary unit (K, M, G, T: 2^10 … 2^40; "64G"). */
export function bytes(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!(n >= 1)) throw new RangeError(`--${flag} must be a byte count ≥ 1, optionally with K, M, G or T (64G), got '${v}'`);
  return Math.floor(n);
}

export function oneOf<T extends string>(flag: string, v: string | undefined, values: readonly T[]): T | undefined {
  if (v === undefined || (values as readonly string[]).includes(v)) return v as T | undefined;
  throw new RangeError(`--${flag} must be ${values.map((x) => `'${x}'`).join(' or ')}, got '${v}'`);
}

/** Refuses a file the command would read that is not there, before any work: "corpus 'c.txt' does not exist or cannot be read". */
export async function mustExist(path: string, what: string): Promise<void> {
  await access(path).catch(() => {
    throw new Error(`${what} '${path}' does not exist or cannot be read`);
  });
}
