/** Shared fixtures of the word2vec tests: temp files and small corpora. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/rng.js';
import { plantedSentence } from '../../src/datasets/planted-corpus.js';
import type { Word2VecState } from '../../src/backend/word2vec.js';

/** The state of a one-thread run before its first word, its thread drawing from generator state `rng`:
 * a job given it trains the vectors it is given (a job from the start would draw syn0). */
export function stateAtStart(rng: Uint32Array): Word2VecState {
  const zero = () => Float64Array.of(0);
  return { epoch: 1, wordsBefore: 0, offsets: zero(), words: zero(), loss: zero(), terms: zero(), finished: Uint8Array.of(0), rng };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fastnn-w2v-test-'));
}

export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The planted corpus as one file of `sentences` lines. */
export function plantedFile(dir: string, sentences: number, seed = 1): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < sentences; i++) lines.push(plantedSentence(rng));
  return writeTemp(dir, `planted-${sentences}-${seed}.txt`, lines.join('\n') + '\n');
}
