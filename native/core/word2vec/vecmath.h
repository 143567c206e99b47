// The float32 vector maths of the word2vec trainer and queries, written so
// that src/backend/js/word2vec/vecmath.ts reproduces every result bit for bit: each
// product and sum is rounded to float (no FMA contraction: the build is ISO
// C++17, where GCC and Clang keep a*b+c as two roundings, and the AVX2 clone
// below is compiled without the FMA extension), and the dot product sums lane
// i%8 into accumulator i%8, then combines the 8 partial sums in a fixed tree.
// 8 independent accumulators also let the compiler vectorise without
// -ffast-math: two SSE registers on baseline x86-64, one AVX register in the
// AVX2 clone (picked at load time on CPUs that have it; same results).
#pragma once

#include <cstddef>

namespace fastnn::word2vec {

float Dot(const float* x, const float* y, std::size_t n);

// y (n) += a * x (n)
void Axpy(float* y, float a, const float* x, std::size_t n);

// One output-row update of the trainer, fused into one pass:
// grad (n) += g · out (n), using out before its update, then out (n) += g · in (n).
// Same roundings as two Axpy calls in that order; the arrays must not overlap.
void GradAndUpdate(float* grad, float* out, const float* in, float g, std::size_t n);

}  // namespace fastnn::word2vec
