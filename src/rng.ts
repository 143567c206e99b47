/**
 * The seeded generator behind every random choice in fastnn.
 *
 * xoshiro128** with its state filled by splitmix32: every step is 32-bit
 * integer maths (Math.imul, >>> 0), so C++ can reproduce the stream bit for
 * bit with uint32_t. Floats are built from the top 24 bits, which a float32
 * holds exactly, so uniform() is the same number in both languages.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    // splitmix32 spreads a small seed over 128 bits of state; it never yields
    // the all-zero state xoshiro cannot leave.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), a multiple of 2⁻²⁴ (exact in float32). */
  uniform(): number {
    return (this.nextU32() >>> 8) * 5.9604644775390625e-8;
  }

  /** Uniform integer in [0, bound) for 0 < bound < 2³², by Lemire's
   * multiply-shift with rejection, so there is no modulo bias. */
  below(bound: number): number {
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.nextU32();
      if (Math.imul(r, bound) >>> 0 < threshold) continue;
      // High word of the 64-bit product r·bound, from 16-bit halves of r so
      // every partial product is exact in float64.
      const a = (r >>> 16) * bound;
      const b = (r & 0xffff) * bound;
      return Math.floor(a / 65536) + Math.floor(((a % 65536) * 65536 + b) / 0x100000000);
    }
  }

  /** Fisher–Yates shuffle in place. */
  shuffle(a: Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /** The state, to checkpoint and resume a stream exactly. */
  getState(): Uint32Array {
    const state = new Uint32Array(4);
    this.writeState(state);
    return state;
  }

  /** getState() into out (4 words), for loops that save it often and should not allocate. */
  writeState(out: Uint32Array): void {
    out[0] = this.s0;
    out[1] = this.s1;
    out[2] = this.s2;
    out[3] = this.s3;
  }

  /** Continues the stream from a state getState returned. */
  setState(state: Uint32Array): void {
    if (state.length !== 4 || (state[0]! | state[1]! | state[2]! | state[3]!) === 0) {
      throw new RangeError('rng state must be 4 words, not all zero');
    }
    [this.s0, this.s1, this.s2, this.s3] = state as unknown as [number, number, number, number];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
