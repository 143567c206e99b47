// Losses on the logits (the last layer's pre-activation), a small
// enum-dispatched family as in fastText's loss.h: each function returns the
// MEAN over rows of the per-row loss (summed over columns, in float64) and,
// when dlogits is not null, writes ∂loss/∂logits. Computed in float64 and
// the gradient rounded once, except the sigmoid output's cross-entropy and
// squared error: float32 at the vector width, the same bits on every path
// and in TS (sigmoid_loss32.h).
// With rows = 0 the loss is 0 and nothing is written. dlogits may alias
// logits (each element is read before it is written) but not target.
//
// Shapes: logits and dlogits (rows, cols); target (rows, loss_target_cols),
// which is cols for every loss but GaussianNll (two heads per target).
#pragma once

#include "strict_float.h"

#include <cstddef>

#include "thread_pool.h"

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Loss`).
enum class Loss : int {
  Mse = 0,                  // ½Σ(z − r)²; identity output
  SigmoidCrossEntropy = 1,  // binary / multilabel BCE on logits; sigmoid output
  SoftmaxCrossEntropy = 2,  // optional class weights and label smoothing; softmax output
  L1 = 3,                   // Σ|z − r|
  Huber = 4,                // ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond
  GaussianNll = 5,          // heads (mean μ, log-variance s): ½Σ[s + (r − μ)²e^−s]
  PoissonNll = 6,           // z = log-rate: Σ[e^z − r·z]; exp output
  Focal = 7,                // sigmoid focal loss (γ, α); sigmoid output
  Hinge = 8,                // binary margin, r ∈ {0,1} → t = 2r − 1: max(0, 1 − t·z)
  MulticlassHinge = 9,      // Σ_{j≠y} max(0, 1 + z_j − z_y), y = argmax r
  SigmoidMse = 10,          // ½Σ(σ(z) − r)²; sigmoid output (the classic autoencoder)
};
constexpr int kLossCount = 11;

// Parameters of the losses that have some; the others ignore them.
struct LossParams {
  double delta = 1;                      // Huber threshold, > 0
  double gamma = 2;                      // focal focusing, ≥ 0
  double alpha = 0.25;                   // focal weight of positives, in [0, 1]
  double smoothing = 0;                  // softmax CE label smoothing ε in [0, 1)
  const float* class_weights = nullptr;  // softmax CE: (cols) weights ≥ 0, or null
};

// Target columns for `cols` logits: cols / 2 for GaussianNll, else cols.
std::size_t loss_target_cols(Loss loss, std::size_t cols);

// Dispatch on the loss code. The formulas and gradients are in losses.cc.
// pool (null: the calling thread alone) shares a sigmoid-output loss of
// more than one chunk (sigmoid_loss32.h kLossChunk) chunk by chunk: an
// autoencoder's 64 × 784 output takes ~50 µs on one core (~1 ns an
// element: its exponential and division), a pool job 1–3 µs. The result
// does not depend on the pool.
double loss_forward_backward(float* dlogits, const float* logits, const float* target, std::size_t rows,
                             std::size_t cols, Loss loss, const LossParams& params, ThreadPool* pool = nullptr);

// The output layer each loss implies, applied in place to logits (rows,cols):
// identity (Mse, L1, Huber, hinges), sigmoid (BCE, Focal, SigmoidMse), softmax, exp
// (PoissonNll: the rate), and for GaussianNll the means unchanged and the
// log-variances turned into variances.
void output_transform(float* inout, std::size_t rows, std::size_t cols, Loss loss);

}  // namespace fastnn
