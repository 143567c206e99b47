// Losses on the logits, a small enum-dispatched family as in fastText's
// loss.h: each function returns the MEAN over rows of the per-row loss
// (summed in float64) and, when dlogits is not null, writes ∂loss/∂logits.
// With rows = 0 the loss is 0 and nothing is written. dlogits may alias
// logits or target (each element is read before it is overwritten).
#pragma once

#include "strict_float.h"

#include <cstddef>

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Loss`).
enum class Loss : int { Mse = 0, SigmoidCrossEntropy = 1, SoftmaxCrossEntropy = 2 };
constexpr int kLossCount = 3;

// logits (rows,cols), target (rows,cols) -> mean ½Σ(z−r)²; dlogits = (z−r)/rows.
double mse_loss(float* dlogits, const float* logits, const float* target, std::size_t rows,
                std::size_t cols);

// logits (rows,cols), target (rows,cols) -> mean Σ [max(z,0) − z·r + log1p(e^−|z|)];
// dlogits = (σ(z) − r)/rows.
double sigmoid_cross_entropy_loss(float* dlogits, const float* logits, const float* target,
                                  std::size_t rows, std::size_t cols);

// logits (rows,cols), target (rows,cols) -> mean Σ_j r_j·(lse − z_j);
// dlogits = (softmax(z)_j·Σ_j r_j − r_j)/rows (exact also when Σ r ≠ 1).
double softmax_cross_entropy_loss(float* dlogits, const float* logits, const float* target,
                                  std::size_t rows, std::size_t cols);

// Dispatch on the loss code; shapes as above.
double loss_forward_backward(float* dlogits, const float* logits, const float* target,
                             std::size_t rows, std::size_t cols, Loss loss);

// The output layer each loss implies, applied in place to logits (rows,cols):
// identity for mse, sigmoid for sigmoidCrossEntropy, softmax for softmaxCrossEntropy.
void output_transform(float* inout, std::size_t rows, std::size_t cols, Loss loss);

}  // namespace fastnn
