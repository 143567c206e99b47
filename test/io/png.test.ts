/** The PNG writer: a valid file (signature, chunk CRCs) whose pixels inflate back. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGrayPng, imageStrips } from '../../src/io/png.js';
import { Matrix } from '../../src/tensor.js';

describe('PNG writer', () => {
  it('encodes grayscale pixels that decode back, clamped to [0, 1]', () => {
    const png = encodeGrayPng(Float32Array.of(0, 0.5, 1, 2, -1, NaN), 3, 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(3); // IHDR width
    expect(png.readUInt32BE(20)).toBe(2);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, 0, 128, 255, 0, 255, 0, 0]);
    expect(() => encodeGrayPng(new Float32Array(5), 3, 2)).toThrow(RangeError);
  });

  it('tiles images into strips with 1-pixel gaps', () => {
    const images = new Matrix(Float32Array.of(0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5), 2, 4); // two 2×2 images
    const { pixels, width, height } = imageStrips([images, images], 2, 2);
    expect([width, height]).toEqual([7, 7]);
    expect(pixels[1 * 7 + 1]).toBe(0); // first image, top-left
    expect(pixels[1 * 7 + 4]).toBe(0.5); // second image
    expect(pixels[0]).toBe(1); // gap
  });
});
