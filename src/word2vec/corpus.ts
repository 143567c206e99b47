/**
 * The corpus file and the names of its words. Both backends keep words as
 * byte strings (as word2vec.c and fastText do); JS names them by decoding
 * those bytes with the run's `encoding`:
 * - 'utf8' (default): the vocabulary must be valid UTF-8. Invalid sequences
 *   would all decode to U+FFFD, so distinct words would share one name; such
 *   a corpus is refused right after the vocabulary scan, before any training,
 *   with the line and byte offset of its first invalid sequence.
 * - 'latin1': each byte is one character (U+0000–U+00FF). Every byte string
 *   keeps a distinct name, so any corpus trains, and a Latin-1 corpus gets its
 *   true characters (saved vector files are UTF-8, like every fastnn save).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { openForReading } from '../io/file-errors.js';

/** A corpus that cannot be read or whose words cannot be named. */
export class CorpusError extends Error {
  /** The class name, as `err.name`. */
  override name = 'CorpusError';
}

/** How a corpus file's bytes are read as text. */
export type CorpusEncoding = 'utf8' | 'latin1';

/**
 * Refuses a corpus path that does not exist, is a directory or cannot be
 * read, naming it. A FIFO is not opened: opening one with no writer blocks,
 * and closing it again would end the writer waiting for it (`<(cat c.txt)`).
 */
export async function checkCorpusReadable(fn: string, path: string): Promise<void> {
  try {
    if ((await stat(path).catch(() => null))?.isFIFO()) {
      await access(path, constants.R_OK).catch((err: unknown) => {
        throw new CorpusError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code})`, { cause: err });
      });
      return;
    }
    await (await openForReading(path, CorpusError)).close();
  } catch (err) {
    throw new CorpusError(`${fn}: corpus ${(err as Error).message}`, { cause: err });
  }
}

/** `words` (each word's bytes then '\n', as the vocabulary scan returns them) decoded to names. */
export async function vocabularyNames(fn: string, words: Uint8Array, encoding: CorpusEncoding, corpus: string): Promise<string[]> {
  if (encoding === 'latin1') return Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('latin1').split('\n').slice(0, -1);
  try {
    // ignoreBOM: a corpus that starts with a BOM keeps it in its first word, byte for byte.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(words).split('\n').slice(0, -1);
  } catch {
    const at = await firstInvalidUtf8(corpus);
    const where = at ? `line ${at.line}, byte offset ${at.offset} (bytes ${at.bytes}) starts an invalid UTF-8 sequence` : 'its vocabulary holds invalid UTF-8';
    throw new CorpusError(
      `${fn}: corpus ${corpus} is not UTF-8: ${where}, so words would decode to the same name (U+FFFD). ` +
        "Nothing was trained. Pass encoding: 'latin1' (CLI: --encoding latin1) to read each byte as one Latin-1 character.",
    );
  }
}

/** Where the first invalid UTF-8 sequence in the file starts (1-based line, 0-based byte offset), or null. */
async function firstInvalidUtf8(path: string): Promise<{ line: number; offset: number; bytes: string } | null> {
  const file = await openForReading(path, CorpusError);
  try {
    const scanner = new Utf8Scanner();
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let offset = 0; ; ) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
      const bad = scanner.feed(chunk.subarray(0, bytesRead), bytesRead === 0);
      if (bad !== null) {
        const bytes = Buffer.alloc(4);
        const { bytesRead: shown } = await file.read(bytes, 0, 4, bad.offset);
        return { ...bad, bytes: [...bytes.subarray(0, shown)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ') };
      }
      if (bytesRead === 0) return null;
      offset += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/**
 * UTF-8 validation as TextDecoder's fatal mode does it (WHATWG: no overlong
 * forms, no surrogates, nothing above U+10FFFF), fed in chunks, counting lines.
 */
export class Utf8Scanner {
  private offset = 0;
  private line = 1;
  /** Continuation bytes the current sequence still needs, and the range the next one must fall in. */
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private start = 0;

  /** The first invalid sequence's start in this chunk or before, or null; `end` marks the end of the input. */
  feed(chunk: Uint8Array, end: boolean): { line: number; offset: number } | null {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.need > 0) {
        if (b < this.lower || b > this.upper) return { line: this.line, offset: this.start };
        this.need--;
        this.lower = 0x80;
        this.upper = 0xbf;
        continue;
      }
      this.start = this.offset + i;
      if (b < 0x80) {
        if (b === 10) this.line++;
      } else if (b >= 0xc2 && b <= 0xdf) {
        this.need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lower = 0xa0;
        if (b === 0xed) this.upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lower = 0x90;
        if (b === 0xf4) this.upper = 0x8f;
      } else {
        return { line: this.line, offset: this.start };
      }
    }
    this.offset += chunk.length;
    return end && this.need > 0 ? { line: this.line, offset: this.start } : null;
  }
}
