// Elementwise activations. Backward passes take the OUTPUT y = f(s), which
// every supported activation allows, so training need not keep s.
#pragma once

#include "strict_float.h"

#include <cmath>
#include <cstddef>

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Activation`).
enum class Activation : int { Identity = 0, Sigmoid = 1, Tanh = 2, Relu = 3, LeakyRelu = 4 };
constexpr int kActivationCount = 5;

// Numerically stable logistic: never evaluates exp of a positive number.
inline double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

// d·σ'(s) written through y = σ(s), in float64 and rounded once: each
// element of activation_backward's sigmoid, shared with tiny_step.cc.
inline float sigmoid_backward(float d, float y) {
  const double yd = y;
  return static_cast<float>(d * (yd * (1 - yd)));
}

// out (n) = f(inp (n)); out may be inp. leaky_slope is used by LeakyRelu only.
void activation_forward(float* out, const float* inp, std::size_t n, Activation act, double leaky_slope);

// dinp (n) = dout (n) ⊙ f'(s) with f' written through out = f(s) (n); dinp may be dout.
void activation_backward(float* dinp, const float* dout, const float* out, std::size_t n, Activation act,
                         double leaky_slope);

}  // namespace fastnn
