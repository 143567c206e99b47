// The float32 vector maths of the word2vec trainer and queries, written so
// that src/word2vec/vecmath.ts reproduces every result bit for bit: each
// product and sum is rounded to float (no FMA contraction: the build is ISO
// C++17, where GCC and Clang keep a*b+c as two roundings, and baseline x86-64
// has no FMA), and the dot product sums lane i%8 into accumulator i%8, then
// combines the 8 partial sums in a fixed tree. 8 independent accumulators
// also let the compiler vectorise without -ffast-math.
#pragma once

#include <cstddef>

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
inline void Axpy(float* y, float a, const float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; i++) y[i] += a * x[i];
}

}  // namespace fastnn::word2vec
