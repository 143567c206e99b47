// The extra terms of representation learning (autoencoders), applied inside
// the fused train step: input corruption (denoising), the KL sparsity penalty
// on a code layer, and tied weights. Mirrored by src/backend/js/autoencoder-terms.ts
// with the same arithmetic and the same order of random draws.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "rng.h"

namespace fastnn {

// β·Σⱼ KL(ρ‖ρ̂ⱼ) on the batch-mean activation ρ̂ of hidden layer `layer` (its
// activations must be sigmoid, so ρ̂ ∈ (0, 1)); layer < 0 means off.
struct Sparsity {
  long layer = -1;
  double rho = 0.05;
  double beta = 0;
};

// Tied weights: for each pair (e, d), W(d) = W(e)ᵀ. Both matrices are stored
// and receive the same folded gradient, so every optimizer keeps them equal.
using TiedPairs = std::vector<std::pair<std::size_t, std::size_t>>;

enum class NoiseType : int { None = 0, Mask = 1, Gaussian = 2 };
constexpr int kNoiseTypeCount = 3;

struct InputNoise {
  NoiseType type = NoiseType::None;
  double level = 0;  // Mask: fraction zeroed, in [0, 1); Gaussian: σ ≥ 0
};

// Corrupts x (n) in place: Mask zeroes an entry when a uniform draw is below
// level (one draw per entry); Gaussian adds level·N(0,1) by Box–Muller (two
// draws per entry, cos branch only, so the draw count is fixed).
void corrupt_input(float* x, std::size_t n, const InputNoise& noise, Rng& rng);

// rho_hat (cols) = column means of a (rows, cols) in float64, clamped into
// [1e-7, 1 − 1e-7] so the logs stay finite; returns β·Σⱼ KL(ρ‖ρ̂ⱼ).
double sparsity_penalty(double* rho_hat, const float* a, std::size_t rows, std::size_t cols, const Sparsity& s);

// da (rows, cols) += β/rows·(−ρ/ρ̂ⱼ + (1−ρ)/(1−ρ̂ⱼ)): the penalty's gradient
// with respect to each activation (each row contributes 1/rows of ρ̂ⱼ).
void sparsity_backward(float* da, const double* rho_hat, std::size_t rows, std::size_t cols, const Sparsity& s);

// For a pair (e, d) with W(e) (out, in) and W(d) (in, out): g(e) += g(d)ᵀ, then
// g(d) = g(e)ᵀ — the gradient of the one shared matrix, seen from both sides.
void fold_tied_gradient(float* ge, float* gd, std::size_t out, std::size_t in);

}  // namespace fastnn
