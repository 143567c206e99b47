/**
 * The vocabulary pass of the TS backend, building exactly the list
 * native/core/word2vec/vocab.cc builds: counts with word2vec.c-style pruning
 * past pruneThreshold(maxFinalVocab) distinct words, then the words with at
 * least minCount occurrences, most frequent first, ties by bytes, at most
 * maxFinalVocab of them.
 */
import { allocating } from '../../../sizes.js';
import { SliceClock } from '../slice-clock.js';
import { sortInSlices } from '../sort-in-slices.js';
import { byteBefore, readBlocks, Tokenizer } from './corpus-reader.js';
import { WordTable } from './word-table.js';

/** Bytes tokenised between two looks at the clock: a tenth of a millisecond,
 * a few before V8 compiles the tokenizer (a whole 1 MiB block was a 40–90 ms
 * first slice, 16 KiB still 30 ms). The tokenizer carries a word cut between two over. */
const SLICE_BYTES = 1 << 10;

export function pruneThreshold(maxFinalVocab: number): number {
  return maxFinalVocab === 0 ? 30_000_000 : Math.max(4 * maxFinalVocab, 100_000);
}

export interface ScannedVocab {
  /** Each word's bytes followed by '\n', most frequent first. */
  words: Uint8Array;
  counts: Float64Array;
  cancelled: boolean;
}

/** Counts the tokens that start in bytes [begin, end) of `path` (the whole file: 0, Infinity). */
export async function scanVocab(
  path: string,
  begin: number,
  end: number,
  minCount: number,
  maxFinalVocab: number,
  lowercase: boolean,
  stopped: () => boolean,
  onBytes?: (bytes: number) => void,
): Promise<ScannedVocab> {
  const table = new WordTable();
  const threshold = pruneThreshold(maxFinalVocab);
  let floor = 1;
  let past = false; // a token starting at or after `end` was met: the range is done
  const tokenizer = new Tokenizer(lowercase, {
    token(word) {
      if (past || tokenizer.position - word.length >= end) {
        past = true;
        return;
      }
      table.add(word);
      if (table.size > threshold) table.prune(floor++);
    },
    lineEnd() {},
  });
  tokenizer.startAt(begin, await byteBefore(path, begin));
  let bytes = begin;
  let cancelled = false;
  const clock = new SliceClock(stopped);
  for await (const block of readBlocks(path, 1 << 20, begin)) {
    if (past) break;
    for (let at = 0; at < block.length && !cancelled && !past; at += SLICE_BYTES) {
      tokenizer.push(block.subarray(at, at + SLICE_BYTES));
      // Awaited only when the slice is spent: an await per KiB would cost the scan a few per cent.
      if (clock.spent()) cancelled = await clock.tick();
    }
    bytes += block.length;
    onBytes?.(bytes);
    if (cancelled || stopped()) {
      cancelled = true;
      break;
    }
  }
  if (!cancelled) tokenizer.finish();
  return { ...(await finalizeVocab(table, minCount, maxFinalVocab, clock)), cancelled };
}

/** The sort-and-cut step: the words of `table` counted at least minCount times, as native's FinalizeVocab. */
async function finalizeVocab(
  table: WordTable,
  minCount: number,
  maxFinalVocab: number,
  clock: SliceClock,
): Promise<{ words: Uint8Array; counts: Float64Array }> {
  let size = 0;
  for (let i = 0; i < table.size; i++) if (table.count(i) >= minCount) size++;
  const order = allocating('word2vecVocab', `the sort order of ${size} words`, () => [new Uint32Array(size), new Uint32Array(size)]);
  let kept = order[0]!;
  for (let i = 0, k = 0; i < table.size; i++) if (table.count(i) >= minCount) kept[k++] = i;
  // Most frequent first; equal counts by bytes, as memcmp orders them.
  await sortInSlices(kept, order[1]!, (a, b) => table.count(b) - table.count(a) || table.compare(a, b), clock);
  if (maxFinalVocab > 0 && kept.length > maxFinalVocab) kept = kept.subarray(0, maxFinalVocab);
  let length = 0;
  for (const i of kept) length += table.byteLength(i) + 1;
  const [words, counts] = allocating(
    'word2vecVocab',
    "the vocabulary's words and counts",
    () => [new Uint8Array(length), new Float64Array(kept.length)] as const,
  );
  // Filled between looks at the clock: a vocabulary of millions of words is tens of megabytes.
  for (let k = 0, at = 0; k < kept.length; k++) {
    if (k % 4096 === 4095 && clock.spent()) await clock.pause();
    at = table.copyBytes(kept[k]!, words, at);
    words[at++] = 10;
    counts[k] = table.count(kept[k]!);
  }
  return { words, counts };
}
