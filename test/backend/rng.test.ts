/**
 * The C++ generator (native/core/rng.cc) against src/rng.ts: the raw stream,
 * bounded draws (small bounds, powers of two, bounds near 2³² where the
 * rejection threshold matters) and the Fisher–Yates permutation must agree
 * bit for bit, since native training reshuffles with it.
 */
import { describe, expect, it } from 'vitest';
import type { NativeAddon, NativeTestHooks } from '../../src/backend/native.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest, nativeWithTestHooks } from '../helpers/backends.js';

const hasNative = backendsUnderTest().some((b) => b.name === 'native');

describe.runIf(hasNative)('native RNG matches src/rng.ts', () => {
  const addon: NativeAddon & NativeTestHooks = hasNative ? nativeWithTestHooks() : (null as never);

  it.each([0, 1, 42, 0x7fffffff, 0xffffffff])('seed %d', (seed) => {
    const bounds = Uint32Array.of(
      1,
      2,
      3,
      7,
      10,
      64,
      1000,
      65536,
      65537,
      2 ** 31,
      2 ** 31 + 1,
      0xfffffffe,
      0xffffffff,
      ...Array.from({ length: 200 }, (_, i) => 1 + (((i * 2654435761) >>> 0) % 5000)),
    );
    const words = new Uint32Array(1000);
    const belows = new Uint32Array(bounds.length);
    const perm = Uint32Array.from({ length: 257 }, (_, i) => i);
    addon.testRng(seed, words, bounds, belows, perm);

    const rng = new Rng(seed);
    const tsWords = Uint32Array.from(words, () => rng.nextU32());
    const tsBelows = Uint32Array.from(bounds, (b) => rng.below(b));
    const tsPerm = Uint32Array.from({ length: 257 }, (_, i) => i);
    rng.shuffle(tsPerm);
    expect(words).toEqual(tsWords);
    expect(belows).toEqual(tsBelows);
    expect(perm).toEqual(tsPerm);
    expect(perm).not.toEqual(Uint32Array.from({ length: 257 }, (_, i) => i));
  });

  it('validates its arguments', () => {
    const u = () => new Uint32Array(1);
    expect(() => addon.testRng(-1, u(), u(), u(), u())).toThrow(new RangeError('testRng: seed must be an integer in [0, 4294967295]'));
    expect(() => addon.testRng(1, [] as never, u(), u(), u())).toThrow(new TypeError('testRng: words must be a Uint32Array'));
    expect(() => addon.testRng(1, u(), u(), new Uint32Array(2), u())).toThrow(new RangeError('testRng: belows must have length 1'));
    expect(() => addon.testRng(1, u(), new Uint32Array(1), u(), u())).toThrow(new RangeError('testRng: bounds[0] must be at least 1'));
  });
});
