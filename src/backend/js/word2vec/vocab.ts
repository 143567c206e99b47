/**
 * The vocabulary pass of the TS backend, building exactly the list
 * native/core/word2vec/vocab.cc builds: counts with word2vec.c-style pruning
 * past pruneThreshold(maxFinalVocab) distinct words, then the words with at
 * least minCount occurrences, most frequent first, ties by bytes, at most
 * maxFinalVocab of them.
 */
import { allocating } from '../../../sizes.js';
import { readBlocks, Tokenizer } from './corpus-reader.js';

export function pruneThreshold(maxFinalVocab: number): number {
  return maxFinalVocab === 0 ? 30_000_000 : Math.max(4 * maxFinalVocab, 100_000);
}

export interface ScannedVocab {
  /** Each word's bytes followed by '\n', most frequent first. */
  words: Uint8Array;
  counts: Float64Array;
  cancelled: boolean;
}

export async function scanVocab(path: string, minCount: number, maxFinalVocab: number, lowercase: boolean,
                                stopped: () => boolean, onBytes?: (bytes: number) => void): Promise<ScannedVocab> {
  let counts = new Map<string, number>();
  const threshold = pruneThreshold(maxFinalVocab);
  let floor = 1;
  const tokenizer = new Tokenizer(lowercase, {
    token(word) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      if (counts.size > threshold) {
        const f = floor++;
        counts = new Map([...counts].filter(([, c]) => c > f));
      }
    },
    lineEnd() {},
  });
  let bytes = 0;
  let cancelled = false;
  for await (const block of readBlocks(path, 1 << 20)) {
    tokenizer.push(block);
    bytes += block.length;
    onBytes?.(bytes);
    if (stopped()) {
      cancelled = true;
      break;
    }
  }
  if (!cancelled) tokenizer.finish();
  return { ...finalizeVocab(counts, minCount, maxFinalVocab), cancelled };
}

export function finalizeVocab(counts: Map<string, number>, minCount: number, maxFinalVocab: number): { words: Uint8Array; counts: Float64Array } {
  const kept = [...counts].filter(([, c]) => c >= minCount);
  // latin1 strings compare char by char = byte by byte, as memcmp does.
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxFinalVocab > 0 && kept.length > maxFinalVocab) kept.length = maxFinalVocab;
  return allocating('word2vecVocab', "the vocabulary's words and counts", () => ({
    words: Buffer.from(kept.map(([w]) => w + '\n').join(''), 'latin1'),
    counts: Float64Array.from(kept, ([, c]) => c),
  }));
}
