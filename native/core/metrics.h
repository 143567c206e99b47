// Accuracy metrics computed from the logits during training and validation,
// so the history has them without an extra pass.
#pragma once

#include <cstddef>

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Metric`).
enum class Metric : int {
  None = 0,
  BinaryAccuracy = 1,       // per element: (z ≥ 0) == (r ≥ 0.5); sigmoid, focal and hinge outputs alike
  CategoricalAccuracy = 2,  // per row: argmax z == argmax r (first maximum)
};
constexpr int kMetricCount = 3;

// Σ over rows of the row's score in [0, 1] (the fraction of its labels right,
// or 1/0 for its class) for logits (rows,cols) against target (rows,cols).
double metric_sum(const float* logits, const float* target, std::size_t rows, std::size_t cols, Metric metric);

}  // namespace fastnn
