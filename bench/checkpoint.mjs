// What a word2vec checkpoint costs: writing one (atomic: temp file, fsync,
// rename) and reading it back with every check the loader makes, for a
// vocabulary of --words words × --dim dimensions with negative sampling
// (syn0 + syn1neg). Medians of --runs runs; prints a line and writes
// bench/results/checkpoint.json.
//   npm run build && node bench/checkpoint.mjs [--words 100000] [--dim 100] [--runs 5]
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readWord2VecCheckpoint, writeWord2VecCheckpoint } from '../dist/word2vec/checkpoint.js';
import { median } from './lib/stats.mjs';

const { values } = parseArgs({ options: { words: { type: 'string' }, dim: { type: 'string' }, runs: { type: 'string' } } });
const words = Number(values.words ?? 100_000);
const dim = Number(values.dim ?? 100);
const runs = Number(values.runs ?? 5);

const settings = {
  vectorSize: dim,
  window: 5,
  minCount: 1,
  maxFinalVocab: 0,
  negative: 5,
  nsExponent: 0.75,
  sample: 1e-3,
  alpha: 0.025,
  minAlpha: 2.5e-6,
  epochs: 5,
  threads: 2,
  seed: 1,
  sg: true,
  hs: false,
  lowercase: false,
};
const checkpoint = {
  settings,
  corpus: { path: '/corpus.txt', bytes: 1 << 30, head: '0'.repeat(64) },
  everySeconds: 600,
  words: Buffer.from(Array.from({ length: words }, (_, i) => `word${i}\n`).join('')),
  counts: Float64Array.from({ length: words }, (_, i) => words - i),
  syn0: Float32Array.from({ length: words * dim }, (_, i) => Math.sin(i)),
  syn1neg: new Float32Array(words * dim),
  syn1: null,
  state: {
    epoch: 2,
    wordsBefore: 1e8,
    offsets: Float64Array.of(1e6, 6e8),
    words: Float64Array.of(1e5, 2e5),
    loss: Float64Array.of(1e4, 2e4),
    terms: Float64Array.of(3e5, 6e5),
    finished: Uint8Array.of(0, 0),
    rng: Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  },
};

const dir = mkdtempSync(join(tmpdir(), 'fastnn-bench-ckpt-'));
const path = join(dir, 'w2v.ckpt');
const write = [],
  read = [];
try {
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    await writeWord2VecCheckpoint(path, checkpoint);
    write.push((performance.now() - t) / 1000);
    t = performance.now();
    await readWord2VecCheckpoint(path);
    read.push((performance.now() - t) / 1000);
  }
  const result = { words, dim, fileBytes: statSync(path).size, writeSeconds: median(write), readSeconds: median(read), runs };
  console.log(
    `word2vec checkpoint, ${words} words × ${dim} (${(result.fileBytes / 1e6).toFixed(1)} MB): ` +
      `write ${result.writeSeconds.toFixed(3)} s, read + checks ${result.readSeconds.toFixed(3)} s (medians of ${runs})`,
  );
  const results = new URL('./results/', import.meta.url).pathname;
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'checkpoint.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
