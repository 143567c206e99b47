/**
 * Standard intrinsic evaluations of word vectors.
 * - Analogies in the questions-words format (": section" headers, then
 *   "a b c d" lines meaning a : b :: c : d): the answer is the nearest word
 *   to b − a + c (3CosAdd) excluding a, b and c, as word2vec.c's
 *   compute-accuracy and gensim do. Questions with a word outside the
 *   vocabulary are skipped and reported as lost coverage.
 * - Word similarity ("w1 w2 score" per line, tab-, comma- or space-separated;
 *   '#' comments): Spearman's rank correlation between the human scores and
 *   the cosines, over the pairs whose words are both known.
 * Words are lowercased before lookup unless `lowercase: false`. Both files
 * are streamed line by line (io/lines.ts), so their size costs no memory.
 */
import { readLines } from '../io/lines.js';
import { unit, type WordVectors } from './vectors.js';

/** Longest line either file format may have: a few words and a number need far less. */
const MAX_LINE = 1 << 16;

/** Analogy results of one section of the file (or of all of them). */
export interface SectionScore {
  /** The section's name from its ": name" header. */
  section: string;
  /** Questions whose answer was the nearest word. */
  correct: number;
  /** Questions answered (all four words known). */
  answered: number;
  /** Questions in the file. */
  questions: number;
  /** correct / answered (NaN when none answered). */
  accuracy: number;
}

/** What evaluateAnalogies returns. */
export interface AnalogyScore {
  /** One score per section, in file order. */
  sections: SectionScore[];
  /** All sections together. */
  overall: SectionScore;
  /** answered / questions. */
  coverage: number;
}

/** Scores vectors on an analogy file in the questions-words format (3CosAdd, query words excluded). */
export async function evaluateAnalogies(vectors: WordVectors, path: string, options: { lowercase?: boolean } = {}): Promise<AnalogyScore> {
  const lower = options.lowercase ?? true;
  const sections: SectionScore[] = [];
  const overall: SectionScore = { section: 'overall', correct: 0, answered: 0, questions: 0, accuracy: NaN };
  let current: SectionScore | null = null;
  let pending: { section: SectionScore; rows: number[]; answer: number }[] = [];
  // Batched: one nearest() call per section, queries b − a + c.
  const flush = (): void => {
    if (pending.length === 0) return;
    const units = vectors.unitVectors();
    const dim = vectors.dim;
    const queries = pending.map(({ rows: [a, b, c] }) => {
      const q = new Float32Array(dim);
      for (let d = 0; d < dim; d++) q[d] = units[b! * dim + d]! - units[a! * dim + d]! + units[c! * dim + d]!;
      return unit(q);
    });
    const hits = vectors.nearestMany(
      queries,
      pending.map((p) => p.rows),
      1,
    );
    pending.forEach((p, i) => {
      if (hits[i]![0]?.word === vectors.words[p.answer]) {
        p.section.correct++;
        overall.correct++;
      }
    });
    pending = [];
  };
  let i = 0;
  for await (const raw of readLines(path, MAX_LINE, Error)) {
    i++;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith(':')) {
      flush();
      current = { section: line.slice(1).trim(), correct: 0, answered: 0, questions: 0, accuracy: NaN };
      sections.push(current);
      continue;
    }
    const words = line.split(/\s+/).map((w) => (lower ? w.toLowerCase() : w));
    if (words.length !== 4) throw new RangeError(`${path}: line ${i}: expected 4 words, got ${words.length}`);
    if (!current) {
      current = { section: '(no section)', correct: 0, answered: 0, questions: 0, accuracy: NaN };
      sections.push(current);
    }
    current.questions++;
    overall.questions++;
    if (!words.every((w) => vectors.has(w))) continue;
    current.answered++;
    overall.answered++;
    const [a, b, c, d] = words.map((w) => vectors.indexOf(w)) as [number, number, number, number];
    pending.push({ section: current, rows: [a, b, c], answer: d });
  }
  flush();
  for (const s of [...sections, overall]) s.accuracy = s.answered > 0 ? s.correct / s.answered : NaN;
  return { sections, overall, coverage: overall.questions > 0 ? overall.answered / overall.questions : 0 };
}

/** What evaluateSimilarity returns. */
export interface SimilarityScore {
  /** Spearman's rank correlation between the file's scores and the cosines. */
  spearman: number;
  /** Pairs in the file. */
  pairs: number;
  /** Pairs whose words are both known, which the correlation counts. */
  used: number;
  /** used / pairs. */
  coverage: number;
}

/** Scores vectors on a word-similarity file ("word word score" per line) by rank correlation. */
export async function evaluateSimilarity(vectors: WordVectors, path: string, options: { lowercase?: boolean } = {}): Promise<SimilarityScore> {
  const lower = options.lowercase ?? true;
  const human: number[] = [];
  const model: number[] = [];
  let pairs = 0;
  let i = 0;
  for await (const raw of readLines(path, MAX_LINE, Error)) {
    i++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/[\t,]|\s+/).filter((f) => f !== '');
    const score = Number(fields[2]);
    if (fields.length !== 3 || !Number.isFinite(score)) {
      throw new RangeError(`${path}: line ${i}: expected "word word score" (tab, comma or space separated)`);
    }
    pairs++;
    const [a, b] = lower ? [fields[0]!.toLowerCase(), fields[1]!.toLowerCase()] : [fields[0]!, fields[1]!];
    if (!vectors.has(a) || !vectors.has(b)) continue;
    human.push(score);
    model.push(vectors.similarity(a, b));
  }
  return { spearman: spearman(human, model), pairs, used: human.length, coverage: pairs > 0 ? human.length / pairs : 0 };
}

/** Spearman's ρ: Pearson correlation of the ranks, ties given their mean rank. */
export function spearman(x: number[], y: number[]): number {
  if (x.length < 2) return NaN;
  const rx = ranks(x),
    ry = ranks(y);
  const n = x.length;
  const mx = rx.reduce((s, v) => s + v, 0) / n,
    my = ry.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function ranks(v: number[]): number[] {
  const order = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]!] === v[order[i]!]) j++;
    for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
