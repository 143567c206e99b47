#include "autoencoder_terms.h"

#include <algorithm>
#include <cmath>

namespace fastnn {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kRhoClamp = 1e-7;

// Uniform in [0, 1), a multiple of 2⁻²⁴: src/rng.ts uniform().
double uniform(Rng& rng) { return static_cast<double>(rng.next_u32() >> 8) * 5.9604644775390625e-8; }

}  // namespace

void corrupt_input(float* x, std::size_t n, const InputNoise& noise, Rng& rng) {
  if (noise.type == NoiseType::Mask) {
    for (std::size_t i = 0; i < n; i++) {
      if (uniform(rng) < noise.level) x[i] = 0;
    }
  } else if (noise.type == NoiseType::Gaussian) {
    for (std::size_t i = 0; i < n; i++) {
      // 1 − u ∈ (0, 1], so the log is finite.
      const double u1 = 1.0 - uniform(rng), u2 = uniform(rng);
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
      x[i] = static_cast<float>(static_cast<double>(x[i]) + noise.level * z);
    }
  }
}

double sparsity_penalty(double* rho_hat, const float* a, std::size_t rows, std::size_t cols, const Sparsity& s) {
  std::fill(rho_hat, rho_hat + cols, 0.0);
  for (std::size_t r = 0; r < rows; r++) {
    for (std::size_t j = 0; j < cols; j++) rho_hat[j] += a[r * cols + j];
  }
  double kl = 0;
  for (std::size_t j = 0; j < cols; j++) {
    const double q = std::clamp(rho_hat[j] / static_cast<double>(rows), kRhoClamp, 1 - kRhoClamp);
    rho_hat[j] = q;
    kl += s.rho * std::log(s.rho / q) + (1 - s.rho) * std::log((1 - s.rho) / (1 - q));
  }
  return s.beta * kl;
}

void sparsity_backward(float* da, const double* rho_hat, std::size_t rows, std::size_t cols, const Sparsity& s) {
  for (std::size_t j = 0; j < cols; j++) {
    const double q = rho_hat[j];
    const double g = s.beta / static_cast<double>(rows) * (-s.rho / q + (1 - s.rho) / (1 - q));
    for (std::size_t r = 0; r < rows; r++) da[r * cols + j] = static_cast<float>(da[r * cols + j] + g);
  }
}

void fold_tied_gradient(float* ge, float* gd, std::size_t out, std::size_t in) {
  // ge is (out, in), gd is (in, out).
  for (std::size_t o = 0; o < out; o++) {
    for (std::size_t i = 0; i < in; i++) ge[o * in + i] += gd[i * out + o];
  }
  for (std::size_t o = 0; o < out; o++) {
    for (std::size_t i = 0; i < in; i++) gd[i * out + o] = ge[o * in + i];
  }
}

}  // namespace fastnn
