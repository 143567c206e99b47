/**
 * The vocabulary pass (Backend.word2vecVocab) on both backends against a
 * reference written here: tokens at the readers' 1 MiB block seams (a word,
 * a CRLF, 1000- and 1001-byte tokens split across them), lowercasing, and
 * word2vec.c's pruning rounds past 100 000 distinct words.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { WordTable } from '../../src/backend/js/word2vec/word-table.js';
import type { Backend } from '../../src/backend/backend.js';
import type { Word2VecVocab } from '../../src/backend/word2vec.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { tempDir, writeTemp } from '../helpers/word2vec.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both readers read the file in blocks of this many bytes. */
const BLOCK = 1 << 20;
const MAX_TOKEN_BYTES = 1000;

/** Counting without any reader: split on the separators, drop long tokens. */
function referenceCounts(text: string, lowercase: boolean, pruneAbove = Infinity): Map<string, number> {
  let counts = new Map<string, number>();
  let floor = 1;
  for (const raw of text.split(/[ \t\n\v\f\r]+/)) {
    if (raw === '' || raw.length > MAX_TOKEN_BYTES) continue;
    const word = lowercase ? raw.replace(/[A-Z]/g, (c) => c.toLowerCase()) : raw;
    counts.set(word, (counts.get(word) ?? 0) + 1);
    if (counts.size > pruneAbove) {
      const f = floor++;
      counts = new Map([...counts].filter(([, c]) => c > f));
    }
  }
  return counts;
}

/** The backend's result as [word, count] pairs, in its order. */
function pairs(v: Word2VecVocab): [string, number][] {
  const words = Buffer.from(v.words).toString('latin1').split('\n').slice(0, -1);
  return words.map((w, i) => [w, v.counts[i]!]);
}

/** What the vocabulary must be: count ≥ minCount, most frequent first, ties by bytes. */
function expected(counts: Map<string, number>, minCount: number, maxFinalVocab = 0): [string, number][] {
  const kept = [...counts].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return maxFinalVocab > 0 ? kept.slice(0, maxFinalVocab) : kept;
}

/**
 * A corpus whose byte k·BLOCK falls inside each `seams` feature: filler
 * words up to the seam minus `before`, then the feature.
 */
function seamCorpus(seams: [before: number, feature: string][]): string {
  let text = '';
  seams.forEach(([before, feature], k) => {
    const filler = `f${k}${'.'.repeat(97)} `; // long words: few tokens to count
    const room = (k + 1) * BLOCK - before - text.length;
    text += filler.repeat(Math.floor(room / filler.length)) + ' '.repeat(room % filler.length) + feature;
  });
  return text;
}

const seams: [number, string][] = [
  [3, 'straddle '], // a word cut in two
  [1, '\r\nafter-crlf '], // CR the block's last byte, LF the next one's first
  [0, ' starts-a-block '], // a separator exactly at the seam
  [7, 'Ends-At Mixed-CASE '], // a word ending at the seam
  [500, `${'a'.repeat(MAX_TOKEN_BYTES)} kept-after `], // 1000 bytes across the seam: kept
  [500, `${'b'.repeat(MAX_TOKEN_BYTES + 1)} dropped-after `], // 1001 bytes: dropped
  [1500, `${'c'.repeat(3 * MAX_TOKEN_BYTES)}\tx\ttail-without-newline`], // too long before the seam; the file ends in a word
];

