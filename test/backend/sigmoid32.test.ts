/**
 * Hidden sigmoid units run a float32 logistic defined by its operations
 * (native/core/sigmoid32.h, activations.ts sigmoid32): within 3 ulp of the
 * exact logistic wherever the result is a normal float32, and the same bits
 * on both backends, at every vector width's head and tail.
 */
import { describe, expect, it } from 'vitest';
import { Activation } from '../../src/backend/backend.js';
import { sigmoid32 } from '../../src/backend/js/activations.js';
import { Rng } from '../../src/rng.js';
import { backendPair } from '../helpers/backends.js';
import { randomF32, SIGMOID_EDGES } from '../helpers/reference.js';

const TINY32 = 2 ** -126;
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** The logistic in float64, without overflow. */
const exact = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** One unit in the last place of the float32 |v|. */
function ulp32(v: number): number {
  const f = new Float32Array([Math.abs(v)]);
  const u = new Uint32Array(f.buffer);
  u[0]! += 1;
  return f[0]! - Math.abs(v);
}

// Every edge of the algorithm (reference.ts).
const EDGES = SIGMOID_EDGES;

describe('sigmoid32', () => {
  it('is within 3 ulp of the exact logistic wherever the result is normal', () => {
    let worst = 0;
    const xs = [...EDGES, ...Array.from({ length: 200_001 }, (_, i) => Math.fround(-110 + (130 * i) / 200_000))];
    for (const x of xs) {
      const want = exact(x);
      const got = sigmoid32(x);
      if (Number.isNaN(x)) {
        expect(got).toBeNaN();
        continue;
      }
      if (want < TINY32) {
        // Below the normal range the result may be flushed to 0.
        if (!(got >= 0 && got < TINY32)) throw new Error(`sigmoid32(${x}) = ${got}, want < 2^-126`);
        continue;
      }
      worst = Math.max(worst, Math.abs(got - want) / ulp32(Math.fround(want)));
    }
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('is monotone and keeps σ(x) + σ(−x) within 2 ulp of 1', () => {
    let last = 0;
    let drops = 0;
    let worstSum = 0;
    for (let i = 0; i <= 100_000; i++) {
      const x = Math.fround(-30 + (60 * i) / 100_000);
      const y = sigmoid32(x);
      if (y < last) drops++;
      last = y;
      worstSum = Math.max(worstSum, Math.abs(y + sigmoid32(-x) - 1));
    }
    expect(drops).toBe(0);
    expect(worstSum).toBeLessThanOrEqual(2 * 2 ** -24);
  });
});

const pair = backendPair();
describe.runIf(pair)('sigmoid units: native and TS give the same bits', () => {
  it('on every length from 0 to 70 (vector heads and tails), misaligned and in place', () => {
    const rng = new Rng(91);
    for (let n = 0; n <= 70; n++) {
      const x = randomF32(rng, n + 1, -20, 20).subarray(1); // misaligned by one float
      x.set(EDGES.slice(0, Math.min(n, EDGES.length)));
      const [nat, ts] = [pair!.native, pair!.js].map((be) => {
        const out = new Float32Array(n).fill(NaN);
        be.activationForward(out, x, n, Activation.sigmoid, 0);
        const inPlace = x.slice();
        be.activationForward(inPlace, inPlace, n, Activation.sigmoid, 0);
        expect(bits(inPlace), `in place, n=${n}`).toEqual(bits(out));
        return out;
      });
      expect(bits(nat!), `n=${n}`).toEqual(bits(ts!));
      expect(bits(ts!), `n=${n}`).toEqual(bits(Float32Array.from(x, sigmoid32)));
    }
  });
});
