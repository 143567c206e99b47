/**
 * Trained or loaded word vectors: the vocabulary, one Float32Array of
 * (size, dim) vectors, and the queries gensim users know. Cosine queries run
 * over a unit-normalised copy made on first use; the top-k search is the
 * backend's `nearest` kernel (native when the addon is built), batched over
 * queries, and full score rows (for 3CosMul) are one backend gemm.
 */
import { getBackend } from '../backend/select.js';
import { checkOptions } from '../options.js';
import { allocate } from '../sizes.js';
import { readVectorFile, writeVectorFile, type LoadOptions, type SaveOptions } from './formats.js';

/** A word found by a similarity query, with its score. */
export interface Neighbour {
  /** The word. */
  word: string;
  /** Its cosine similarity to the query (3CosMul: its product score). */
  score: number;
}

/** A query: a word, or a vector of the vectors' width. */
export type Query = string | Float32Array;

/** A combined query: words or vectors to be near, and words or vectors to be far from. */
export interface SimilarOptions {
  /** Words or vectors the results should be near. */
  positive?: Query[];
  /** Words or vectors the results should be far from. */
  negative?: Query[];
  /** How many results. Default: the call's k (10 unless given). */
  topn?: number;
}

/** A vocabulary and one vector per word, with similarity queries and word2vec-format files. */
export class WordVectors {
  /** The words, in row order. */
  readonly words: readonly string[];
  /** Corpus counts when trained here (null when loaded from a file). */
  readonly counts: Float64Array | null;
  /** (size, dim) row-major; row i is words[i]'s vector. */
  readonly vectors: Float32Array;
  /** Width of each vector. */
  readonly dim: number;
  private readonly index = new Map<string, number>();
  private normed: Float32Array | null = null;

