/**
 * The safetensors container (as written by Hugging Face's `safetensors`):
 *   8 bytes  little-endian u64 N, the header length
 *   N bytes  JSON: { name: { dtype, shape, data_offsets: [begin, end] }, ...,
 *                    "__metadata__": { string: string } }
 *   rest     tensor bytes; offsets are relative to the end of the header
 * Only F32 tensors are read and written here. The reader trusts nothing: every
 * size is checked against the file's real length before anything is allocated.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';

/** A file that is not a valid safetensors file, or not the one expected. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export interface Tensors {
  metadata: Record<string, string>;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Larger headers are refused: real ones are kilobytes (the reference
 * implementation caps them at 100 MB too). */
const MAX_HEADER_BYTES = 100_000_000;

export function encodeSafetensors(metadata: Record<string, string>,
                                  tensors: [string, number[], Float32Array][]): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
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

export async function writeSafetensors(path: string, metadata: Record<string, string>,
                                       tensors: [string, number[], Float32Array][]): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(metadata, tensors));
}

export async function readSafetensors(path: string): Promise<Tensors> {
  const bytes = await readFile(path);
  return decodeSafetensors(bytes, path);
}

/** Parses a whole file held in memory; `label` names it in error messages. */
export function decodeSafetensors(bytes: Uint8Array, label: string): Tensors {
  const fail = (offset: number, why: string): never => {
    throw new ModelFileError(`${label}: ${why} (at byte ${offset})`);
  };
  if (bytes.length < 8) fail(bytes.length, `file is ${bytes.length} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    fail(8, `header declares ${declared} bytes but only ${bytes.length - 8} follow: truncated or not a safetensors file`);
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) fail(8, `header of ${headerLength} bytes is larger than ${MAX_HEADER_BYTES}`);
  if (headerLength < 2 || bytes[8] !== 0x7b /* '{' */) fail(8, 'header is not a JSON object: not a safetensors file');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    fail(8, `header is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(8, 'header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(8, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(8, `__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    entries.push(parseEntry(name, value, dataLength, (why) => fail(8, why)));
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

  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of entries) {
    tensors.set(e.name, { shape: e.shape, data: readFloat32LE(bytes, dataStart + e.begin, (e.end - e.begin) / 4) });
  }
  return { metadata, tensors };
}

function parseEntry(name: string, value: unknown, dataLength: number, fail: (why: string) => never) {
  if (value === null || typeof value !== 'object') fail(`tensor '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (dtype !== 'F32') fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}, only F32 is supported`);
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
    if (count * 4 > dataLength) fail(`tensor '${name}' shape ${JSON.stringify(shape)} needs more bytes than the file holds`);
  }
  if (end - begin !== count * 4) {
    fail(`tensor '${name}' shape ${JSON.stringify(shape)} needs ${count * 4} bytes but data_offsets span ${end - begin}`);
  }
  return { name, shape: shape as number[], begin, end };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndianHost) return bytes;
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Copies (never aliases) so the tensor is aligned and independent of the file buffer. */
function readFloat32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (littleEndianHost) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}
