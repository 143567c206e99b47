/**
 * Backend.firstOutside, the pass a fit makes over its data, against a
 * float64 reference loop on both backends: NaN, ±Infinity and values just
 * outside a bound placed at the edges of the native scan's blocks (512),
 * pool parts and chunks (4 M elements), bounds between two floats, and an
 * abort that stops the scan.
 */
import { describe, expect, it } from 'vitest';
import { sharedFloat32 } from '../../src/shared-memory.js';
import { backendsUnderTest } from '../helpers/backends.js';

function reference(d: Float32Array, min: number, max: number): number {
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v) || v < min || v > max) return i;
  }
  return -1;
}

const CHUNK = 1 << 22;
const below = (v: number) => {
  const f = Float32Array.of(v);
  const u = new Uint32Array(f.buffer);
  u[0]! += v > 0 ? -1 : 1;
  return f[0]!;
};

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('firstOutside (%s)', (_name, backend) => {
  const ranges: [number, number][] = [
    [-Number.MAX_VALUE, Number.MAX_VALUE],
    [0, 1],
    [0, Number.MAX_VALUE],
    [-2.5, 0.1],
  ];

  it.each(ranges)('finds the first value outside [%d, %d] wherever it lies', async (min, max) => {
    const n = 3000;
    for (const at of [0, 1, 15, 16, 511, 512, 513, 1499, 1500, 2999]) {
      for (const bad of [NaN, Infinity, -Infinity, max === Number.MAX_VALUE ? NaN : max + 1, min === -Number.MAX_VALUE ? -Infinity : min - 1]) {
        const d = new Float32Array(n).map((_, i) => (min === -Number.MAX_VALUE ? Math.sin(i) * 1e30 : Math.min(max, min + (i % 7) * 0.01)));
        d[at] = bad;
        d[Math.min(n - 1, at + 700)] = NaN;
        expect(await backend.firstOutside(d, min, max)).toBe(reference(d, min, max));
        expect(reference(d, min, max)).toBe(at);
      }
    }
  });

  it('reads the bounds exactly: a float just inside passes, the next one out does not', async () => {
    // 0.1 lies between two floats: fround(0.1) is above it (inside [-2.5, 0.1] only if ≤ 0.1: it is not).
    const d = Float32Array.of(0.1, below(0.1), 0, -0, 1, 3.4028234663852886e38);
    expect(await backend.firstOutside(d, -2.5, 0.1)).toBe(reference(d, -2.5, 0.1));
    expect(await backend.firstOutside(d.subarray(1, 5), -0, 1)).toBe(-1);
    expect(await backend.firstOutside(d, 0.1, 0.1)).toBe(reference(d, 0.1, 0.1));
    expect(await backend.firstOutside(Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38), -Number.MAX_VALUE, Number.MAX_VALUE)).toBe(-1);
    expect(await backend.firstOutside(new Float32Array(0), 0, 1)).toBe(-1);
  });

  it('scans past the first chunk, shared or not', async () => {
    for (const d of [sharedFloat32(CHUNK + 5000), new Float32Array(CHUNK + 5000)]) {
      expect(await backend.firstOutside(d, 0, 1)).toBe(-1);
      d[CHUNK + 1] = -1;
      d[CHUNK + 4000] = NaN;
      expect(await backend.firstOutside(d, 0, 1)).toBe(CHUNK + 1);
    }
  });

  it('resolves with -1 once the signal aborts', async () => {
    const d = sharedFloat32(4 * CHUNK);
    d[d.length - 1] = NaN;
    expect(await backend.firstOutside(d, 0, 1, AbortSignal.abort())).toBe(-1);
  });
});
