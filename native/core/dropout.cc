#include "dropout.h"

namespace fastnn {

void dropout_forward(float* out, float* mask, const float* a, std::size_t n, double rate, Rng& rng) {
  // The scale is rounded to float once, so every kept entry gets the same factor in both backends.
  const float scale = static_cast<float>(1.0 / (1.0 - rate));
  for (std::size_t i = 0; i < n; i++) {
    mask[i] = rng.uniform() < rate ? 0.0f : scale;
    out[i] = a[i] * mask[i];
  }
}

void dropout_backward(float* dx, const float* dout, const float* mask, std::size_t n) {
  for (std::size_t i = 0; i < n; i++) dx[i] = dout[i] * mask[i];
}

}  // namespace fastnn
