/**
 * Minimal PNG writer for 8-bit grayscale images (digits and reconstructions)
 * and RGB images (plots): signature, IHDR, one zlib-compressed IDAT, IEND.
 */
import { deflateSync } from 'node:zlib';
import type { Matrix } from '../tensor.js';
import { writeFileAtomic, type WriteOptions } from './atomic.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes `pixels` (height × width, row-major, values in [0, 1], clamped) as a grayscale PNG. */
export function encodeGrayPng(pixels: Float32Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) {
    throw new RangeError(`encodeGrayPng: pixels must have length ${width * height} for ${width}×${height}, got ${pixels.length}`);
  }
  const bytes = Uint8Array.from(pixels, (v) => Math.round(255 * Math.min(1, Math.max(0, Number.isNaN(v) ? 0 : v))));
  return encodePng(bytes, width, height, 1);
}

/** Encodes `pixels` (height × width × 3 bytes: red, green, blue, row-major) as an 8-bit RGB PNG. */
export function encodeRgbPng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height * 3) {
    throw new RangeError(`encodeRgbPng: pixels must have length ${width * height * 3} for ${width}×${height} RGB, got ${pixels.length}`);
  }
  return encodePng(pixels, width, height, 3);
}

// 8-bit samples, `channels` per pixel: 1 is grayscale (colour type 0), 3 is RGB (colour type 2).
function encodePng(samples: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // bytes 10-12: deflate, adaptive filtering, no interlace
  // Each scanline starts with its filter type (0 = none).
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(samples.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Tiles rows of equally sized square-or-given images into one picture: each
 * entry of `rows` is a Matrix of images (one per row); the picture shows the
 * first `count` images of each Matrix as one strip, strips stacked vertically
 * (e.g. originals above their reconstructions), with a 1-pixel gap.
 */
export function imageStrips(rows: Matrix[], count: number, imageWidth: number): { pixels: Float32Array; width: number; height: number } {
  const imageHeight = rows[0]!.cols / imageWidth;
  if (!Number.isInteger(imageHeight)) throw new RangeError(`imageStrips: ${rows[0]!.cols} pixels are not rows of ${imageWidth}`);
  const n = Math.min(count, ...rows.map((m) => m.rows));
  const width = n * (imageWidth + 1) + 1;
  const height = rows.length * (imageHeight + 1) + 1;
  const pixels = new Float32Array(width * height).fill(1);
  rows.forEach((m, strip) => {
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < imageHeight; y++) {
        for (let x = 0; x < imageWidth; x++) {
          pixels[(strip * (imageHeight + 1) + 1 + y) * width + i * (imageWidth + 1) + 1 + x] = m.get(i, y * imageWidth + x);
        }
      }
    }
  });
  return { pixels, width, height };
}

export async function writeGrayPng(path: string, pixels: Float32Array, width: number, height: number, options: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, [encodeGrayPng(pixels, width, height)], options);
}
