#include "elementwise.h"

#include <algorithm>

namespace fastnn {

void bias_add(float* out, const float* bias, std::size_t rows, std::size_t cols, std::size_t ld) {
  for (std::size_t i = 0; i < rows; i++) {
    float* o = out + i * ld;
    for (std::size_t j = 0; j < cols; j++) o[j] += bias[j];
  }
}

void col_sum(float* out, const float* inp, std::size_t rows, std::size_t cols, std::size_t ld) {
  // Column tiles with a float64 accumulator on the stack: rows are walked
  // contiguously and nothing is allocated.
  constexpr std::size_t kTile = 256;
  double acc[kTile];
  for (std::size_t j0 = 0; j0 < cols; j0 += kTile) {
    const std::size_t w = std::min(kTile, cols - j0);
    std::fill(acc, acc + w, 0.0);
    for (std::size_t i = 0; i < rows; i++) {
      const float* r = inp + i * ld + j0;
      for (std::size_t j = 0; j < w; j++) acc[j] += r[j];
    }
    for (std::size_t j = 0; j < w; j++) out[j0 + j] = static_cast<float>(acc[j]);
  }
}

}  // namespace fastnn
