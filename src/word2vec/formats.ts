/**
 * The word2vec vector file formats, as word2vec.c, gensim and fastText write
 * them:
 * - header "V D\n" (ASCII, single space);
 * - binary rows: word bytes, ' ', D little-endian float32, then '\n'
 *   (word2vec.c writes it; gensim does not, so the loader skips newlines
 *   before a word rather than requiring one);
 * - text rows: "word v1 v2 ... vD\n" (word2vec.c and fastText add a space
 *   before the newline; the loader accepts both);
 * either of them possibly gzip-compressed. Which one a file is, the loader
 * reads from its bytes and a save takes from its name (file-kind.ts).
 *
 * The loader streams the file in 1 MiB blocks (inflating gzip as it goes)
 * into one Float32Array (never a JS string of the whole file) and fails
 * with a WordVectorsFileError naming the byte offset (binary) or line
 * (text) of the first problem: truncation, bad numbers, wrong row widths,
 * duplicate words, NaN/Infinity (or a text value beyond float32's range,
 * which would become one), invalid UTF-8 (or replaces it, by
 * option), corrupt or truncated gzip data. It trusts no header: a plain
 * file's header is checked against the file's size before anything of the
 * declared size is allocated; a compressed file's size says nothing, so its
 * rows are allocated as they arrive. Saves are atomic (src/io/atomic.ts).
 */
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { checkOverwrite, writeFileAtomic } from '../io/atomic.js';
import { BLOCK, ByteCursor, openByteSource, type ByteSource } from '../io/byte-cursor.js';
import { openForReading } from '../io/file-errors.js';
import { checkOptions } from '../options.js';
import { allocate } from '../sizes.js';
import { formatOfFirstRow, kindForName, type VectorFormat } from './file-kind.js';

export type { VectorFormat } from './file-kind.js';

/** A word-vectors file that cannot be read: the message names the file and the byte offset. */
export class WordVectorsFileError extends Error {
  /** The class name, as `err.name`. */
  override name = 'WordVectorsFileError';
}

/** Options of WordVectors.load. */
export interface LoadOptions {
  /** Read the file as 'binary' or 'text' whatever its bytes look like; by default its first row decides (file-kind.ts). */
  format?: VectorFormat;
  /** Load only the first `limit` words. */
  limit?: number;
  /** Invalid UTF-8 in a word: 'error' (default) or 'replace' with U+FFFD. */
  invalidUtf8?: 'error' | 'replace';
}

/** Longest word accepted; real vocabularies stay far below. */
const MAX_WORD_BYTES = 1 << 16;

function checkFormat(fn: string, format: unknown): asserts format is VectorFormat | undefined {
  if (format !== undefined && format !== 'binary' && format !== 'text') {
    throw new TypeError(`${fn}: format must be 'binary' or 'text', got ${String(format)}`);
  }
}

/**
 * The vectors, row by row: allocated at once when the file's size has
 * vouched for the header, else (gzip) grown as rows arrive, so a lying
 * header costs no more than twice the rows the data really holds.
 */
class Rows {
  private data: Float32Array;

  constructor(
    private readonly count: number,
    private readonly dim: number,
    vouched: boolean,
  ) {
    this.data = allocate('loadVectors', 'the vectors', Float32Array, vouched ? count : 0, dim);
  }

  /** Row r's storage; the caller has read its bytes. */
  row(r: number): Float32Array {
    const dim = this.dim;
    if ((r + 1) * dim > this.data.length) {
      const rows = Math.min(this.count, Math.max(2 * (this.data.length / dim), r + 1, Math.floor(BLOCK / (4 * dim))));
      const bigger = allocate('loadVectors', 'the vectors', Float32Array, rows, dim);
      bigger.set(this.data);
      this.data = bigger;
    }
    return this.data.subarray(r * dim, (r + 1) * dim);
  }

  all(): Float32Array {
    return this.data.length === this.count * this.dim ? this.data : this.data.slice(0, this.count * this.dim);
  }
}

