/**
 * The trainer's lookup tables, built bit for bit as
 * native/core/word2vec/tables.cc builds them (see the notes there on why
 * every step is exactly reproducible).
 */
import type { SliceClock } from '../slice-clock.js';

export const NOISE_TABLE_SIZE = 10_000_000;
export const SIGMOID_SIZE = 1000;
export const MAX_EXP = 6;

/** Slots filled between two looks at the clock: ~0.3 ms of the 10^7 (~50 ms in one go), a few ms before V8 compiles the loop. */
const NOISE_RUN = 1 << 16;

/**
 * Fills `table` (NOISE_TABLE_SIZE slots) as the negative-sampling table:
 * slot → word, shares ∝ count^exponent. The clock is looked at between runs
 * of slots, so a caller on the event loop lets it turn; the table is the same.
 */
export async function fillNoiseTable(table: Int32Array, counts: Float64Array, exponent: number, clock: SliceClock): Promise<void> {
  const v = counts.length;
  if (v === 0) return;
  const weight = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) {
    weight[i] = Math.fround(counts[i]! ** exponent);
    total += weight[i]!;
  }
  let word = 0;
  let edge = weight[0]! / total;
  for (let run = 0; run < NOISE_TABLE_SIZE; run += NOISE_RUN) {
    if (run > 0 && clock.spent()) await clock.pause();
    for (let a = run, end = Math.min(run + NOISE_RUN, NOISE_TABLE_SIZE); a < end; a++) {
      table[a] = word;
      if (a / NOISE_TABLE_SIZE > edge && word + 1 < v) {
        word++;
        edge += weight[word]! / total;
      }
    }
  }
}

/** Subsampling: probability of keeping an occurrence of each word. */
export function keepProbabilities(counts: Float64Array, sample: number): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  const threshold = sample * total;
  return counts.map((c) => ((Math.sqrt(c / threshold) + 1) * threshold) / c);
}

export interface SigmoidTable {
  sigmoid: Float32Array;
  lossTrue: Float64Array;
  lossFalse: Float64Array;
}

export function sigmoidTable(): SigmoidTable {
  const t = { sigmoid: new Float32Array(SIGMOID_SIZE), lossTrue: new Float64Array(SIGMOID_SIZE), lossFalse: new Float64Array(SIGMOID_SIZE) };
  for (let i = 0; i < SIGMOID_SIZE; i++) {
    const e = Math.exp(((i / SIGMOID_SIZE) * 2 - 1) * MAX_EXP);
    t.sigmoid[i] = e / (e + 1);
    t.lossTrue[i] = Math.log1p(1 / e);
    t.lossFalse[i] = Math.log1p(e);
  }
  return t;
}

const INDEX_SCALE = Math.fround(SIGMOID_SIZE / (2 * MAX_EXP));

/** Grid index of a float32 score in (−6, 6), as SigmoidIndex() in C++. */
export function sigmoidIndex(f: number): number {
  const i = Math.trunc(Math.fround(Math.fround(f + MAX_EXP) * INDEX_SCALE));
  return i < 0 ? 0 : i >= SIGMOID_SIZE ? SIGMOID_SIZE - 1 : i;
}

export interface HuffmanCodes {
  offsets: Float64Array;
  points: Int32Array;
  codes: Uint8Array;
}

/** Huffman paths (root first) over counts sorted non-increasing, as word2vec.c. */
export function huffman(counts: Float64Array): HuffmanCodes {
  const v = counts.length;
  const offsets = new Float64Array(v + 1);
  if (v < 2) return { offsets, points: new Int32Array(0), codes: new Uint8Array(0) };
  const count = new Float64Array(2 * v - 1).fill(Infinity);
  const parent = new Int32Array(2 * v - 1);
  const branch = new Uint8Array(2 * v - 1);
  count.set(counts);
  let leaf = v - 1;
  let merged = v;
  const takeSmallest = (): number => (leaf >= 0 && count[leaf]! < count[merged]! ? leaf-- : merged++);
  for (let a = 0; a + 1 < v; a++) {
    const first = takeSmallest();
    const second = takeSmallest();
    count[v + a] = count[first]! + count[second]!;
    parent[first] = v + a;
    parent[second] = v + a;
    branch[second] = 1;
  }
  const root = 2 * v - 2;
  const points: number[] = [];
  const codes: number[] = [];
  for (let w = 0; w < v; w++) {
    const start = points.length;
    for (let node = w; node !== root; node = parent[node]!) {
      codes.push(branch[node]!);
      points.push(parent[node]! - v);
    }
    reverseTail(points, start);
    reverseTail(codes, start);
    offsets[w + 1] = points.length;
  }
  return { offsets, points: Int32Array.from(points), codes: Uint8Array.from(codes) };
}

function reverseTail(a: number[], start: number): void {
  for (let i = start, j = a.length - 1; i < j; i++, j--) [a[i], a[j]] = [a[j]!, a[i]!];
}