const text = seamCorpus(seams);
const path = writeTemp(dir, 'seams.txt', Buffer.from(text, 'latin1'));

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('word2vec vocabulary pass on %s', (_name, backend: Backend) => {
  const scan = (options: { minCount?: number; maxFinalVocab?: number; lowercase?: boolean; input?: string; part?: number; parts?: number } = {}) =>
    backend.word2vecVocab({
      path: options.input ?? path,
      minCount: options.minCount ?? 1,
      maxFinalVocab: options.maxFinalVocab ?? 0,
      lowercase: options.lowercase ?? false,
      part: options.part ?? 0,
      parts: options.parts ?? 1,
    });

  it.each([2, 3, 7])("the %i parts of a file (the ranks' shards) count every token once between them", async (parts) => {
    const merged = new Map<string, number>();
    for (let part = 0; part < parts; part++) {
      for (const [w, c] of pairs(await scan({ part, parts }))) merged.set(w, (merged.get(w) ?? 0) + c);
    }
    expect([...merged].sort()).toEqual(pairs(await scan()).sort());
  });

  it('counts words cut by the block seams, CRLF across them, and drops only tokens over 1000 bytes', async () => {
    const got = pairs(await scan());
    expect(got).toEqual(expected(referenceCounts(text, false), 1));
    const words = new Map(got);
    for (const w of [
      'straddle',
      'after-crlf',
      'starts-a-block',
      'Ends-At',
      'kept-after',
      'dropped-after',
      'tail-without-newline',
      'a'.repeat(MAX_TOKEN_BYTES),
    ]) {
      expect(words.get(w), w).toBe(1);
    }
    expect(words.has('b'.repeat(MAX_TOKEN_BYTES + 1))).toBe(false);
    expect(got.every(([w]) => w.length <= MAX_TOKEN_BYTES)).toBe(true);
  });

  it('lowercases ASCII only, applies minCount and maxFinalVocab', async () => {
    const lowered = pairs(await scan({ lowercase: true }));
    expect(lowered).toEqual(expected(referenceCounts(text, true), 1));
    expect(new Map(lowered).get('mixed-case')).toBe(1);
    expect(pairs(await scan({ minCount: 2, maxFinalVocab: 3 }))).toEqual(expected(referenceCounts(text, false), 2, 3));
  });

  it('prunes as word2vec.c does when the table passes 100 000 distinct words', async () => {
    // "p" is seen once before the first round (dropped with the other
    // singletons, its count restarts), "q" twice (kept); the round comes
    // right after the 100 001st distinct word.
    const singletons = Array.from({ length: 100_000 }, (_, i) => `s${i}`);
    const corpus = ['q q p', singletons.slice(0, 99_999).join(' '), 'p p q', singletons.slice(99_999).join(' '), 'q z z\n'].join('\n');
    const input = writeTemp(dir, `prune-${backend.name}.txt`, corpus);
    const got = pairs(await scan({ input, maxFinalVocab: 5 }));
    expect(got).toEqual(expected(referenceCounts(corpus, false, 100_000), 1, 5));
    expect(got.slice(0, 3)).toEqual([
      ['q', 4],
      ['p', 2],
      ['z', 2],
    ]);
    // Without a cap the threshold is 30 million: exact counts.
    expect(pairs(await scan({ input, minCount: 2 }))).toEqual([
      ['q', 4],
      ['p', 3],
      ['z', 2],
    ]);
  });

  // 2^24 + 1 distinct words (a 150 MB corpus; 5 s natively, under a minute
  // and 1 GB on the TS backend): past what a JS Map holds, short of the 30
  // million that prune. CI runs it on both backends.
  it('counts more distinct words than a JS Map can hold', async () => {
    const input = join(dir, `large-${backend.name}.txt`);
    const out = createWriteStream(input);
    for (let i = 0; i <= 2 ** 24; i += 4096) {
      const line = Array.from({ length: Math.min(4096, 2 ** 24 + 1 - i) }, (_, j) => (i + j).toString(36)).join(' ');
      if (!out.write(`${line}\nThe\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    // Every number once (in base 36: lowercase), "The" once per line: minCount 2 keeps "The" alone.
    expect(pairs(await scan({ input, minCount: 2 }))).toEqual([['The', 4097]]);
    rmSync(input);
  }, 600_000);
});

describe('the TS word table', () => {
  it('adds, finds, counts and prunes words by their bytes, keeping their order, through many growths', () => {
    const table = new WordTable();
    const words = Array.from({ length: 50_000 }, (_, i) => `w${i}\u00ff`);
    words.forEach((w, i) => table.add(w, (i % 3) + 1));
    table.add(words[7]!, 5);
    expect(table.size).toBe(words.length);
    expect([table.find('w7\u00ff'), table.count(7), table.word(7)]).toEqual([7, 7, 'w7\u00ff']);
    expect(table.find('w7')).toBe(-1);
    table.prune(2); // keeps the words counted 3 times, and w7
    expect(table.size).toBe(Math.floor((words.length - 3) / 3) + 2);
    expect([table.word(0), table.word(1), table.word(2)]).toEqual(['w2\u00ff', 'w5\u00ff', 'w7\u00ff']);
    expect(table.find('w5\u00ff')).toBe(1);
    expect(table.find('w4\u00ff')).toBe(-1);
    expect(table.add('w4\u00ff')).toBe(table.size - 1);
    // Bytes order as memcmp: a prefix first, then by the first differing byte.
    const order = ['b', 'ab', 'a', '\u00ff', 'a\u00ff'].map((w) => table.add(w, 0));
    order.sort((i, j) => table.compare(i, j));
    expect(order.map((i) => table.word(i))).toEqual(['a', 'ab', 'a\u00ff', 'b', '\u00ff']);
  });
});
