/**
 * IDX files (MNIST, Fashion-MNIST): raw and gzip round trips of every element
 * type, and every kind of broken file refused with a message and byte offset.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, IdxFileError, readIdxImages, readIdxLabels } from '../../src/io/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'fastnn-idx-'));

/** An IDX file of `type` code holding `values` (big-endian). */
function idxBytes(typeCode: number, shape: number[], values: number[], bytesPer: number): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = typeCode;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const data = Buffer.alloc(values.length * bytesPer);
  values.forEach((v, i) => {
    const at = i * bytesPer;
    if (typeCode === 0x08) data.writeUInt8(v, at);
    else if (typeCode === 0x09) data.writeInt8(v, at);
    else if (typeCode === 0x0b) data.writeInt16BE(v, at);
    else if (typeCode === 0x0c) data.writeInt32BE(v, at);
    else if (typeCode === 0x0d) data.writeFloatBE(v, at);
    else data.writeDoubleBE(v, at);
  });
  return Buffer.concat([header, data]);
}

const images = idxBytes(0x08, [2, 2, 3], [0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1);

describe('IDX files', () => {
  it.each([
    [0x08, 'u8', [0, 1, 255], 1],
    [0x09, 'i8', [-128, 0, 127], 1],
    [0x0b, 'i16', [-32768, 5, 32767], 2],
    [0x0c, 'i32', [-2147483648, 7, 2147483647], 4],
    [0x0d, 'f32', [-1.5, 0, 3.25], 4],
    [0x0e, 'f64', [-1e300, 0.1, 1e-300], 8],
  ])('reads type 0x%s (%s), raw and gzip', (code, name, values, bytesPer) => {
    const raw = idxBytes(code, [3], values, bytesPer);
    for (const bytes of [raw, gzipSync(raw)]) {
      const idx = decodeIdx(bytes, 'test');
      expect(idx.type).toBe(name);
      expect(idx.shape).toEqual([3]);
      expect(Array.from(idx.data)).toEqual(values);
    }
  });

  it('reads images as a matrix, scaled to [0, 1] on request, and labels', async () => {
    writeFileSync(join(dir, 'images.gz'), gzipSync(images));
    const m = await readIdxImages(join(dir, 'images.gz'), { scale: true });
    expect([m.rows, m.cols]).toEqual([2, 6]);
    expect(m.get(0, 1)).toBe(1);
    expect(m.get(0, 2)).toBeCloseTo(128 / 255, 6);
    writeFileSync(join(dir, 'labels'), idxBytes(0x08, [4], [3, 1, 4, 1], 1));
    expect(Array.from(await readIdxLabels(join(dir, 'labels')))).toEqual([3, 1, 4, 1]);
    await expect(readIdxLabels(join(dir, 'images.gz'))).rejects.toThrow('expected a 1-D integer label file');
  });

  it('rejects the file truncated at every length, raw and gzip', () => {
    const gz = gzipSync(images);
    for (const bytes of [images, gz]) {
      for (let length = 0; length < bytes.length; length++) {
        expect(() => decodeIdx(bytes.subarray(0, length), 'cut'), `length ${length}`).toThrow(IdxFileError);
      }
    }
  });

  it.each([
    ['wrong magic', Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'first two bytes must be zero'],
    ['an unknown type', Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), 'unknown IDX element type 0x07'],
    ['zero dimensions', Buffer.from([0, 0, 8, 0]), 'zero dimensions'],
    ['a header cut short', Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), 'ends inside the header'],
    ['dimensions larger than the file', idxBytes(0x08, [60000, 28, 28], [1, 2, 3], 1), 'need more data than the 3 bytes'],
    ['dimensions overflowing 64 bits', idxBytes(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], [], 8), 'need more data'],
    ['trailing bytes', Buffer.concat([images, Buffer.from([0])]), 'need 12 data bytes but the file holds 13'],
    ['an HTML page', Buffer.from('<html><body>404</body></html>'), 'not an IDX file'],
    ['corrupt gzip', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6]), 'gzip data is corrupt'],
  ])('rejects %s', (_label, bytes, message) => {
    expect(() => decodeIdx(bytes, 'bad')).toThrow(IdxFileError);
    expect(() => decodeIdx(bytes, 'bad')).toThrow(message);
  });
});
