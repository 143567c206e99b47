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

  constructor(private readonly lowercase: boolean, private readonly sink: TokenSink) {}

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
      if (i > start || this.pending !== '' || this.tooLong) this.emit(b, start, i);
      if (c === 10) this.sink.lineEnd();
      start = i + 1;
    }
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
 * Reads `path` in blocks of `blockSize` bytes (one buffer, reused: consume
 * each block before asking for the next). Memory is one block, whatever the
 * file's size.
 */
export async function* readBlocks(path: string, blockSize: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(blockSize);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, blockSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
