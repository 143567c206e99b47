#include "activations.h"

#include <cmath>

namespace fastnn {

// Elementwise maths is done in float64 and rounded once on store, like the
// TS backend, so both agree to the last bit wherever libm does.
void activation_forward(float* out, const float* inp, std::size_t n, Activation act,
                        double leaky_slope) {
  switch (act) {
    case Activation::Identity:
      if (out != inp) {
        for (std::size_t i = 0; i < n; i++) out[i] = inp[i];
      }
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; i++) out[i] = static_cast<float>(sigmoid(inp[i]));
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(inp[i])));
      return;
    case Activation::Relu:
      // `x < 0`, not `x > 0`: NaN must propagate.
      for (std::size_t i = 0; i < n; i++) out[i] = inp[i] < 0 ? 0.0f : inp[i];
      return;
    case Activation::LeakyRelu:
      for (std::size_t i = 0; i < n; i++) {
        const float x = inp[i];
        out[i] = x < 0 ? static_cast<float>(leaky_slope * x) : x;
      }
      return;
  }
}

void activation_backward(float* dinp, const float* dout, const float* out, std::size_t n,
                         Activation act, double leaky_slope) {
  switch (act) {
    case Activation::Identity:
      if (dinp != dout) {
        for (std::size_t i = 0; i < n; i++) dinp[i] = dout[i];
      }
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; i++) {
        const double y = out[i];
        dinp[i] = static_cast<float>(dout[i] * (y * (1 - y)));
      }
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; i++) {
        const double y = out[i];
        dinp[i] = static_cast<float>(dout[i] * (1 - y * y));
      }
      return;
    case Activation::Relu:
      // 0·dout rather than 0 so a NaN or ∞ gradient is not silently dropped;
      // a multiply by 1 or 0 rather than a branch, which the signs of a
      // layer's outputs would mispredict half the time (and which does not vectorise).
      for (std::size_t i = 0; i < n; i++) dinp[i] = dout[i] * (out[i] > 0 ? 1.0f : 0.0f);
      return;
    case Activation::LeakyRelu:
      // 1·dout in float64 rounds back to dout exactly.
      for (std::size_t i = 0; i < n; i++) {
        dinp[i] = static_cast<float>(dout[i] * (out[i] > 0 ? 1.0 : leaky_slope));
      }
      return;
  }
}

}  // namespace fastnn
