/**
 * The safetensors container (as written by Hugging Face's `safetensors`):
 *   8 bytes  little-endian u64 N, the header length
 *   N bytes  JSON: { name: { dtype, shape, data_offsets: [begin, end] }, ...,
 *                    "__metadata__": { string: string } }
 *   rest     tensor bytes; offsets are relative to the end of the header
 * Models are F32 only (decodeSafetensors); safetensors-file.ts streams files
 * of F32, F64, U32 and U8 tensors too large to hold twice in memory. The
 * readers trust nothing: every size is checked against the file's real length
 * before anything is allocated.
 */
import { writeFileAtomic, type WriteOptions } from './atomic.js';
import { readWholeFile } from './file-errors.js';
import { sharedFloat32 } from '../shared-memory.js';

/** A file that is not a valid safetensors file, or not the one expected. */
export class ModelFileError extends Error {
  /** The class name, as `err.name`. */
  override name = 'ModelFileError';
}

export interface Tensors {
  metadata: Record<string, string>;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Larger headers are refused: real ones are kilobytes (the reference
 * implementation caps them at 100 MB too). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The typed arrays the dtypes read into (F32, F64, U32, U8). */
export type TensorData = Float32Array | Float64Array | Uint32Array | Uint8Array;

function dtypeOf(data: TensorData): Dtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  return data instanceof Uint32Array ? 'U32' : 'U8';
}

/** The file as chunks (prefix, header, each tensor's little-endian bytes; no copies on a little-endian host). */
export function encodeSafetensors(metadata: Record<string, string>, tensors: [string, number[], TensorData][]): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: dtypeOf(data), shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the tensor data starts 8-byte aligned, as the format recommends.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  return [prefix, headerBytes, ...tensors.map(([, , data]) => littleEndianBytes(data))];
}

export async function writeSafetensors(
  path: string,
  metadata: Record<string, string>,
  tensors: [string, number[], TensorData][],
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(metadata, tensors), options);
}

export async function readSafetensors(path: string): Promise<Tensors> {
  const bytes = await readWholeFile(path, ModelFileError);
  return decodeSafetensors(bytes, path);
}

/** Parses a whole file held in memory; `label` names it in error messages. Only F32 tensors. */
export function decodeSafetensors(bytes: Uint8Array, label: string): Tensors {
  const { metadata, entries, dataStart } = parseSafetensorsHeader(bytes, bytes.length, label, ['F32']);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of entries) {
    tensors.set(e.name, { shape: e.shape, data: readFloat32LE(bytes, dataStart + e.begin, (e.end - e.begin) / 4) });
  }
  return { metadata, tensors };
}

/** Bytes per element of the dtypes fastnn reads and writes. */
export const DTYPE_BYTES = { F32: 4, F64: 8, U32: 4, U8: 1 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;

export interface TensorEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte range relative to dataStart. */
  begin: number;
  end: number;
}

/**
 * Checks the 8-byte length and the JSON header at the start of `head` (which
 * holds at least those bytes) against the file's real length, and every
 * tensor entry against the data area: dtype among `dtypes`, shape × element
 * size equal to its byte range, the ranges tiling the data area exactly.
 * Nothing is allocated from a declared size before it is checked.
 */
export function parseSafetensorsHeader(
  head: Uint8Array,
  fileLength: number,
  label: string,
  dtypes: readonly Dtype[],
): { metadata: Record<string, string>; entries: TensorEntry[]; dataStart: number } {
  const fail = (offset: number, why: string): never => {
    throw new ModelFileError(`${label}: ${why} (at byte ${offset})`);
  };
  if (fileLength < 8) fail(fileLength, `file is ${fileLength} bytes, too short for a safetensors header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(fileLength - 8)) {
    fail(8, `header declares ${declared} bytes but only ${fileLength - 8} follow: truncated or not a safetensors file`);
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) fail(8, `header of ${headerLength} bytes is larger than ${MAX_HEADER_BYTES}`);
  if (headerLength < 2 || head[8] !== 0x7b /* '{' */) fail(8, 'header is not a JSON object: not a safetensors file');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + headerLength)));
  } catch (err) {
    fail(8, `header is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(8, 'header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = fileLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(8, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(8, `__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    entries.push(parseEntry(name, value, dataLength, dtypes, (why) => fail(8, why)));
  }

  // The spec requires the tensors to tile the data area exactly: no holes, no overlaps.
  // Ties by end: an empty tensor may sit at the offset where the next one begins.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) fail(dataStart + e.begin, `tensor '${e.name}' starts at ${e.begin}, expected ${expected} (overlap or hole)`);
    expected = e.end;
  }
  if (expected !== dataLength) fail(dataStart + expected, `tensor data ends at ${expected} but the file has ${dataLength} data bytes`);
  return { metadata, entries, dataStart };
}

function parseEntry(name: string, value: unknown, dataLength: number, dtypes: readonly Dtype[], fail: (why: string) => never): TensorEntry {
  if (value === null || typeof value !== 'object') fail(`tensor '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!dtypes.includes(dtype as Dtype)) {
    fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}, only ${dtypes.join(', ')} ${dtypes.length > 1 ? 'are' : 'is'} supported`);
  }
  const size = DTYPE_BYTES[dtype as Dtype];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    fail(`tensor '${name}' data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes`);
  }
  // Multiply with a cap so a hostile shape cannot overflow to a small number.
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (count * size > dataLength) fail(`tensor '${name}' shape ${JSON.stringify(shape)} needs more bytes than the file holds`);
  }
  if (end - begin !== count * size) {
    fail(`tensor '${name}' shape ${JSON.stringify(shape)} needs ${count * size} bytes but data_offsets span ${end - begin}`);
  }
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end };
}

export const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: TensorData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return littleEndianHost ? bytes : swapElementBytes(bytes, data.BYTES_PER_ELEMENT);
}

/** A copy of `bytes` with each `size`-byte element reversed: little- ⇄ big-endian. */
export function swapElementBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  }
  return out;
}

/** Copies (never aliases) so the tensor is aligned and independent of the file buffer; onto shared
 * memory, so the optimizer state and best weights a checkpoint holds train in place, as a model's own do. */
function readFloat32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = sharedFloat32(count);
  if (littleEndianHost) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}
