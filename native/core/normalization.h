// Normalisation of a hidden layer's pre-activations, then y = γ ⊙ x̂ + β
// with a learned gain γ and bias β per feature. The layer's linear map then
// has no bias of its own: β takes its place in its bias parameter.
// - Layer normalisation (Ba, Kiros & Hinton 2016), row by row:
//   x̂ = (z − μ_row)/√(σ²_row + ε); the same in training and inference.
//   Bias parameter [γ (cols), β (cols)].
// - Batch normalisation (Ioffe & Szegedy 2015), column by column: in
//   training x̂ = (z − μ_batch)/√(σ²_batch + ε) and the running statistics
//   move toward the batch's (momentum kBatchNormMomentum, unbiased variance,
//   as PyTorch); in inference x̂ = (z − running mean)/√(running var + ε).
//   Bias parameter [γ, β, running mean, running var] (4·cols): the running
//   statistics get a zero gradient, so no optimizer moves them.
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

constexpr double kBatchNormMomentum = 0.1;

// out (rows, cols) = γ ⊙ x̂ + β for z (rows, cols), params (4·cols). With
// training, x̂ uses the batch's statistics and batch_mean, batch_var (cols)
// receive its mean and unbiased variance for batch_norm_update_running;
// otherwise the running ones (batch_mean, batch_var unused). xhat (rows, cols)
// and inv_std (cols) receive x̂ and the scale applied, unless null. out may alias z.
void batch_norm_forward(float* out, float* xhat, float* inv_std, float* batch_mean, float* batch_var, const float* z,
                        const float* params, std::size_t rows, std::size_t cols, bool training);

// running ← (1 − m)·running + m·batch for the mean and the variance in params (4·cols).
void batch_norm_update_running(float* params, const float* batch_mean, const float* batch_var, std::size_t cols);

// dz (rows, cols) = ∂loss/∂z from dy, through the statistics when training
// (dz = s/N·(N·γdy − Σγdy − x̂·Σ(γdy ⊙ x̂)) per column, s = inv_std), as a
// fixed affine map otherwise (dz = s·γ·dy). d_params (4·cols) = [Σ dy ⊙ x̂,
// Σ dy, 0, 0], unless null. dz may alias dy.
void batch_norm_backward(float* dz, float* d_params, const float* dy, const float* xhat, const float* inv_std,
                         const float* params, std::size_t rows, std::size_t cols, bool training);

}  // namespace fastnn
