#include "metrics.h"

#include <algorithm>

namespace fastnn {

double metric_sum(const float* logits, const float* target, std::size_t rows, std::size_t cols, Metric metric) {
  double sum = 0;
  for (std::size_t i = 0; i < rows; i++) {
    const float* z = logits + i * cols;
    const float* r = target + i * cols;
    if (metric == Metric::BinaryAccuracy) {
      std::size_t right = 0;
      for (std::size_t j = 0; j < cols; j++) right += (z[j] >= 0) == (r[j] >= 0.5f);
      sum += static_cast<double>(right) / static_cast<double>(cols);
    } else if (metric == Metric::CategoricalAccuracy) {
      sum += (std::max_element(z, z + cols) - z) == (std::max_element(r, r + cols) - r) ? 1.0 : 0.0;
    }
  }
  return sum;
}

}  // namespace fastnn
