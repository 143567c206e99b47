/** Shared fixtures of the word2vec tests: temp files and small corpora. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/rng.js';
import { plantedSentence } from '../../src/datasets/planted-corpus.js';

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
