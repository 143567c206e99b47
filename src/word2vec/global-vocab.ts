/**
 * The vocabulary of a multi-process run: each rank counts the tokens of its
 * own part of the corpus (every count, minCount 1), rank 0 adds the counts
 * up word by word and applies minCount and maxFinalVocab as the vocabulary
 * pass does (most frequent first, ties by bytes), and broadcasts the result,
 * so every rank trains with the same word ids, noise table and subsampling.
 * Without pruning (fewer than 30 million distinct words per part) it is the
 * vocabulary one process would count.
 */
import type { Backend } from '../backend/backend.js';
import type { Word2VecVocab } from '../backend/word2vec.js';
import type { World } from '../distributed/world.js';

export interface VocabSettings {
  path: string;
  minCount: number;
  maxFinalVocab: number;
  lowercase: boolean;
}

export async function globalVocab(backend: Backend, world: World, job: VocabSettings, signal?: AbortSignal): Promise<Word2VecVocab> {
  if (world.size === 1) return backend.word2vecVocab({ ...job, part: 0, parts: 1 }, undefined, signal);
  const shard = await backend.word2vecVocab({ ...job, minCount: 1, maxFinalVocab: 0, part: world.rank, parts: world.size }, undefined, signal);
  const shards = await world.gather(pack(shard.words, shard.counts));
  const merged = shards && pack(...mergeShards(shards.map(unpack), job.minCount, job.maxFinalVocab));
  const { words, counts } = unpack(await world.broadcastBytes(merged));
  return { words, counts, cancelled: shard.cancelled };
}

/** The words of every shard with their counts added, at least minCount, most frequent first, ties by bytes. */
export function mergeShards(shards: { words: Uint8Array; counts: Float64Array }[], minCount: number, maxFinalVocab: number): [Uint8Array, Float64Array] {
  const totals = new Map<string, number>();
  for (const { words, counts } of shards) {
    // latin1: one char per byte, so strings compare as their bytes (memcmp order), as native sorts them.
    const list = Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('latin1').split('\n');
    for (let i = 0; i < counts.length; i++) totals.set(list[i]!, (totals.get(list[i]!) ?? 0) + counts[i]!);
  }
  const kept = [...totals].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxFinalVocab > 0 && kept.length > maxFinalVocab) kept.length = maxFinalVocab;
  const words = Buffer.from(kept.map(([w]) => `${w}\n`).join(''), 'latin1');
  return [new Uint8Array(words.buffer, words.byteOffset, words.byteLength), Float64Array.from(kept, ([, c]) => c)];
}

/** [words' length as a float64][counts as float64s][words]: counts first, so they sit 8-byte aligned. */
function pack(words: Uint8Array, counts: Float64Array): Uint8Array {
  const out = new Uint8Array(8 + counts.byteLength + words.length);
  const view = new DataView(out.buffer);
  view.setFloat64(0, words.length, true);
  new Uint8Array(out.buffer, 8, counts.byteLength).set(new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength));
  out.set(words, 8 + counts.byteLength);
  return out;
}

function unpack(bytes: Uint8Array): { words: Uint8Array; counts: Float64Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wordBytes = view.getFloat64(0, true);
  const n = (bytes.length - 8 - wordBytes) / 8;
  const counts = new Float64Array(n);
  new Uint8Array(counts.buffer).set(bytes.subarray(8, 8 + 8 * n));
  return { words: bytes.slice(8 + 8 * n), counts };
}
