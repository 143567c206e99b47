/**
 * The word2vec vector file formats, as word2vec.c, gensim and fastText write
 * them:
 * - header "V D\n" (ASCII, single space);
 * - binary rows: word bytes, ' ', D little-endian float32, then '\n'
 *   (word2vec.c writes it; gensim does not, so the loader skips newlines
 *   before a word rather than requiring one);
 * - text rows: "word v1 v2 ... vD\n" (word2vec.c and fastText add a space
 *   before the newline; the loader accepts both).
 *
 * The loader streams the file in 1 MiB blocks into one Float32Array (never a
 * JS string of the whole file), checks the header against the file's size
 * before allocating, and fails with a WordVectorsFileError naming the byte
 * offset (binary) or line (text) of the first problem: truncation, bad
 * numbers, wrong row widths, duplicate words, NaN/Infinity (or a text value
 * beyond float32's range, which would become one), invalid UTF-8
 * (or replaces it, by option). Saves are atomic (src/io/atomic.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import { checkOverwrite, writeFileAtomic } from '../io/atomic.js';
import { openForReading } from '../io/file-errors.js';
import { checkOptions } from '../options.js';
import { allocate } from '../sizes.js';

export class WordVectorsFileError extends Error {
  override name = 'WordVectorsFileError';
}

export type VectorFormat = 'binary' | 'text';

export interface LoadOptions {
  /** 'binary' or 'text'; by default guessed from the extension (.bin = binary). */
  format?: VectorFormat;
  /** Load only the first `limit` words. */
  limit?: number;
  /** Invalid UTF-8 in a word: 'error' (default) or 'replace' with U+FFFD. */
  invalidUtf8?: 'error' | 'replace';
}

const BLOCK = 1 << 20;
/** Longest word accepted; real vocabularies stay far below. */
const MAX_WORD_BYTES = 1 << 16;

export function guessFormat(path: string): VectorFormat {
  return /\.bin$/i.test(path) ? 'binary' : 'text';
}

/** Sequential reads with a byte cursor over a file, one growable block at a time. */
class Cursor {
  buf = Buffer.allocUnsafe(BLOCK);
  start = 0; // file offset of buf[0]
  pos = 0;
  end = 0;
  eof = false;

  constructor(private readonly file: FileHandle) {}

  get offset(): number {
    return this.start + this.pos;
  }

  /** Makes at least n bytes available from pos unless the file ends first; returns how many are. */
  async ensure(n: number): Promise<number> {
    while (this.end - this.pos < n && !this.eof) {
      if (this.pos > 0) {
        this.buf.copy(this.buf, 0, this.pos, this.end);
        this.start += this.pos;
        this.end -= this.pos;
        this.pos = 0;
      }
      if (this.end + BLOCK > this.buf.length || n > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, n + BLOCK));
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const { bytesRead } = await this.file.read(this.buf, this.end, this.buf.length - this.end, null);
      if (bytesRead === 0) this.eof = true;
      this.end += bytesRead;
    }
    return this.end - this.pos;
  }
}

/** The rows of a vector file: words in file order and their (words, dim) vectors. */
export interface VectorTable {
  readonly words: readonly string[];
  readonly vectors: Float32Array;
  readonly dim: number;
}

