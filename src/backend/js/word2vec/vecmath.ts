/**
 * The float32 vector maths of the word2vec trainer and queries, bit for bit
 * as native/core/word2vec/vecmath.h computes it: every product and sum is
 * rounded to float32 (Math.fround), and the dot product keeps 8 partial sums
 * (element i goes to sum i % 8) combined in the same fixed tree.
 */
const f = Math.fround;

export function dot(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    s5 = 0,
    s6 = 0,
    s7 = 0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = xo + i,
      b = yo + i;
    s0 = f(s0 + f(x[a]! * y[b]!));
    s1 = f(s1 + f(x[a + 1]! * y[b + 1]!));
    s2 = f(s2 + f(x[a + 2]! * y[b + 2]!));
    s3 = f(s3 + f(x[a + 3]! * y[b + 3]!));
    s4 = f(s4 + f(x[a + 4]! * y[b + 4]!));
    s5 = f(s5 + f(x[a + 5]! * y[b + 5]!));
    s6 = f(s6 + f(x[a + 6]! * y[b + 6]!));
    s7 = f(s7 + f(x[a + 7]! * y[b + 7]!));
  }
  // The tail continues the lanes: element i still goes to sum i % 8.
  const tail = [s0, s1, s2, s3, s4, s5, s6, s7];
  for (let j = 0; i < n; i++, j++) tail[j] = f(tail[j]! + f(x[xo + i]! * y[yo + i]!));
  [s0, s1, s2, s3, s4, s5, s6, s7] = tail as [number, number, number, number, number, number, number, number];
  return f(f(f(s0 + s1) + f(s2 + s3)) + f(f(s4 + s5) + f(s6 + s7)));
}

/** y[yo..yo+n) += a · x[xo..xo+n), each element rounded as float32 would be. */
export function axpy(y: Float32Array, yo: number, a: number, x: Float32Array, xo: number, n: number): void {
  for (let i = 0; i < n; i++) y[yo + i] = f(y[yo + i]! + f(a * x[xo + i]!));
}
