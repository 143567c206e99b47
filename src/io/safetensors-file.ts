/**
 * Reads safetensors files tensor by tensor, for files too large to hold in
 * one buffer (word2vec checkpoints: vocabulary bytes, counts, vectors of a
 * million words): the header is checked against the file's real length
 * first (parseSafetensorsHeader), then each tensor is read straight into a
 * typed array of its own, so memory is the tensors and nothing more.
 */
import type { FileHandle } from 'node:fs/promises';
import { openForReading } from './file-errors.js';
import {
  DTYPE_BYTES,
  littleEndianHost,
  MAX_HEADER_BYTES,
  ModelFileError,
  parseSafetensorsHeader,
  swapElementBytes,
  type Dtype,
  type TensorData,
  type TensorEntry,
} from './safetensors.js';

const ARRAYS = { F32: Float32Array, F64: Float64Array, U32: Uint32Array, U8: Uint8Array } as const;

/** fs reads are capped below 2 GiB; bigger tensors are read in pieces. */
const READ_PIECE = 1 << 30;

export class SafetensorsFile {
  private constructor(
    private readonly file: FileHandle,
    private readonly label: string,
    readonly metadata: Record<string, string>,
    private readonly entries: Map<string, TensorEntry>,
    private readonly dataStart: number,
  ) {}

  /** Opens and checks `path`; tensors of other dtypes than `dtypes` are errors. Close it when done. */
  static async open(path: string, dtypes: readonly Dtype[]): Promise<SafetensorsFile> {
    const file = await openForReading(path, ModelFileError);
    try {
      const { size } = await file.stat();
      const prefix = await readExactly(file, 0, Math.min(8, size), path);
      let head = prefix;
      if (size >= 8) {
        const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
        // Only a length the file can hold is read; any other fails in the parser below.
        if (declared <= BigInt(Math.min(size - 8, MAX_HEADER_BYTES))) head = await readExactly(file, 0, 8 + Number(declared), path);
      }
      const { metadata, entries, dataStart } = parseSafetensorsHeader(head, size, path, dtypes);
      return new SafetensorsFile(file, path, metadata, new Map(entries.map((e) => [e.name, e])), dataStart);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** The tensors' names, dtypes and shapes. */
  get tensors(): ReadonlyMap<string, { dtype: Dtype; shape: number[] }> {
    return this.entries;
  }

  /** The tensor's data, freshly allocated (already checked to fit in the file). */
  async read(name: string): Promise<TensorData> {
    const entry = this.entries.get(name);
    if (!entry) throw new ModelFileError(`${this.label}: missing tensor '${name}'`);
    const size = DTYPE_BYTES[entry.dtype];
    const data = new ARRAYS[entry.dtype]((entry.end - entry.begin) / size);
    const bytes = new Uint8Array(data.buffer);
    for (let at = 0; at < bytes.length; at += READ_PIECE) {
      const piece = Math.min(READ_PIECE, bytes.length - at);
      const { bytesRead } = await this.file.read(bytes, at, piece, this.dataStart + entry.begin + at);
      if (bytesRead !== piece) throw truncated(this.label, this.dataStart + entry.begin + at + bytesRead);
    }
    if (!littleEndianHost && size > 1) bytes.set(swapElementBytes(bytes, size));
    return data;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

async function readExactly(file: FileHandle, position: number, length: number, label: string): Promise<Uint8Array> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw truncated(label, position + bytesRead);
  return buffer;
}

/** The file shrank while being read (another process rewrote it in place). */
function truncated(label: string, offset: number): ModelFileError {
  return new ModelFileError(`${label}: file ended early, while being read (at byte ${offset})`);
}