  constructor(words: readonly string[], vectors: Float32Array, dim: number, counts: Float64Array | null = null) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`WordVectors: dim must be a positive integer, got ${dim}`);
    if (vectors.length !== words.length * dim) {
      throw new RangeError(`WordVectors: vectors must have length ${words.length * dim} for shape (${words.length}, ${dim}), got ${vectors.length}`);
    }
    words.forEach((w, i) => {
      if (this.index.has(w)) throw new RangeError(`WordVectors: duplicate word '${w}' at index ${i}`);
      this.index.set(w, i);
    });
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    this.counts = counts;
  }

  /** Reads a word2vec binary or text file, gzip-compressed or not, whichever its bytes say (formats.ts, file-kind.ts). */
  static async load(path: string, options?: LoadOptions): Promise<WordVectors> {
    const { words, vectors, dim } = await readVectorFile(path, options);
    return new WordVectors(words, vectors, dim);
  }

  /** Writes a word2vec file, atomically: binary for a .bin name, text for .txt, .vec and others, gzip-compressed for a .gz one. */
  save(path: string, options?: SaveOptions): Promise<void> {
    return writeVectorFile(path, this, options);
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** Whether the word has a vector. */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /** Row of `word`; throws a RangeError naming it when it is not in the vocabulary. */
  indexOf(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) throw new RangeError(`word '${word}' is not in the vocabulary`);
    return i;
  }

  /** A copy of the word's vector. */
  vector(word: string): Float32Array {
    const i = this.indexOf(word);
    return this.vectors.slice(i * this.dim, (i + 1) * this.dim);
  }

  /** Cosine similarity of two words. */
  similarity(a: string, b: string): number {
    const n = this.unitVectors();
    const i = this.indexOf(a) * this.dim,
      j = this.indexOf(b) * this.dim;
    let s = 0;
    for (let d = 0; d < this.dim; d++) s += n[i + d]! * n[j + d]!;
    return s;
  }

  /**
   * Nearest words by cosine: to a word or a vector (`k` results), or to the
   * mean of the unit vectors of `positive` minus those of `negative`
   * (3CosAdd; gensim's most_similar). Query words are never returned.
   */
  mostSimilar(query: Query | SimilarOptions, k = 10): Neighbour[] {
    const fn = 'mostSimilar';
    const { positive, negative, topn } = normaliseQuery(fn, query, k);
    const target = new Float32Array(this.dim);
    const exclude: number[] = [];
    for (const [list, sign] of [
      [positive, 1],
      [negative, -1],
    ] as const) {
      for (const q of list) {
        const u = this.unitOf(fn, q);
        if (typeof q === 'string') exclude.push(this.indexOf(q));
        for (let d = 0; d < this.dim; d++) target[d] = target[d]! + sign * u[d]!;
      }
    }
    return this.nearestMany([unit(target)], [exclude], topn)[0]!;
  }

  /** Several plain queries at once: one kernel call for all of them. */
  mostSimilarMany(queries: Query[], k = 10): Neighbour[][] {
    const fn = 'mostSimilarMany';
    if (!Array.isArray(queries)) throw new TypeError(`${fn}: queries must be an array of words or Float32Arrays, got ${shown(queries)}`);
    checkTopn(fn, 'k', k);
    const units = queries.map((q) => this.unitOf(fn, q));
    const excludes = queries.map((q) => (typeof q === 'string' ? [this.indexOf(q)] : []));
    return this.nearestMany(units, excludes, k);
  }

  /**
   * 3CosMul (Levy & Goldberg; gensim's most_similar_cosmul): ranks words by
   * Π_pos (1 + cos)/2 ÷ (Π_neg (1 + cos)/2 + 1e-6), excluding the query words.
   */
  mostSimilarCosmul(query: SimilarOptions, k = 10): Neighbour[] {
    const fn = 'mostSimilarCosmul';
    const { positive, negative, topn } = normaliseQuery(fn, query, k);
    const all = [...positive, ...negative];
    const q = all.length;
    const queries = new Float32Array(q * this.dim);
    all.forEach((w, j) => queries.set(this.unitOf(fn, w), j * this.dim));
    const rows = this.size;
    const scores = allocate('mostSimilarCosmul', 'the scores', Float32Array, rows, q);
    getBackend().gemm(scores, this.unitVectors(), queries, rows, q, this.dim, false, true, 1, 0);
    const exclude = new Set(all.filter((w): w is string => typeof w === 'string').map((w) => this.indexOf(w)));
    const hits: Neighbour[] = [];
    for (let r = 0; r < rows; r++) {
      if (exclude.has(r)) continue;
      let num = 1,
        den = 1;
      for (let j = 0; j < positive.length; j++) num *= (1 + scores[r * q + j]!) / 2;
      for (let j = positive.length; j < q; j++) den *= (1 + scores[r * q + j]!) / 2;
      hits.push({ word: this.words[r]!, score: num / (negative.length > 0 ? den + 1e-6 : 1) });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, topn);
  }

  /** a − b + c ("king − man + woman" → queen), by 3CosAdd or 3CosMul, query words excluded. */
  analogy(a: string, b: string, c: string, options: { method?: 'add' | 'mul'; topn?: number } = {}): Neighbour[] {
    checkOptions('analogy', 'options', options, ['method', 'topn']);
    const method = options.method ?? 'add';
    if (method !== 'add' && method !== 'mul') throw new TypeError(`analogy: options.method must be 'add' or 'mul', got ${shown(method)}`);
    const query = { positive: [a, c], negative: [b], topn: options.topn ?? 1 };
    return method === 'mul' ? this.mostSimilarCosmul(query) : this.mostSimilar(query);
  }

  /** The word furthest from the mean of the others' unit vectors (gensim's doesnt_match). */
  doesntMatch(words: string[]): string {
    if (words.length === 0) throw new RangeError('doesntMatch: words must not be empty');
    const units = words.map((w) => this.unitOf('doesntMatch', w));
    const mean = new Float32Array(this.dim);
    for (const u of units) for (let d = 0; d < this.dim; d++) mean[d] = mean[d]! + u[d]! / units.length;
    const m = unit(mean);
    let worst = 0,
      worstScore = Infinity;
    units.forEach((u, i) => {
      let s = 0;
      for (let d = 0; d < this.dim; d++) s += u[d]! * m[d]!;
      if (s < worstScore) [worst, worstScore] = [i, s];
    });
    return words[worst]!;
  }

  /** The unit-normalised matrix (computed once; zero rows stay zero). */
  unitVectors(): Float32Array {
    if (this.normed) return this.normed;
    const n = allocate('unitVectors', 'the unit-normalised vectors', Float32Array, this.size, this.dim);
    for (let r = 0; r < this.size; r++) n.set(unit(this.vectors.subarray(r * this.dim, (r + 1) * this.dim)), r * this.dim);
    this.normed = n;
    return n;
  }

  /** Top-k over the unit matrix for each unit query, excluding rows per query. */
  nearestMany(units: Float32Array[], excludes: number[][], k: number): Neighbour[][] {
    const q = units.length;
    const e = excludes.reduce((most, x) => Math.max(most, x.length), 0);
    const queries = new Float32Array(q * this.dim);
    const exclude = new Int32Array(q * e).fill(-1);
    units.forEach((u, j) => queries.set(u, j * this.dim));
    excludes.forEach((x, j) => exclude.set(x, j * e));
    const kk = Math.min(k, this.size);
    const outIndex = new Int32Array(q * kk);
    const outScore = new Float32Array(q * kk);
    getBackend().nearest(outIndex, outScore, this.unitVectors(), queries, this.size, this.dim, q, kk, exclude, e);
    return units.map((_, j) => {
      const hits: Neighbour[] = [];
      for (let i = 0; i < kk && outIndex[j * kk + i]! >= 0; i++) {
        hits.push({ word: this.words[outIndex[j * kk + i]!]!, score: outScore[j * kk + i]! });
      }
      return hits;
    });
  }

  private unitOf(fn: string, q: Query): Float32Array {
    if (typeof q === 'string') {
      const i = this.indexOf(q) * this.dim;
      return this.unitVectors().subarray(i, i + this.dim);
    }
    if (!(q instanceof Float32Array) || q.length !== this.dim) {
      throw new TypeError(`${fn}: a query must be a word or a Float32Array of length ${this.dim}, got ${shown(q)}`);
    }
    return unit(q);
  }
}

