/**
 * Property tests (fast-check): algebraic laws of the kernels, backend
 * equivalence, save∘load = identity, and parsers that only ever throw their
 * own typed errors on random bytes. fast-check prints the seed and the
 * shrunk counterexample of a failure; rerun with that seed to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIdx, IdxFileError } from '../../src/io/idx.js';
import { decodeSafetensors, encodeSafetensors, ModelFileError } from '../../src/io/safetensors.js';
import { backendPair, backendsUnderTest } from '../helpers/backends.js';

const dims = fc.integer({ min: 1, max: 9 });
const floats = (n: number) => fc.float32Array({ minLength: n, maxLength: n, min: -4, max: 4, noNaN: true, noDefaultInfinity: true });
const pair = backendPair();
const close = (a: Float32Array, b: Float32Array, tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)));

describe.each(backendsUnderTest().map((b) => [b.name, b] as const))('kernel laws on %s', (_name, backend) => {
  it('(AB)ᵀ = BᵀAᵀ', () => {
    fc.assert(
      fc.property(dims, dims, dims, fc.gen(), (m, n, k, gen) => {
        const a = gen(() => floats(m * k));
        const b = gen(() => floats(k * n));
        const ab = new Float32Array(m * n);
        backend.gemm(ab, a, b, m, n, k, false, false, 1, 0);
        // Bᵀ (n,k) · Aᵀ (k,m) through the transposed views of the same buffers gives (AB)ᵀ (n,m).
        const btat = new Float32Array(n * m);
        backend.gemm(btat, b, a, n, m, k, true, true, 1, 0);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            expect(btat[j * m + i]).toBeCloseTo(ab[i * n + j]!, 4);
          }
      }),
      { numRuns: 100 },
    );
  });

  it('softmax rows are distributions', () => {
    fc.assert(
      fc.property(dims, dims, fc.gen(), (rows, cols, gen) => {
        const inp = gen(() =>
          fc.float32Array({
            minLength: rows * cols,
            maxLength: rows * cols,
            min: Math.fround(-1e30),
            max: Math.fround(1e30),
            noNaN: true,
            noDefaultInfinity: true,
          }),
        );
        const out = new Float32Array(rows * cols);
        backend.softmaxRows(out, inp, rows, cols);
        for (let r = 0; r < rows; r++) {
          const row = out.subarray(r * cols, (r + 1) * cols);
          expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
          expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe.runIf(pair)('backend agreement', () => {
  it('native gemm agrees with the TS backend on random GEMMs', () => {
    fc.assert(
      fc.property(dims, dims, dims, fc.boolean(), fc.boolean(), fc.gen(), (m, n, k, ta, tb, gen) => {
        const a = gen(() => floats(m * k));
        const b = gen(() => floats(k * n));
        const [native, ts] = [new Float32Array(m * n), new Float32Array(m * n)];
        pair!.native.gemm(native, a, b, m, n, k, ta, tb, 1, 0);
        pair!.js.gemm(ts, a, b, m, n, k, ta, tb, 1, 0);
        expect(close(native, ts, 1e-5)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('file formats', () => {
  it('safetensors: decode ∘ encode = identity, bit for bit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.float32Array({ maxLength: 20 })), { maxLength: 5 }), (entries) => {
        const unique = [...new Map(entries.filter(([name]) => name !== '__metadata__')).entries()];
        const bytes = Buffer.concat(
          encodeSafetensors(
            { note: 'x' },
            unique.map(([name, data]) => [name, [data.length], data]),
          ),
        );
        const back = decodeSafetensors(bytes, 'prop');
        for (const [name, data] of unique) {
          expect(new Uint32Array(back.tensors.get(name)!.data.buffer)).toEqual(new Uint32Array(Float32Array.from(data).buffer));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('parsers throw only their own errors on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const [parse, type] of [
          [() => decodeSafetensors(bytes, 'r'), ModelFileError],
          [() => decodeIdx(bytes, 'r'), IdxFileError],
        ] as const) {
          try {
            parse();
          } catch (err) {
            expect(err).toBeInstanceOf(type);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parsers throw only their own errors on mutated valid files', () => {
    const valid = Buffer.concat(encodeSafetensors({ a: 'b' }, [['w', [2, 2], Float32Array.of(1, 2, 3, 4)]]));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = Buffer.from(valid);
        bytes[at] = value;
        try {
          decodeSafetensors(bytes, 'mutated');
        } catch (err) {
          expect(err).toBeInstanceOf(ModelFileError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
