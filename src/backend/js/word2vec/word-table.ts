/**
 * The TS twin of native/core/word2vec/word_table.cc: an open-addressing hash
 * table from a word's bytes to a dense index (the order of insertion) and a
 * count, used to count the vocabulary and to look tokens up in training.
 *
 * Words arrive as latin1 strings (one char per byte, corpus-reader.ts) and
 * are kept as bytes in typed arrays, not as JS strings in a Map: a Map holds
 * at most 2^24 entries and a string costs tens of bytes of JS heap, while the
 * vocabulary pass must hold the 30 million distinct words native holds
 * before it prunes (vocab.ts). Here a word costs its bytes and about 24 more,
 * outside the JS heap.
 */

// Small, so that tiny tables (tests) grow a few times.
const FIRST_SLOTS = 16;
const EMPTY = -1;

export class WordTable {
  /** Record index per slot, or EMPTY; a power of two long, at most 3/4 full. */
  private slots: Int32Array = new Int32Array(FIRST_SLOTS).fill(EMPTY);
  /** Per record: its word's hash, where its bytes start in the arena (starts[size] = bytes used), its count. */
  private hashes: Int32Array = new Int32Array(FIRST_SLOTS);
  private starts: Float64Array = new Float64Array(FIRST_SLOTS + 1);
  private counts: Float64Array = new Float64Array(FIRST_SLOTS);
  private arena: Buffer = Buffer.alloc(1 << 12);
  size = 0;

  /** 32 bits of the word's bytes: FNV-1a, then MurmurHash3's finaliser so the low bits (the slot) mix every byte. */
  static hash(word: string): number {
    let h = 0x811c9dc5 ^ word.length;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** Index of `word`, or -1. */
  find(word: string): number {
    return this.slots[this.slotOf(word, WordTable.hash(word))]!;
  }

  /** Adds `count` to the count of `word` (0 when new), appending it when absent; returns its index. */
  add(word: string, count = 1): number {
    const h = WordTable.hash(word);
    let s = this.slotOf(word, h);
    let r = this.slots[s]!;
    if (r === EMPTY) {
      if (4 * (this.size + 1) > 3 * this.slots.length) {
        this.rehash(2 * this.slots.length);
        s = this.slotOf(word, h);
      }
      r = this.append(word, h);
      this.slots[s] = r;
    }
    this.counts[r] = this.counts[r]! + count;
    return r;
  }

  word(i: number): string {
    return this.arena.toString('latin1', this.starts[i]!, this.starts[i + 1]!);
  }

  /** The word's length in bytes. */
  byteLength(i: number): number {
    return this.starts[i + 1]! - this.starts[i]!;
  }

  /** Copies the word's bytes into `out` at `at`; returns where they end. A loop, not a Buffer view per word:
   * words are short, and a vocabulary's millions of views cost more than the copying. */
  copyBytes(i: number, out: Uint8Array, at: number): number {
    for (let b = this.starts[i]!, end = this.starts[i + 1]!; b < end; b++) out[at++] = this.arena[b]!;
    return at;
  }

  count(i: number): number {
    return this.counts[i]!;
  }

  /** Orders words i and j by their bytes, as memcmp does (then the shorter first): negative, 0 or positive. */
  compare(i: number, j: number): number {
    // A loop here: words are short, and Buffer.compare costs a call into C++ per comparison of a sort.
    const [a, b] = [this.starts[i]!, this.starts[j]!];
    const [m, n] = [this.starts[i + 1]! - a, this.starts[j + 1]! - b];
    for (let k = 0; k < Math.min(m, n); k++) {
      const d = this.arena[a + k]! - this.arena[b + k]!;
      if (d !== 0) return d;
    }
    return m - n;
  }

  /** Drops the words counted at most `floor` times (word2vec.c's ReduceVocab), keeping the others' order. */
  prune(floor: number): void {
    let kept = 0;
    let used = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.counts[i]! <= floor) continue;
      const [from, to] = [this.starts[i]!, this.starts[i + 1]!];
      this.arena.copyWithin(used, from, to);
      this.hashes[kept] = this.hashes[i]!;
      this.counts[kept] = this.counts[i]!;
      this.starts[kept] = used;
      used += to - from;
      kept++;
    }
    this.starts[kept] = used;
    this.size = kept;
    this.rehash(this.slots.length);
  }

  // The slot holding `word`, or the free slot where it would go.
  private slotOf(word: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const r = this.slots[s]!;
      if (r === EMPTY || (this.hashes[r] === h && this.holds(r, word))) return s;
    }
  }

  private holds(r: number, word: string): boolean {
    const start = this.starts[r]!;
    if (this.starts[r + 1]! - start !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.arena[start + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  // A new record for `word` (count 0); the arrays grow by doubling.
  private append(word: string, h: number): number {
    const r = this.size;
    if (r === this.hashes.length) {
      this.hashes = grown(this.hashes, 2 * r);
      this.counts = grown(this.counts, 2 * r);
      this.starts = grown(this.starts, 2 * r + 1);
    }
    const start = this.starts[r]!;
    if (start + word.length > this.arena.length) {
      const bigger = Buffer.alloc(Math.max(2 * this.arena.length, start + word.length));
      this.arena.copy(bigger, 0, 0, start);
      this.arena = bigger;
    }
    this.arena.write(word, start, 'latin1');
    this.hashes[r] = h;
    this.counts[r] = 0;
    this.starts[r + 1] = start + word.length;
    this.size++;
    return r;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    const mask = slotCount - 1;
    for (let r = 0; r < this.size; r++) {
      let s = this.hashes[r]! & mask;
      while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
      this.slots[s] = r;
    }
  }
}

function grown<T extends Int32Array | Float64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