/** Reads a word2vec binary or text file into a table (WordVectors.load wraps it). */
export async function readVectorFile(path: string, options: LoadOptions = {}): Promise<VectorTable> {
  checkOptions('loadVectors', 'options', options, ['format', 'limit', 'invalidUtf8']);
  const format = options.format ?? guessFormat(path);
  if (format !== 'binary' && format !== 'text') throw new TypeError(`loadVectors: format must be 'binary' or 'text', got ${String(format)}`);
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`loadVectors: limit must be a non-negative integer, got ${limit}`);
  const decoder = new TextDecoder('utf-8', { fatal: (options.invalidUtf8 ?? 'error') === 'error' });
  const fail = (where: string, what: string): never => {
    throw new WordVectorsFileError(`${path}: ${where}: ${what}`);
  };
  const file = await openForReading(path, WordVectorsFileError);
  try {
    const { size } = await file.stat();
    const cur = new Cursor(file);
    // Header: "V D" then a newline, within the first 64 bytes.
    await cur.ensure(64);
    const nl = cur.buf.subarray(0, cur.end).indexOf(10);
    const header = cur.buf.subarray(0, nl < 0 ? cur.end : nl).toString('latin1');
    const m = /^\s*(\d{1,15}) (\d{1,15})\s*$/.exec(header);
    if (nl < 0 || !m) fail('byte offset 0', `not a word2vec ${format} file: the header must be "<words> <dimensions>\\n"`);
    const rows = Number(m![1]), dim = Number(m![2]);
    if (dim < 1) fail('byte offset 0', 'header declares 0 dimensions');
    cur.pos = nl + 1;
    // Every row needs at least 1 byte of word + 1 separator + its values
    // (4·D bytes binary, 2·D text): refuse headers the file cannot hold
    // before allocating anything of the declared size.
    const minRow = format === 'binary' ? 2 + 4 * dim : 1 + 2 * dim;
    if (rows * minRow > size - cur.offset + 1) {
      fail('byte offset 0', `header declares ${rows} vectors of ${dim} dimensions, more than the ${size}-byte file can hold`);
    }
    const count = Math.min(rows, limit);
    const vectors = allocate('loadVectors', 'the vectors', Float32Array, count, dim);
    const words: string[] = [];
    const seen = new Map<string, number>();
    const addWord = (bytes: Buffer, where: string): void => {
      let word: string;
      try {
        word = decoder.decode(bytes);
      } catch {
        return fail(where, 'invalid UTF-8 in a word (pass invalidUtf8: "replace" to load it anyway)');
      }
      if (word.length === 0) fail(where, 'empty word');
      const prev = seen.get(word);
      if (prev !== undefined) fail(where, `duplicate word '${word}' (also row ${prev + 1})`);
      seen.set(word, words.length);
      words.push(word);
    };
    if (format === 'binary') await readBinaryRows(cur, count, dim, vectors, addWord, fail);
    else await readTextRows(cur, count, dim, vectors, addWord, fail);
    return { words, vectors, dim };
  } finally {
    await file.close();
  }
}

type AddWord = (bytes: Buffer, where: string) => void;
type Fail = (where: string, what: string) => never;

async function readBinaryRows(cur: Cursor, count: number, dim: number, vectors: Float32Array, addWord: AddWord, fail: Fail): Promise<void> {
  const rowBytes = 4 * dim;
  for (let r = 0; r < count; r++) {
    // Newlines before a word are the previous row's terminator (optional).
    for (;;) {
      if ((await cur.ensure(1)) === 0) fail(`byte offset ${cur.offset}`, `file ends after ${r} of ${count} vectors`);
      if (cur.buf[cur.pos] !== 10) break;
      cur.pos++;
    }
    const wordAt = cur.offset;
    let space = -1;
    for (let scanned = 0; space < 0;) {
      const have = await cur.ensure(Math.min(scanned + BLOCK, MAX_WORD_BYTES + 1));
      space = cur.buf.subarray(cur.pos + scanned, cur.pos + have).indexOf(32);
      if (space >= 0) space += scanned;
      else if (have >= MAX_WORD_BYTES + 1) fail(`byte offset ${wordAt}`, `no space after a word within ${MAX_WORD_BYTES} bytes`);
      else if (cur.eof) fail(`byte offset ${cur.offset + have}`, `file ends inside the word of vector ${r + 1} of ${count}`);
      else scanned = have;
    }
    addWord(cur.buf.subarray(cur.pos, cur.pos + space), `byte offset ${wordAt}`);
    cur.pos += space + 1;
    const valuesAt = cur.offset;
    if ((await cur.ensure(rowBytes)) < rowBytes) {
      fail(`byte offset ${cur.end + cur.start}`, `file ends inside vector ${r + 1} of ${count} (needs ${rowBytes} bytes from offset ${valuesAt})`);
    }
    const row = vectors.subarray(r * dim, (r + 1) * dim);
    for (let d = 0; d < dim; d++) {
      const v = cur.buf.readFloatLE(cur.pos + 4 * d);
      if (!Number.isFinite(v)) fail(`byte offset ${valuesAt + 4 * d}`, `${v} in vector ${r + 1}`);
      row[d] = v;
    }
    cur.pos += rowBytes;
  }
}

