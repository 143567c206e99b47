#include "losses.h"

#include <cmath>
#include <limits>

#include "activations.h"
#include "softmax.h"

namespace fastnn {

double mse_loss(float* dlogits, const float* logits, const float* target, std::size_t rows,
                std::size_t cols) {
  if (rows == 0) return 0;
  const std::size_t len = rows * cols;
  const double inv = 1.0 / static_cast<double>(rows);
  double total = 0;
  for (std::size_t i = 0; i < len; i++) {
    const double d = static_cast<double>(logits[i]) - target[i];
    total += d * d;
    if (dlogits) dlogits[i] = static_cast<float>(d * inv);
  }
  return (0.5 * total) / static_cast<double>(rows);
}

double sigmoid_cross_entropy_loss(float* dlogits, const float* logits, const float* target,
                                  std::size_t rows, std::size_t cols) {
  if (rows == 0) return 0;
  const std::size_t len = rows * cols;
  const double inv = 1.0 / static_cast<double>(rows);
  double total = 0;
  for (std::size_t i = 0; i < len; i++) {
    const double z = logits[i];
    const double r = target[i];
    // Softplus form: never overflows, equals −[r·log σ(z) + (1−r)·log(1−σ(z))].
    // (z > 0 ? z : 0) like Math.max, except Math.max(NaN, 0) is NaN: so is this,
    // because the log1p term is NaN too.
    total += (z > 0 ? z : 0.0) - z * r + std::log1p(std::exp(-std::fabs(z)));
    if (dlogits) dlogits[i] = static_cast<float>((sigmoid(z) - r) * inv);
  }
  return total / static_cast<double>(rows);
}

double softmax_cross_entropy_loss(float* dlogits, const float* logits, const float* target,
                                  std::size_t rows, std::size_t cols) {
  if (rows == 0) return 0;
  const double inv = 1.0 / static_cast<double>(rows);
  double total = 0;
  for (std::size_t i = 0; i < rows; i++) {
    const float* z = logits + i * cols;
    const float* r = target + i * cols;
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < cols; j++) {
      if (z[j] > max) max = z[j];
    }
    double sum_exp = 0, sum_r = 0;
    for (std::size_t j = 0; j < cols; j++) {
      sum_exp += std::exp(static_cast<double>(z[j]) - max);
      sum_r += r[j];
    }
    const double lse = max + std::log(sum_exp);
    for (std::size_t j = 0; j < cols; j++) {
      const double zj = z[j];
      const double rj = r[j];
      total += rj * (lse - zj);
      // softmax_j = exp(z_j − lse), kept in float64 until the store.
      if (dlogits) dlogits[i * cols + j] = static_cast<float>((std::exp(zj - lse) * sum_r - rj) * inv);
    }
  }
  return total / static_cast<double>(rows);
}

double loss_forward_backward(float* dlogits, const float* logits, const float* target,
                             std::size_t rows, std::size_t cols, Loss loss) {
  switch (loss) {
    case Loss::Mse: return mse_loss(dlogits, logits, target, rows, cols);
    case Loss::SigmoidCrossEntropy: return sigmoid_cross_entropy_loss(dlogits, logits, target, rows, cols);
    case Loss::SoftmaxCrossEntropy: return softmax_cross_entropy_loss(dlogits, logits, target, rows, cols);
  }
  return std::numeric_limits<double>::quiet_NaN();  // unreachable: codes are validated at the boundary
}

void output_transform(float* inout, std::size_t rows, std::size_t cols, Loss loss) {
  switch (loss) {
    case Loss::Mse: return;
    case Loss::SigmoidCrossEntropy: activation_forward(inout, inout, rows * cols, Activation::Sigmoid, 0); return;
    case Loss::SoftmaxCrossEntropy: softmax_rows(inout, inout, rows, cols); return;
  }
}

}  // namespace fastnn
