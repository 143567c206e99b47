/**
 * Byte-level mutations in the manner of libFuzzer's MutationDispatcher, driven
 * by a seeded generator so a run replays from FUZZ_SEED. Each child input
 * applies 1-4 of them to a corpus entry.
 */

/** mulberry32: tiny, seedable, good enough to pick mutations. */
export function createRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const below = (n) => Math.floor(next() * n);
  return { next, below, pick: (list) => list[below(list.length)] };
}

/** Values that sit on the edges parsers get wrong: zero, sign bits, 2^31, 2^32, 2^53. */
const INTERESTING = [
  0n,
  1n,
  2n,
  7n,
  8n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
  -1n,
];

/** Writes `value` as a width-byte integer (two's complement) at `at`, little- or big-endian. */
function writeInt(out, at, value, width, littleEndian) {
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    out[littleEndian ? at + i : at + width - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Header fields live near the start: aim half of the integer writes at the first 64 bytes. */
function position(rng, length) {
  return rng.next() < 0.5 ? rng.below(Math.min(length, 64)) : rng.below(length);
}

const mutators = [
  function flipBit(rng, b) {
    if (b.length === 0) return b;
    const out = Uint8Array.from(b);
    out[rng.below(out.length)] ^= 1 << rng.below(8);
    return out;
  },
  function setByte(rng, b) {
    if (b.length === 0) return b;
    const out = Uint8Array.from(b);
    out[rng.below(out.length)] = rng.below(256);
    return out;
  },
  function insertBytes(rng, b) {
    const at = rng.below(b.length + 1);
    const n = 1 + rng.below(8);
    const fill =
      rng.next() < 0.5
        ? () => rng.below(256)
        : (
            (v) => () =>
              v
          )(rng.below(256));
    return concat(b.subarray(0, at), Uint8Array.from({ length: n }, fill), b.subarray(at));
  },
  function eraseBytes(rng, b) {
    if (b.length < 2) return b;
    const at = rng.below(b.length);
    const n = 1 + rng.below(Math.min(16, b.length - at));
    return concat(b.subarray(0, at), b.subarray(at + n));
  },
  function copyChunk(rng, b) {
    if (b.length < 2) return b;
    const from = rng.below(b.length);
    const n = 1 + rng.below(Math.min(32, b.length - from));
    const at = rng.below(b.length + 1);
    return concat(b.subarray(0, at), b.subarray(from, from + n), b.subarray(at));
  },
  function truncate(rng, b) {
    return b.length === 0 ? b : b.slice(0, rng.below(b.length));
  },
  function interestingInt(rng, b) {
    const width = rng.pick([1, 2, 4, 8]);
    if (b.length < width) return b;
    const out = Uint8Array.from(b);
    // Lengths near the input's size are what "declared size vs real size" checks compare against.
    const near = BigInt(b.length) + BigInt(rng.below(17) - 8);
    writeInt(out, Math.min(position(rng, b.length), b.length - width), rng.next() < 0.3 ? near : rng.pick(INTERESTING), width, rng.next() < 0.5);
    return out;
  },
  function asciiInt(rng, b) {
    // Text headers and JSON hold numbers as digits: replace one run of them.
    const runs = [];
    for (let i = 0; i < b.length; i++) {
      if (b[i] >= 0x30 && b[i] <= 0x39 && (i === 0 || b[i - 1] < 0x30 || b[i - 1] > 0x39)) runs.push(i);
    }
    if (runs.length === 0) return b;
    const at = rng.pick(runs);
    let end = at;
    while (end < b.length && b[end] >= 0x30 && b[end] <= 0x39) end++;
    const old = Number(new TextDecoder().decode(b.subarray(at, end)));
    const value = rng.pick([
      String(rng.pick(INTERESTING)),
      String(old + 1),
      String(Math.max(0, old - 1)),
      String(old * 10),
      String(old * 1000 + rng.below(1000)),
      String(10 ** (1 + rng.below(9))),
      String(b.length),
      '0',
      '1e309',
    ]);
    return concat(b.subarray(0, at), new TextEncoder().encode(value), b.subarray(end));
  },
  function dictionaryWord(rng, b, ctx) {
    if (ctx.dictionary.length === 0) return b;
    const word = rng.pick(ctx.dictionary);
    const at = rng.below(b.length + 1);
    // Overwrite or insert: both are how a token ends up somewhere it was not.
    return rng.next() < 0.5
      ? concat(b.subarray(0, at), word, b.subarray(at))
      : concat(b.subarray(0, at), word, b.subarray(Math.min(b.length, at + word.length)));
  },
  function splice(rng, b, ctx) {
    const other = rng.pick(ctx.corpus);
    if (other.length === 0) return b;
    const cut = rng.below(b.length + 1);
    const from = rng.below(other.length);
    return concat(b.subarray(0, cut), other.subarray(from));
  },
];

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A child of `input`: 1-4 stacked mutations, capped at ctx.maxLength bytes. */
export function mutate(rng, input, ctx) {
  let out = input;
  for (let n = 1 + rng.below(4); n > 0; n--) out = rng.pick(mutators)(rng, out, ctx);
  return out.length > ctx.maxLength ? out.slice(0, ctx.maxLength) : out;
}
