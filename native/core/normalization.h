// Layer normalisation (Ba, Kiros & Hinton 2016) of a hidden layer's
// pre-activations, row by row: x̂ = (z − μ)/√(σ² + ε) over the row's
// features, then y = γ ⊙ x̂ + β with a learned gain γ and bias β per feature.
// The same in training and inference (no batch statistics). The layer's
// linear map then has no bias of its own: β takes its place, and the bias
// parameter of a normalised layer holds [γ (cols), β (cols)].
// Mirrored by src/backend/js/normalization.ts (same names, argument order
// and float64 accumulation order), so both backends agree bit for bit.
#pragma once

#include <cstddef>

namespace fastnn {

constexpr double kLayerNormEps = 1e-5;

// out (rows, cols) = γ ⊙ x̂ + β for z (rows, cols), gain_bias (2·cols) = [γ, β].
// xhat (rows, cols) and inv_std (rows) receive x̂ and 1/√(σ² + ε) for
// backward, unless null (inference). out may alias z.
void layer_norm_forward(float* out, float* xhat, float* inv_std, const float* z, const float* gain_bias,
                        std::size_t rows, std::size_t cols);

// dz (rows, cols) = ∂loss/∂z from dy (rows, cols) = ∂loss/∂out, with what
// forward saved: per row dz = s·(g − mean(g) − x̂·mean(g ⊙ x̂)), g = γ ⊙ dy,
// s = inv_std. d_gain_bias (2·cols) = [Σ_rows dy ⊙ x̂, Σ_rows dy], unless
// null. dz may alias dy.
void layer_norm_backward(float* dz, float* d_gain_bias, const float* dy, const float* xhat, const float* inv_std,
                         const float* gain_bias, std::size_t rows, std::size_t cols);

}  // namespace fastnn