/** The rows of a vector file: words in file order and their (words, dim) vectors. */
export interface VectorTable {
  readonly words: readonly string[];
  readonly vectors: Float32Array;
  readonly dim: number;
}

/** Reads a word2vec binary or text file, gzip-compressed or not, into a table (WordVectors.load wraps it). */
export async function readVectorFile(path: string, options: LoadOptions = {}): Promise<VectorTable> {
  checkOptions('loadVectors', 'options', options, ['format', 'limit', 'invalidUtf8']);
  checkFormat('loadVectors', options.format);
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`loadVectors: limit must be a non-negative integer, got ${limit}`);
  const decoder = new TextDecoder('utf-8', { fatal: (options.invalidUtf8 ?? 'error') === 'error' });
  const file = await openForReading(path, WordVectorsFileError);
  let label = path;
  const fail = (where: string, what: string): never => {
    throw new WordVectorsFileError(`${label}: ${where}: ${what}`);
  };
  let source: ByteSource;
  try {
    source = await openByteSource(file, (why) => {
      throw new WordVectorsFileError(`${path}: ${why}`);
    });
  } catch (err) {
    await file.close();
    throw err;
  }
  // Offsets and lines of a compressed file count its inflated bytes.
  if (source.gzip) label = `${path} (gzip)`;
  const cur = new ByteCursor(source);
  try {
    // Header: "V D" then a newline, within the first 64 bytes.
    const head = await cur.peekLine(64);
    const m = /^\s*(\d{1,15}) (\d{1,15})\s*$/.exec(head.line.toString('latin1'));
    const what = options.format === undefined ? 'word2vec' : `word2vec ${options.format}`;
    if (!head.newline || !m) fail('byte offset 0', `not a ${what} file: the header must be "<words> <dimensions>\\n"`);
    const rows = Number(m![1]),
      dim = Number(m![2]);
    if (dim < 1) fail('byte offset 0', 'header declares 0 dimensions');
    cur.pos += head.line.length + 1;
    // A row holds a word and D numbers: 64 KiB of word plus 64 bytes per number is plenty.
    const maxLine = MAX_WORD_BYTES + 64 * dim;
    // The first row decides the format; a block of it is enough (a binary row need hold no newline at all).
    const first = await cur.peekLine(Math.min(maxLine + 1, BLOCK));
    const format = options.format ?? formatOfFirstRow(first.line, first.newline || cur.eof);
    // Every row needs at least 1 byte of word + 1 separator + its values
    // (4·D bytes binary, 2·D text): refuse headers the file cannot hold
    // before allocating anything of the declared size.
    const minRow = format === 'binary' ? 2 + 4 * dim : 1 + 2 * dim;
    if (source.size !== null && rows * minRow > source.size - cur.offset + 1) {
      fail('byte offset 0', `header declares ${rows} vectors of ${dim} dimensions, more than the ${source.size}-byte file can hold`);
    }
    const count = Math.min(rows, limit);
    const vectors = new Rows(count, dim, source.size !== null);
    const words: string[] = [];
    const seen = new Map<string, number>();
    const addWord = (bytes: Buffer, where: string): void => {
      let word: string;
      try {
        word = decoder.decode(bytes);
      } catch {
        fail(where, 'invalid UTF-8 in a word (pass invalidUtf8: "replace" to load it anyway)');
        return;
      }
      if (word.length === 0) fail(where, 'empty word');
      const prev = seen.get(word);
      if (prev !== undefined) fail(where, `duplicate word '${word}' (also row ${prev + 1})`);
      seen.set(word, words.length);
      words.push(word);
    };
    if (format === 'binary') await readBinaryRows(cur, count, dim, vectors, addWord, fail);
    else await readTextRows(cur, count, dim, maxLine, vectors, addWord, fail);
    // gzip finds a truncated or corrupt stream only at its end: read on to it (what follows the rows is ignored, as in a plain file).
    if (source.gzip && count === rows) await cur.drain();
    return { words, vectors: vectors.all(), dim };
  } finally {
    source.close();
    await file.close();
  }
}

type AddWord = (bytes: Buffer, where: string) => void;
type Fail = (where: string, what: string) => never;

