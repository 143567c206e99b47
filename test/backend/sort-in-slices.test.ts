/**
 * sortInSlices (src/backend/js/sort-in-slices.ts): the order Array.prototype.sort
 * gives for a total order, at every length around the merge widths, and
 * equal items kept in their order (stable); it lets the event loop turn.
 */
import { describe, expect, it } from 'vitest';
import { SliceClock } from '../../src/backend/js/slice-clock.js';
import { sortInSlices } from '../../src/backend/js/sort-in-slices.js';
import { Rng } from '../../src/rng.js';

describe('sortInSlices', () => {
  it('gives the order of Array.prototype.sort, stable, at lengths 0–70 and 5 000', async () => {
    const rng = new Rng(5);
    for (const n of [...Array.from({ length: 71 }, (_, i) => i), 5000]) {
      const keys = Array.from({ length: n }, () => Math.floor(rng.uniform() * 10));
      const items = Uint32Array.from({ length: n }, (_, i) => i);
      // By key, and on equal keys by index: the order a stable sort keeps.
      const want = Array.from(items).sort((a, b) => keys[a]! - keys[b]! || a - b);
      await sortInSlices(items, new Uint32Array(n), (a, b) => keys[a]! - keys[b]!, new SliceClock(() => false));
      expect(Array.from(items)).toEqual(want);
    }
  });

  it('turns the event loop during a long sort', async () => {
    const n = 200_000;
    const items = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const slow = (a: number, b: number) => {
      for (let i = 0; i < 20; i++) Math.sqrt(i);
      return a - b;
    };
    await sortInSlices(items, new Uint32Array(n), slow, new SliceClock(() => false));
    clearInterval(timer);
    expect(items.every((v, i) => v === i)).toBe(true);
    expect(turns).toBeGreaterThan(0);
  });
});
