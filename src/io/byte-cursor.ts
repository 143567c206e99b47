/**
 * Sequential reading of a file that may be gzip-compressed, for the
 * streaming parsers (word2vec vectors): the file's bytes as they are, or
 * inflated as they are read when they open with gzip's magic number, under
 * a byte cursor that holds one block at a time and grows its buffer only as
 * bytes arrive, so nothing a header declares is allocated before the data
 * is there.
 */
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** Bytes read per block, and the cursor's first buffer. */
export const BLOCK = 1 << 20;

/** gzip's magic number opens the bytes (RFC 1952). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Where a cursor's bytes come from. */
export interface ByteSource {
  /** Reads up to `max` bytes into buf at `at`; 0 at the end. */
  fill(buf: Buffer, at: number, max: number): Promise<number>;
  /** The bytes the source holds, known before reading for a plain file; null for gzip (its trailer is no proof). */
  size: number | null;
  gzip: boolean;
  /** Stops inflating (the caller closes the file). */
  close(): void;
}

/**
 * The file from its start: inflated when it is gzip. A zlib failure
 * (corrupt or truncated data, trailing garbage) goes to `corrupt` with
 * zlib's words; it surfaces when the bad bytes are read, so a caller that
 * must know reads to the end.
 */
export async function openByteSource(file: FileHandle, corrupt: (why: string) => never): Promise<ByteSource> {
  const magic = Buffer.alloc(2);
  const { bytesRead } = await file.read(magic, 0, 2, 0);
  if (!isGzip(magic.subarray(0, bytesRead))) {
    const { size } = await file.stat();
    return { fill: async (buf, at, max) => (await file.read(buf, at, max, null)).bytesRead, size, gzip: false, close: () => undefined };
  }
  const compressed = file.createReadStream({ start: 0, autoClose: false, highWaterMark: BLOCK });
  const inflated = createGunzip({ chunkSize: 1 << 16 });
  compressed.on('error', (err) => inflated.destroy(err));
  compressed.pipe(inflated);
  const chunks = inflated[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  return {
    async fill(buf, at, max) {
      if (pending.length === 0) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          return corrupt(
            code.startsWith('Z_') ? `gzip data is corrupt or truncated (${(err as Error).message})` : `cannot be read (${code || (err as Error).message})`,
          );
        }
        if (next.done) return 0;
        pending = next.value;
      }
      const n = pending.copy(buf, at, 0, Math.min(max, pending.length));
      pending = pending.subarray(n);
      return n;
    },
    size: null,
    gzip: true,
    close: () => {
      compressed.destroy();
      inflated.destroy();
    },
  };
}

/** A byte cursor over a source: `buf[pos, end)` are read and not yet consumed. */
export class ByteCursor {
  buf = Buffer.allocUnsafe(BLOCK);
  start = 0; // source offset of buf[0]
  pos = 0;
  end = 0;
  eof = false;

  constructor(private readonly source: ByteSource) {}

  get offset(): number {
    return this.start + this.pos;
  }

  /** Makes at least n bytes available from pos unless the source ends first; returns how many are. */
  async ensure(n: number): Promise<number> {
    while (this.end - this.pos < n && !this.eof) {
      if (this.pos > 0) {
        this.buf.copy(this.buf, 0, this.pos, this.end);
        this.start += this.pos;
        this.end -= this.pos;
        this.pos = 0;
      }
      // Doubled when less than a block is free: a header declaring huge rows costs memory only once their bytes arrive.
      if (this.buf.length - this.end < BLOCK) {
        const bigger = Buffer.allocUnsafe(2 * this.buf.length);
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const read = await this.source.fill(this.buf, this.end, this.buf.length - this.end);
      if (read === 0) this.eof = true;
      this.end += read;
    }
    return this.end - this.pos;
  }

  /**
   * The bytes from pos up to the next newline (not consumed), looking at
   * most `max` bytes ahead; `newline` says whether one came (else the
   * source ended, or `max` bytes hold none).
   */
  async peekLine(max: number): Promise<{ line: Buffer; newline: boolean }> {
    for (let scanned = 0; ; ) {
      const have = await this.ensure(Math.min(scanned + BLOCK, max));
      const nl = this.buf.subarray(this.pos + scanned, this.pos + have).indexOf(10);
      if (nl >= 0) return { line: this.buf.subarray(this.pos, this.pos + scanned + nl), newline: true };
      if (have >= max || this.eof) return { line: this.buf.subarray(this.pos, this.pos + have), newline: false };
      scanned = have;
    }
  }

  /** Reads to the end of the source, keeping nothing (a gzip stream reports damage only there). */
  async drain(): Promise<void> {
    while (!this.eof) {
      this.pos = this.end;
      await this.ensure(1);
    }
  }
}