async function readBinaryRows(cur: ByteCursor, count: number, dim: number, vectors: Rows, addWord: AddWord, fail: Fail): Promise<void> {
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
    for (let scanned = 0; space < 0; ) {
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
    const row = vectors.row(r);
    for (let d = 0; d < dim; d++) {
      const v = cur.buf.readFloatLE(cur.pos + 4 * d);
      if (!Number.isFinite(v)) fail(`byte offset ${valuesAt + 4 * d}`, `${v} in vector ${r + 1}`);
      row[d] = v;
    }
    cur.pos += rowBytes;
  }
}

async function readTextRows(cur: ByteCursor, count: number, dim: number, maxLine: number, vectors: Rows, addWord: AddWord, fail: Fail): Promise<void> {
  let line = 1;
  for (let r = 0; r < count; r++) {
    line++;
    let nl = -1;
    for (let scanned = 0; nl < 0; ) {
      const have = await cur.ensure(Math.min(scanned + BLOCK, maxLine + 1));
      nl = cur.buf.subarray(cur.pos + scanned, cur.pos + have).indexOf(10);
      if (nl >= 0) nl += scanned;
      else if (have > maxLine) fail(`line ${line}`, `longer than ${maxLine} bytes`);
      else if (cur.eof)
        nl = have; // the last row may lack its newline
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
    const row = vectors.row(r);
    for (let d = 0; d < dim; d++) {
      const s = fields[d + 1]!.replace(/\r$/, '');
      const v = Number(s);
      if (s === '' || (Number.isNaN(v) && !/^[-+]?nan$/i.test(s))) fail(`line ${line}`, `'${s}' is not a number (field ${d + 2})`);
      if (!Number.isFinite(v)) fail(`line ${line}`, `${s} in field ${d + 2}`);
      // Stored as float32: beyond its range a value would become ±Infinity.
      if (!Number.isFinite(Math.fround(v))) fail(`line ${line}`, `${s} in field ${d + 2} is beyond float32's range (±3.4028235e38)`);
      row[d] = v;
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

/** One row of the text format, without its newline: the word and each value as the shortest decimal that reads back as the same float32. */
export function textRow(word: string, values: Float32Array): string {
  return `${word} ${Array.from(values, formatFloat32).join(' ')}`;
}

/** Options of WordVectors.save. */
export interface SaveOptions {
  /** 'binary' or 'text' for a name that says neither; by default the name decides (.bin binary, else text; file-kind.ts). */
  format?: VectorFormat;
  /** Replace a read-only file (default false: refused). */
  overwrite?: boolean;
}

/** Writes a table in word2vec binary or text format, gzip-compressed when the name ends in .gz, atomically. */
export async function writeVectorFile(path: string, vectors: VectorTable, options: SaveOptions = {}): Promise<void> {
  checkOptions('saveVectors', 'options', options, ['format', 'overwrite']);
  const overwrite = checkOverwrite('saveVectors', 'options.overwrite', options.overwrite);
  checkFormat('saveVectors', options.format);
  const kind = kindForName(path, options.format, { format: `options.format '${options.format}'`, path: 'the path' }, 'saveVectors: ');
  const chunks = encodeVectors(vectors, kind.format);
  await writeFileAtomic(path, kind.gzip ? await gzipped(chunks) : chunks, { overwrite });
}

/** A table's file bytes in `format`, in blocks of about 1 MiB: what a save writes (and the CLI sends to stdout). */
export function encodeVectors(vectors: VectorTable, format: VectorFormat): Buffer[] {
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
      push(Buffer.from(`${textRow(words[r]!, v)}\n`));
    }
  }
  flush();
  return chunks;
}

/** The chunks gzip-compressed, streamed through zlib (the file is never one buffer twice). */
async function gzipped(chunks: Buffer[]): Promise<Buffer[]> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const ended = once(gzip, 'end');
  for (const chunk of chunks) if (!gzip.write(chunk)) await once(gzip, 'drain');
  gzip.end();
  await ended;
  return out;
}
