/**
 * Streams a corpus file's tokens, block by block, with exactly the
 * tokenisation of native/core/word2vec/corpus_reader.h: bytes ' ' and
 * \t..\r separate tokens, \n also ends a sentence, tokens longer than
 * MAX_TOKEN_BYTES are dropped, `lowercase` maps ASCII A-Z only.
 *
 * Tokens are handed out as latin1 strings (one char per byte), so they
 * compare and hash as their raw bytes, like the C++ side; they are decoded
 * as UTF-8 only once the vocabulary is final.
 */
import { open } from 'node:fs/promises';

export const MAX_TOKEN_BYTES = 1000;

export interface TokenSink {
  token(bytes: string): void;
  lineEnd(): void;
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export class Tokenizer {
  private pending = '';
  private tooLong = false;
  private consumed = 0;
  /** Where the reader stands during a sink call, as CorpusReader::Offset():
   * in token(), the token's end; in lineEnd(), just past the '\n'. */
  position = 0;

  constructor(
    private readonly lowercase: boolean,
    private readonly sink: TokenSink,
  ) {}

  /**
   * Makes the next push() start at byte `offset` of the file, dropping the
   * rest of a token that began before it (`previous` is the byte at
   * offset − 1), as CorpusReader does when a range starts at `offset`.
   */
  startAt(offset: number, previous: number | undefined): void {
    this.consumed = offset;
    this.pending = '';
    this.tooLong = previous !== undefined && previous !== 32 && (previous < 9 || previous > 13);
  }

  /** Feeds the next block; a token cut at its end continues in the next one. */
  push(block: Buffer): void {
    const b = block as Latin1Buffer;
    const n = b.length;
    if (this.lowercase) {
      for (let i = 0; i < n; i++) if (b[i]! >= 65 && b[i]! <= 90) b[i] = b[i]! + 32;
    }
    let start = 0;
    for (let i = 0; i < n; i++) {
      const c = b[i]!;
      if (c !== 32 && (c < 9 || c > 13)) continue;
      this.position = this.consumed + i;
      if (i > start || this.pending !== '' || this.tooLong) this.emit(b, start, i);
      if (c === 10) {
        this.position++;
        this.sink.lineEnd();
      }
      start = i + 1;
    }
    this.consumed += n;
    if (start < n) {
      if (this.tooLong || this.pending.length + (n - start) > MAX_TOKEN_BYTES) {
        this.tooLong = true;
        this.pending = '';
      } else {
        this.pending += b.latin1Slice(start, n);
      }
    }
  }

  /** End of input: the last token, if the file does not end with a separator. */
  finish(): void {
    this.position = this.consumed;
    if (this.pending !== '' && !this.tooLong) this.sink.token(this.pending);
    this.pending = '';
    this.tooLong = false;
  }

  private emit(b: Latin1Buffer, start: number, end: number): void {
    const long = this.tooLong || this.pending.length + (end - start) > MAX_TOKEN_BYTES;
    if (!long) this.sink.token(this.pending === '' ? b.latin1Slice(start, end) : this.pending + b.latin1Slice(start, end));
    this.pending = '';
    this.tooLong = false;
  }
}

/**
 * Where part `part` of `parts` equal byte ranges of a file of `size` bytes
 * begins (the end for part = parts): ⌊size·part/parts⌋, as
 * corpus_reader.h PartBegin computes it without overflow (here exact in
 * doubles up to 2^53 through the same split).
 */
export function partBegin(size: number, part: number, parts: number): number {
  if (part >= parts) return size;
  return Math.floor(size / parts) * part + Math.floor(((size % parts) * part) / parts);
}

/**
 * Where rank `rank` of `ranks` begins its part of the file at `path`, of
 * `size` bytes (the end for rank = ranks), as corpus_reader.h RankBegin: the
 * first line start in the rank's equal share [partBegin(rank),
 * partBegin(rank + 1)), so ranks train whole sentences; a share in which no
 * line starts (a line longer than a share, a file without newlines) begins
 * where it is, at a token boundary as a thread's range does, rather than
 * leave the rank idle. Reads at most the share.
 */
export async function rankBegin(path: string, size: number, rank: number, ranks: number): Promise<number> {
  const share = partBegin(size, rank, ranks);
  const next = partBegin(size, rank + 1, ranks);
  if (share === 0 || share === next) return share;
  // A line starts at b when byte b − 1 is '\n': look through bytes [share − 1, next − 1).
  let at = share - 1;
  for await (const block of readBlocks(path, Math.min(next - share, 1 << 16), at)) {
    const newline = block.subarray(0, next - 1 - at).indexOf(10);
    if (newline >= 0) return at + newline + 1;
    at += block.length;
    if (at >= next - 1) break;
  }
  return share;
}

/**
 * Reads `path` from byte `start` in blocks of `blockSize` bytes (one buffer, reused: consume
 * each block before asking for the next). Memory is one block, whatever the
 * file's size.
 */
export async function* readBlocks(path: string, blockSize: number, start = 0): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(blockSize);
    for (let at = start; ; ) {
      const { bytesRead } = await file.read(buffer, 0, blockSize, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** The byte at `offset − 1` of `path`: undefined at 0 (or past the end). */
export async function byteBefore(path: string, offset: number): Promise<number | undefined> {
  if (offset === 0) return undefined;
  const file = await open(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    const { bytesRead } = await file.read(byte, 0, 1, offset - 1);
    return bytesRead === 1 ? byte[0] : undefined;
  } finally {
    await file.close();
  }
}