// A value as a message shows it: arrays and typed arrays by kind, the rest as text.
function shown(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as Float32Array).length}`;
  return typeof v === 'object' && v !== null ? 'an object' : String(v);
}

function checkTopn(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${shown(v)}`);
  return v;
}

/** A query (a word, a vector, or { positive, negative, topn }) and k as the lists and count the search takes. */
function normaliseQuery(fn: string, query: unknown, k: unknown): { positive: Query[]; negative: Query[]; topn: number } {
  if (typeof query === 'string' || query instanceof Float32Array) return { positive: [query], negative: [], topn: checkTopn(fn, 'k', k) };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new TypeError(`${fn}: query must be a word, a Float32Array or { positive, negative, topn }, got ${shown(query)}`);
  }
  checkOptions(fn, 'query', query, ['positive', 'negative', 'topn']);
  const { positive = [], negative = [], topn } = query as SimilarOptions;
  for (const [name, list] of [
    ['positive', positive],
    ['negative', negative],
  ] as const) {
    if (!Array.isArray(list)) throw new TypeError(`${fn}: query.${name} must be an array of words or Float32Arrays, got ${shown(list)}`);
  }
  if (positive.length + negative.length === 0) throw new RangeError(`${fn}: give at least one positive or negative query`);
  return { positive, negative, topn: topn === undefined ? checkTopn(fn, 'k', k) : checkTopn(fn, 'query.topn', topn) };
}

/** x / ‖x‖ (norm in float64), or zeros for a zero vector. */
export function unit(x: Float32Array): Float32Array {
  let s = 0;
  for (let d = 0; d < x.length; d++) s += x[d]! * x[d]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return x.map((v) => v * inv);
}

/** Reads a word2vec binary or text file, gzip-compressed or not (the same as WordVectors.load). */
export function loadVectors(path: string, options?: LoadOptions): Promise<WordVectors> {
  return WordVectors.load(path, options);
}

/** Writes vectors in the word2vec format their file's name says, atomically (the same as vectors.save). */
export function saveVectors(path: string, vectors: WordVectors, options?: SaveOptions): Promise<void> {
  return vectors.save(path, options);
}
