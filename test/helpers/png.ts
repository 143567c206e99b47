/**
 * A strict reader for the PNGs fastnn writes: checks the signature, every
 * chunk's length and CRC, IHDR first and IEND last, then inflates the IDAT
 * data and undoes the (unfiltered) scanlines. Throws on the first fault.
 */
import { inflateSync } from 'node:zlib';

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** 1 (grayscale) or 3 (RGB) samples per pixel. */
  channels: number;
  /** height × width × channels samples, row-major. */
  samples: Uint8Array;
}

export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('PNG: bad signature');
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    if (at + 12 > buf.length) throw new Error(`PNG: truncated chunk at ${at}`);
    const length = buf.readUInt32BE(at);
    if (at + 12 + length > buf.length) throw new Error(`PNG: chunk at ${at} runs past the end`);
    const type = buf.subarray(at + 4, at + 8).toString('latin1');
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`PNG: bad CRC in ${type}`);
    chunks.push({ type, data: buf.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks[chunks.length - 1]?.type !== 'IEND') throw new Error('PNG: IHDR must come first and IEND last');
  const ihdr = chunks[0].data;
  const [width, height, depth, colourType] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8]!, ihdr[9]!];
  if (depth !== 8 || (colourType !== 0 && colourType !== 2)) throw new Error(`PNG: unexpected depth ${depth} / colour type ${colourType}`);
  const channels = colourType === 0 ? 1 : 3;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  if (raw.length !== (stride + 1) * height) throw new Error(`PNG: ${raw.length} bytes of scanlines for ${width}×${height}`);
  const samples = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error(`PNG: scanline ${y} uses filter ${raw[y * (stride + 1)]}`);
    samples.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, samples };
}
