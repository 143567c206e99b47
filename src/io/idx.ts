/**
 * IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed:
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 *   byte  3    number of dimensions d
 *   d × u32    big-endian dimension sizes
 *   the data, big-endian, row-major
 * The reader checks the magic, the type, and that the dimensions account for
 * exactly the bytes that follow, before allocating anything for the data.
 */
import { gunzipSync } from 'node:zlib';
import { allocating } from '../sizes.js';
import { Matrix } from '../tensor.js';
import { sharedFloat32 } from '../shared-memory.js';
import { isGzip } from './byte-cursor.js';
import { readWholeFile } from './file-errors.js';

/** A file that is not a well-formed IDX file. */
export class IdxFileError extends Error {
  /** The class name, as `err.name`. */
  override name = 'IdxFileError';
}

const ELEMENT_TYPES = {
  0x08: { name: 'u8', bytes: 1 },
  0x09: { name: 'i8', bytes: 1 },
  0x0b: { name: 'i16', bytes: 2 },
  0x0c: { name: 'i32', bytes: 4 },
  0x0d: { name: 'f32', bytes: 4 },
  0x0e: { name: 'f64', bytes: 8 },
} as const;

/** The element type an IDX file declares. */
export type IdxElementType = (typeof ELEMENT_TYPES)[keyof typeof ELEMENT_TYPES]['name'];

/** The array an IDX file holds: its element type, shape and values. */
export interface IdxArray {
  /** Element type as stored in the file. */
  type: IdxElementType;
  /** Size of each dimension, outermost first. */
  shape: number[];
  /** The values, converted from big-endian; integers stay exact in float64. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Decompressed files larger than this are refused (the largest IDX sets are a few hundred MB). */
const MAX_DECOMPRESSED_BYTES = 2 ** 31 - 1;

/** Reads an IDX file; gzip is detected from its magic bytes, whatever the file name. */
export async function readIdx(path: string): Promise<IdxArray> {
  return decodeIdx(await readWholeFile(path, IdxFileError), path);
}

/** Parses IDX bytes (raw or gzip); `label` names the source in error messages (its own, and
 * "<label>: not enough memory for …" when the data does not fit). */
export function decodeIdx(file: Uint8Array, label: string): IdxArray {
  const fail = (offset: number, why: string): never => {
    throw new IdxFileError(`${label}: ${why} (at byte ${offset})`);
  };
  let bytes = file;
  if (isGzip(file)) {
    try {
      bytes = gunzipSync(file, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    } catch (err) {
      fail(0, `gzip data is corrupt or truncated: ${(err as Error).message}`);
    }
  }
  if (bytes.length < 4) fail(bytes.length, `file is ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(0, 'not an IDX file (the first two bytes must be zero)');
  const type = ELEMENT_TYPES[bytes[2] as keyof typeof ELEMENT_TYPES];
  if (!type) fail(2, `unknown IDX element type 0x${bytes[2]!.toString(16).padStart(2, '0')}`);
  const dims = bytes[3]!;
  if (dims === 0) fail(3, 'IDX file declares zero dimensions');
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength) fail(bytes.length, `file ends inside the header of ${dims} dimensions`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < dims; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    shape.push(size);
    count *= size; // exact: fails below long before float64 loses integers
    if (count * type.bytes > bytes.length - headerLength) {
      fail(
        4 + 4 * i,
        `dimensions [${shape.join(', ')}${i + 1 < dims ? ', …' : ''}] need more data than the ${bytes.length - headerLength} bytes the file holds`,
      );
    }
  }
  const dataBytes = count * type.bytes;
  if (dataBytes !== bytes.length - headerLength) {
    fail(headerLength + dataBytes, `dimensions [${shape.join(', ')}] need ${dataBytes} data bytes but the file holds ${bytes.length - headerLength}`);
  }
  const data = allocating(label, `its data (${shape.join(' × ')} ${type.name} values)`, () => readBigEndian(bytes, headerLength, count, type.name));
  return { type: type.name, shape, data };
}

/** Copies (never aliases the file buffer) `count` big-endian values of `type` from `offset`. */
function readBigEndian(bytes: Uint8Array, offset: number, count: number, type: IdxElementType): IdxArray['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    // Uint8Array.from copies: a Node Buffer's slice() would alias a shared pool.
    case 'u8':
      return Uint8Array.from(bytes.subarray(offset, offset + count));
    case 'i8':
      return new Int8Array(Uint8Array.from(bytes.subarray(offset, offset + count)).buffer);
    case 'i16':
      return fill(new Int16Array(count), (i) => view.getInt16(offset + 2 * i, false));
    case 'i32':
      return fill(new Int32Array(count), (i) => view.getInt32(offset + 4 * i, false));
    case 'f32':
      return fill(new Float32Array(count), (i) => view.getFloat32(offset + 4 * i, false));
    case 'f64':
      return fill(new Float64Array(count), (i) => view.getFloat64(offset + 8 * i, false));
  }
}

function fill<T extends Int16Array | Int32Array | Float32Array | Float64Array>(out: T, at: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = at(i);
  return out;
}

/**
 * Images (n, rows, cols) as a Matrix (n, rows·cols), one image per row;
 * `scale` divides u8 pixels by 255 so they lie in [0, 1].
 */
export async function readIdxImages(path: string, options: { scale?: boolean } = {}): Promise<Matrix> {
  const idx = await readIdx(path);
  if (idx.shape.length < 2) {
    throw new IdxFileError(`${path}: expected images with at least 2 dimensions, got shape [${idx.shape.join(', ')}]`);
  }
  const n = idx.shape[0]!;
  const width = idx.shape.slice(1).reduce((a, b) => a * b, 1);
  // Shared memory: a native fit reads training images where they lie (tensor.ts).
  const data = allocating(path, `the images as floats (${n} × ${width})`, () => sharedFloat32(idx.data.length));
  data.set(idx.data);
  if (options.scale) {
    if (idx.type !== 'u8') throw new IdxFileError(`${path}: scale applies to u8 pixels, this file holds ${idx.type}`);
    for (let i = 0; i < data.length; i++) data[i] = data[i]! / 255;
  }
  return new Matrix(data, n, width);
}

/** Labels (n) as class indices. */
export async function readIdxLabels(path: string): Promise<Int32Array> {
  const idx = await readIdx(path);
  if (idx.shape.length !== 1 || (idx.type !== 'u8' && idx.type !== 'i8' && idx.type !== 'i32' && idx.type !== 'i16')) {
    throw new IdxFileError(`${path}: expected a 1-D integer label file, got ${idx.type} shape [${idx.shape.join(', ')}]`);
  }
  return Int32Array.from(idx.data as ArrayLike<number>);
}
