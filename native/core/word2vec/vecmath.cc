#include "vecmath.h"

// On x86-64 Linux (GCC, Clang) each function is also compiled for AVX2 —
// without FMA, so the roundings stay those of the TS twin — and the loader
// picks the clone the CPU supports (ifunc); elsewhere, the portable build.
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define FASTNN_W2V_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FASTNN_W2V_CLONES
#endif

namespace fastnn::word2vec {

FASTNN_W2V_CLONES float Dot(const float* x, const float* y, std::size_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) s[j] += x[i + j] * y[i + j];
  }
  for (int j = 0; i < n; i++, j++) s[j] += x[i] * y[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

FASTNN_W2V_CLONES void Axpy(float* y, float a, const float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; i++) y[i] += a * x[i];
}

FASTNN_W2V_CLONES void GradAndUpdate(float* __restrict grad, float* __restrict out, const float* __restrict in, float g,
                                     std::size_t n) {
  for (std::size_t i = 0; i < n; i++) {
    const float o = out[i];
    grad[i] += g * o;
    out[i] = o + g * in[i];
  }
}

}  // namespace fastnn::word2vec
