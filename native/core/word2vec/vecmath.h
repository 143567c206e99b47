// The float32 vector maths of the word2vec trainer and queries, written so
// that src/backend/js/word2vec/vecmath.ts reproduces every result bit for bit: each
// product and sum is rounded to float (no FMA contraction: the build passes
// -ffp-contract=off), and the dot product sums lane i%8 into accumulator i%8,
// then combines the 8 partial sums in a fixed tree.
// Inline, so the trainer's hot loop has no call per row: the callers that
// matter (sentence.cc) are compiled once per instruction set and each copy
// vectorises these loops for its own registers (8 independent accumulators
// need no -ffast-math: two SSE registers, one AVX register; same results).
#pragma once

#include <cstddef>

// A function that runs these loops in bulk is compiled once per instruction
// set with this attribute (on x86-64 Linux with GCC or Clang) and the loader
// picks the copy the CPU supports (ifunc): one indirect call per sentence or
// query, not per row. AVX-512 and AVX2 without FMA, so roundings stay those
// of the TS twin; elsewhere, the portable build.
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define FASTNN_W2V_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FASTNN_W2V_CLONES
#endif

namespace fastnn::word2vec {

inline float Dot(const float* x, const float* y, std::size_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) s[j] += x[i + j] * y[i + j];
  }
  for (int j = 0; i < n; i++, j++) s[j] += x[i] * y[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// y (n) += a * x (n)
inline void Axpy(float* __restrict y, float a, const float* __restrict x, std::size_t n) {
  for (std::size_t i = 0; i < n; i++) y[i] += a * x[i];
}

// One output-row update of the trainer, fused into one pass:
// grad (n) += g · out (n), using out before its update, then out (n) += g · in (n).
// Same roundings as two Axpy calls in that order; the arrays must not overlap.
inline void GradAndUpdate(float* __restrict grad, float* __restrict out, const float* __restrict in, float g,
                          std::size_t n) {
  for (std::size_t i = 0; i < n; i++) {
    const float o = out[i];
    grad[i] += g * o;
    out[i] = o + g * in[i];
  }
}

}  // namespace fastnn::word2vec
