/**
 * Queries read from stdin, for the commands that answer words (similar,
 * analogy, print-vectors): one per line, blank lines skipped, each answered
 * as soon as its line arrives, so a terminal session works like fastText's
 * `nn` and `analogies`. A query that cannot be answered (a word not in the
 * vocabulary, a line of the wrong shape) is named on stderr with its line
 * number and skipped; once every other query has its answer, the command
 * fails (status 1) saying how many were skipped, so a script notices.
 */
import { createInterface } from 'node:readline';

/** What separates words: ASCII whitespace only, as in a corpus and a vectors file (a word may hold U+00A0). */
const SPACE = /[ \t\n\v\f\r]+/;

/** Skips the current query (or one of its words) with the reason, named on stderr. */
export type Skip = (why: string) => void;

/**
 * Calls `answer` with the words of each non-blank line of stdin; `what`
 * names a skipped thing and several in the final error (['query', 'queries']).
 */
export async function answerStdin(command: string, what: [string, string], answer: (words: string[], skip: Skip) => void): Promise<void> {
  if (process.stdin.isTTY) process.stderr.write(`fastnn ${command}: reading from the terminal, one query per line; Ctrl-D ends\n`);
  let line = 0,
    skipped = 0;
  const skip: Skip = (why) => {
    skipped++;
    process.stderr.write(`fastnn ${command}: line ${line}: ${why}\n`);
  };
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    const words = text.split(SPACE).filter((w) => w !== '');
    if (words.length > 0) answer(words, skip);
  }
  if (skipped > 0) throw new Error(`${skipped} ${what[skipped === 1 ? 0 : 1]} skipped (each named above)`);
}

/** Why a query naming `word` is skipped. */
export function notInVocabulary(word: string): string {
  return `'${word}' is not in the vocabulary`;
}
