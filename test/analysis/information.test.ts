/**
 * Information measures: the identities the issue lists, units, batches, and
 * the documented behaviour for inputs that are not distributions.
 */
import { describe, expect, it } from 'vitest';
import { bernoulliEntropy, crossEntropy, entropy, klDivergence, Matrix } from '../../src/index.js';
import { Rng } from '../../src/rng.js';

function randomDistribution(rng: Rng, k: number): number[] {
  const w = Array.from({ length: k }, () => rng.uniform() + 1e-3);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

describe('information measures', () => {
  const rng = new Rng(1);
  const pairs = Array.from({ length: 20 }, (_, i) => [randomDistribution(rng, 2 + (i % 6)), randomDistribution(rng, 2 + (i % 6))] as const);

  it('known values in bits and nats', () => {
    expect(entropy([0.5, 0.5])).toBe(1);
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(2, 15);
    expect(entropy([1, 0, 0])).toBe(0);
    expect(entropy([0.5, 0.5], { unit: 'nats' })).toBeCloseTo(Math.LN2, 15);
    expect(crossEntropy([1, 0], [0.5, 0.5])).toBe(1);
    expect(klDivergence([1, 0], [0.25, 0.75])).toBeCloseTo(2, 15);
  });

  it('D(p‖q) = H(p, q) − H(p)', () => {
    for (const [p, q] of pairs) {
      for (const unit of ['bits', 'nats'] as const) {
        expect(klDivergence(p, q, { unit })).toBeCloseTo(crossEntropy(p, q, { unit }) - entropy(p, { unit }), 12);
      }
    }
  });

  it('D ≥ 0, with equality iff p = q', () => {
    for (const [p, q] of pairs) {
      expect(klDivergence(p, q)).toBeGreaterThan(0);
      expect(klDivergence(p, p)).toBe(0);
    }
  });

  it('H(p, q) is minimal over q at q = p', () => {
    for (const [p, q] of pairs) {
      expect(crossEntropy(p, q)).toBeGreaterThan(entropy(p));
      // Small moves of q away from p raise it too.
      const nudged = p.map((v, j) => v + (j === 0 ? 1e-3 : j === 1 ? -1e-3 : 0));
      expect(crossEntropy(p, nudged)).toBeGreaterThan(crossEntropy(p, p));
      expect(crossEntropy(p, p)).toBeCloseTo(entropy(p), 14);
    }
  });

  it('H(θ) is maximal at θ = 0.5, where it is 1 bit, and 0 at 0 and 1', () => {
    expect(bernoulliEntropy(0.5)).toBe(1);
    expect(bernoulliEntropy(0)).toBe(0);
    expect(bernoulliEntropy(1)).toBe(0);
    for (let t = 0.01; t < 1; t += 0.01) {
      if (Math.abs(t - 0.5) > 1e-9) expect(bernoulliEntropy(t)).toBeLessThan(1);
      expect(bernoulliEntropy(t)).toBeCloseTo(bernoulliEntropy(1 - t), 12);
    }
    expect(bernoulliEntropy(0.5, { unit: 'nats' })).toBeCloseTo(Math.LN2, 15);
  });

  it('KL is asymmetric', () => {
    const p = [0.9, 0.1];
    const q = [0.5, 0.5];
    expect(klDivergence(p, q)).not.toBeCloseTo(klDivergence(q, p), 3);
  });

  it('batches of rows give one value per row', () => {
    const P = Matrix.fromArrays(
      pairs
        .slice(0, 4)
        .map(([p]) => p.slice(0, 2))
        .map((r) => [r[0]! / (r[0]! + r[1]!), r[1]! / (r[0]! + r[1]!)]),
    );
    const Q = Matrix.fromArrays([
      [0.5, 0.5],
      [0.2, 0.8],
      [0.9, 0.1],
      [0.3, 0.7],
    ]);
    const h = entropy(P);
    const d = klDivergence(P, Q);
    const x = crossEntropy(P.toArrays(), Q.toArrays());
    expect(h).toBeInstanceOf(Float64Array);
    for (let i = 0; i < 4; i++) {
      expect(h[i]).toBeCloseTo(entropy(P.row(i)), 6);
      expect(x[i]).toBeCloseTo(h[i]! + d[i]!, 6);
    }
  });

  it('a zero in q where p > 0 gives +Infinity (documented), never an error', () => {
    expect(crossEntropy([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity);
    // ...while a zero in p is fine: 0·log 0 = 0.
    expect(klDivergence([1, 0], [1, 0])).toBe(0);
  });

  it.each([
    [() => entropy([0.5, -0.1, 0.6]), RangeError, 'entropy: p[1] must be a finite probability ≥ 0, got -0.1'],
    [() => entropy([0.5, NaN]), RangeError, 'entropy: p[1] must be a finite probability ≥ 0, got NaN'],
    [() => entropy([0.5, 0.4]), RangeError, 'entropy: p must sum to 1 (±0.00001), sums to 0.9'],
    [() => entropy([]), RangeError, 'entropy: p must have at least one entry'],
    [() => entropy('p' as never), TypeError, 'entropy: p must be an array of probabilities'],
    [
      () =>
        entropy([
          [0.5, 0.5],
          [0.2, 0.7],
        ]),
      RangeError,
      'entropy: p[1] must sum to 1',
    ],
    [() => klDivergence([0.5, 0.5], [0.2, 0.3, 0.5]), RangeError, 'klDivergence: p and q must have the same length, got 2 and 3'],
    [() => crossEntropy([[1, 0]], [1, 0]), RangeError, 'crossEntropy: p and q must both be one distribution or batches of the same number of rows'],
    [() => entropy([1], { unit: 'bans' as never }), TypeError, "entropy: options.unit must be 'bits' or 'nats', got bans"],
    [() => entropy([1], { base: 2 } as never), TypeError, "entropy: unknown option 'base' in options"],
    [() => bernoulliEntropy(1.5), RangeError, 'bernoulliEntropy: theta must be a probability in [0, 1], got 1.5'],
  ])('rejects %#', (call, cls, message) => {
    expect(call).toThrow(cls);
    expect(call).toThrow(message);
  });

  it('accepts float32 softmax rows within the default tolerance', () => {
    const row = Float32Array.from([0.1, 0.2, 0.3, 0.4].map((v) => v + 1e-7));
    expect(entropy(row)).toBeGreaterThan(0);
  });
});
