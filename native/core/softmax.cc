#include "softmax.h"

#include <cmath>
#include <limits>

namespace fastnn {

void softmax_rows(float* out, const float* inp, std::size_t rows, std::size_t cols) {
  for (std::size_t i = 0; i < rows; i++) {
    const float* x = inp + i * cols;
    float* o = out + i * cols;
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < cols; j++) {
      if (x[j] > max) max = x[j];
    }
    // The exps are stored as float32 (out doubles as scratch) and summed in
    // float64 — the TS backend does exactly this, so both round alike.
    double sum = 0;
    for (std::size_t j = 0; j < cols; j++) {
      const float e = static_cast<float>(std::exp(static_cast<double>(x[j]) - max));
      o[j] = e;
      sum += e;
    }
    for (std::size_t j = 0; j < cols; j++) o[j] = static_cast<float>(o[j] / sum);
  }
}

}  // namespace fastnn