async function readTextRows(cur: Cursor, count: number, dim: number, vectors: Float32Array, addWord: AddWord, fail: Fail): Promise<void> {
  // A row holds a word and D numbers: 64 KiB of word plus 64 bytes per number is plenty.
  const maxLine = MAX_WORD_BYTES + 64 * dim;
  let line = 1;
  for (let r = 0; r < count; r++) {
    line++;
    let nl = -1;
    for (let scanned = 0; nl < 0;) {
      const have = await cur.ensure(Math.min(scanned + BLOCK, maxLine + 1));
      nl = cur.buf.subarray(cur.pos + scanned, cur.pos + have).indexOf(10);
      if (nl >= 0) nl += scanned;
      else if (have > maxLine) fail(`line ${line}`, `longer than ${maxLine} bytes`);
      else if (cur.eof) nl = have; // the last row may lack its newline
      else scanned = have;
    }
    if (nl === 0 && cur.eof) fail(`line ${line}`, `file ends after ${r} of ${count} vectors`);
    const text = cur.buf.subarray(cur.pos, cur.pos + nl);
    cur.pos += Math.min(nl + 1, cur.end - cur.pos);
    // Fields are separated by spaces (tabs tolerated); a trailing space or \r is fine.
    const fields = text.toString('latin1').split(/[ \t]+/);
    if (fields[fields.length - 1] === '' || fields[fields.length - 1] === '\r') fields.pop();
    if (fields.length !== dim + 1) fail(`line ${line}`, `expected a word and ${dim} numbers, got ${fields.length} fields`);
    addWord(Buffer.from(fields[0]!, 'latin1'), `line ${line}`);
    for (let d = 0; d < dim; d++) {
      const s = fields[d + 1]!.replace(/\r$/, '');
      const v = Number(s);
      if (s === '' || Number.isNaN(v) && !/^[-+]?nan$/i.test(s)) fail(`line ${line}`, `'${s}' is not a number (field ${d + 2})`);
      if (!Number.isFinite(v)) fail(`line ${line}`, `${s} in field ${d + 2}`);
      // Stored as float32: beyond its range a value would become ±Infinity.
      if (!Number.isFinite(Math.fround(v))) fail(`line ${line}`, `${s} in field ${d + 2} is beyond float32's range (±3.4028235e38)`);
      vectors[r * dim + d] = v;
    }
  }
}

/** The shortest decimal that reads back as exactly this float32. */
function formatFloat32(v: number): string {
  if (Object.is(v, -0)) return '-0';
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

export interface SaveOptions {
  format?: VectorFormat;
  /** Replace a read-only file (default false: refused). */
  overwrite?: boolean;
}

/** Writes a table in word2vec binary or text format, atomically. */
export async function writeVectorFile(path: string, vectors: VectorTable, options: SaveOptions = {}): Promise<void> {
  checkOptions('saveVectors', 'options', options, ['format', 'overwrite']);
  const overwrite = checkOverwrite('saveVectors', 'options.overwrite', options.overwrite);
  const format = options.format ?? guessFormat(path);
  if (format !== 'binary' && format !== 'text') throw new TypeError(`saveVectors: format must be 'binary' or 'text', got ${String(format)}`);
  const { dim, words } = vectors;
  for (const w of words) {
    // Only ASCII whitespace separates fields (as in the corpus tokenizer): a word with U+00A0 or U+0085 is stored as is.
    if (w === '' || /[ \t\n\v\f\r]/.test(w)) {
      throw new RangeError(`saveVectors: word ${JSON.stringify(w)} is empty or contains ASCII whitespace, which the format cannot store`);
    }
  }
  const chunks: Buffer[] = [Buffer.from(`${words.length} ${dim}\n`)];
  let parts: Buffer[] = [];
  let bytes = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    bytes += b.length;
    if (bytes >= BLOCK) flush();
  };
  const flush = (): void => {
    chunks.push(Buffer.concat(parts));
    parts = [];
    bytes = 0;
  };
  const row = Buffer.alloc(4 * dim);
  for (let r = 0; r < words.length; r++) {
    const v = vectors.vectors.subarray(r * dim, (r + 1) * dim);
    if (format === 'binary') {
      for (let d = 0; d < dim; d++) row.writeFloatLE(v[d]!, 4 * d);
      push(Buffer.concat([Buffer.from(words[r] + ' '), row, Buffer.from('\n')]));
    } else {
      push(Buffer.from(`${words[r]} ${Array.from(v, formatFloat32).join(' ')}\n`));
    }
  }
  flush();
  await writeFileAtomic(path, chunks, { overwrite });
}
