#include "losses.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "activations.h"
#include "dispatch.h"
#include "sigmoid_loss32.h"
#include "softmax.h"

namespace fastnn {

namespace {

// log(1 + e^x) without overflow: log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z).
double softplus(double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x))); }

// Elementwise losses share one loop: f returns the loss of one (z, r) pair
// and stores ∂/∂z in *g.
template <typename F>
double elementwise_loss(float* dlogits, const float* logits, const float* target, std::size_t rows, std::size_t cols,
                        F f) {
  const double inv = 1.0 / static_cast<double>(rows);
  double total = 0, g = 0;
  for (std::size_t i = 0; i < rows * cols; i++) {
    total += f(static_cast<double>(logits[i]), static_cast<double>(target[i]), &g);
    if (dlogits) dlogits[i] = static_cast<float>(g * inv);
  }
  return total * inv;
}

// The sigmoid-output losses: float32 at the vector width (sigmoid_loss32.h,
// a kernel of the instance's path, one call per chunk), the same bits on
// every path, on any number of threads and in TS. Chunks are shared over
// the pool by blocks of at most kBlockChunks (their sums on the stack),
// each thread a contiguous run of a block's chunks, and a block's sums
// added in order on the calling thread.
using SigmoidLossKernel = double (*)(float*, const float*, const float*, std::size_t, float);
double sigmoid_output_loss(SigmoidLossKernel kernel, float* dlogits, const float* logits, const float* target,
                           std::size_t rows, std::size_t cols, ThreadPool* pool) {
  constexpr std::size_t kBlockChunks = 64;
  const double inv = 1.0 / static_cast<double>(rows);
  const float scale = static_cast<float>(inv);
  const std::size_t n = rows * cols, chunks = (n + kLossChunk - 1) / kLossChunk;
  // Chunk c's sum, of elements [c·kLossChunk, min(n, (c + 1)·kLossChunk)).
  const auto chunk_sum = [&](std::size_t c) {
    const std::size_t e0 = c * kLossChunk, len = std::min(kLossChunk, n - e0);
    return kernel(dlogits != nullptr ? dlogits + e0 : nullptr, logits + e0, target + e0, len, scale);
  };
  double total = 0;
  double sums[kBlockChunks];
  for (std::size_t c0 = 0; c0 < chunks; c0 += kBlockChunks) {
    const std::size_t count = std::min(kBlockChunks, chunks - c0);
    const std::size_t parts = pool != nullptr ? std::min(pool->size(), count) : 1;
    if (parts == 1) {
      for (std::size_t c = 0; c < count; c++) sums[c] = chunk_sum(c0 + c);
    } else {
      pool->run(parts, [&](std::size_t part) {
        for (std::size_t c = count * part / parts; c < count * (part + 1) / parts; c++) sums[c] = chunk_sum(c0 + c);
      });
    }
    for (std::size_t c = 0; c < count; c++) total += sums[c];
  }
  return total * inv;
}

double mse(double z, double r, double* g) {
  *g = z - r;
  return 0.5 * (z - r) * (z - r);
}

// The subgradient at z = r is 0.
double l1(double z, double r, double* g) {
  const double d = z - r;
  *g = d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
  return std::fabs(d);
}

double poisson_nll(double z, double r, double* g) {
  const double rate = std::exp(z);
  *g = rate - r;
  return rate - r * z;
}

// Soft targets in [0, 1] are accepted: t = 2r − 1 in [−1, 1].
double hinge(double z, double r, double* g) {
  const double t = 2 * r - 1;
  const double margin = 1 - t * z;
  *g = margin > 0 ? -t : 0.0;
  return margin > 0 ? margin : 0.0;
}

// FL = −α·r·q^γ·log p − (1−α)(1−r)·p^γ·log q with p = σ(z), q = σ(−z) (q
// computed directly, not as 1 − p, which cancels for large z). Linear in r,
// so soft targets work. With dp/dz = p·q:
//   ∂/∂z [−q^γ log p] = q^γ (γ·p·log p − q),  ∂/∂z [−p^γ log q] = p^γ (p − γ·q·log q).
double focal(double z, double r, double gamma, double alpha, double* g) {
  const double p = sigmoid(z), q = sigmoid(-z);
  const double log_p = -softplus(-z), log_q = -softplus(z);
  const double qg = std::pow(q, gamma), pg = std::pow(p, gamma);
  *g = alpha * r * qg * (gamma * p * log_p - q) + (1 - alpha) * (1 - r) * pg * (p - gamma * q * log_q);
  return -alpha * r * qg * log_p - (1 - alpha) * (1 - r) * pg * log_q;
}

// Per row, target weight c_j = w_j·((1 − ε)·r_j + ε·Σr/K) (ε spreads the
// row's mass uniformly; w_j = 1 without class weights); loss Σ_j c_j·(lse − z_j),
// gradient softmax_j·Σc − c_j (exact also when Σc ≠ 1).
double softmax_ce(float* dlogits, const float* logits, const float* target, std::size_t rows, std::size_t cols,
                  const LossParams& p) {
  const double inv = 1.0 / static_cast<double>(rows);
  const double eps = p.smoothing;
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
    const double spread = eps * sum_r / static_cast<double>(cols);
    auto weight = [&](std::size_t j) {
      const double c = (1 - eps) * r[j] + spread;
      return p.class_weights ? c * p.class_weights[j] : c;
    };
    double sum_c = 0;
    for (std::size_t j = 0; j < cols; j++) sum_c += weight(j);
    for (std::size_t j = 0; j < cols; j++) {
      const double zj = z[j], cj = weight(j);
      total += cj * (lse - zj);
      // softmax_j = exp(z_j − lse), kept in float64 until the store.
      if (dlogits) dlogits[i * cols + j] = static_cast<float>((std::exp(zj - lse) * sum_c - cj) * inv);
    }
  }
  return total * inv;
}

// Row layout: cols = 2m logits [μ_1..μ_m, s_1..s_m], target (rows, m).
// ∂/∂μ = (μ − r)e^−s, ∂/∂s = ½(1 − (μ − r)²e^−s). The constant ½log 2π is
// left out, as PyTorch's GaussianNLLLoss does by default.
double gaussian_nll(float* dlogits, const float* logits, const float* target, std::size_t rows, std::size_t cols) {
  const double inv = 1.0 / static_cast<double>(rows);
  const std::size_t m = cols / 2;
  double total = 0;
  for (std::size_t i = 0; i < rows; i++) {
    for (std::size_t j = 0; j < m; j++) {
      const double mu = logits[i * cols + j], s = logits[i * cols + m + j];
      const double d = mu - target[i * m + j], e = std::exp(-s);
      total += 0.5 * (s + d * d * e);
      if (dlogits) {
        dlogits[i * cols + j] = static_cast<float>(d * e * inv);
        dlogits[i * cols + m + j] = static_cast<float>(0.5 * (1 - d * d * e) * inv);
      }
    }
  }
  return total * inv;
}

// Weston–Watkins: the true class y (the row's largest target) must beat every
// other class by a margin of 1.
double multiclass_hinge(float* dlogits, const float* logits, const float* target, std::size_t rows, std::size_t cols) {
  const double inv = 1.0 / static_cast<double>(rows);
  double total = 0;
  for (std::size_t i = 0; i < rows; i++) {
    const float* z = logits + i * cols;
    const float* r = target + i * cols;
    const std::size_t y = static_cast<std::size_t>(std::max_element(r, r + cols) - r);
    double gy = 0;
    for (std::size_t j = 0; j < cols; j++) {
      const double margin = j == y ? 0.0 : 1 + static_cast<double>(z[j]) - z[y];
      const bool active = margin > 0;
      total += active ? margin : 0.0;
      gy -= active ? 1.0 : 0.0;
      if (dlogits && j != y) dlogits[i * cols + j] = static_cast<float>((active ? 1.0 : 0.0) * inv);
    }
    if (dlogits) dlogits[i * cols + y] = static_cast<float>(gy * inv);
  }
  return total * inv;
}

}  // namespace

std::size_t loss_target_cols(Loss loss, std::size_t cols) { return loss == Loss::GaussianNll ? cols / 2 : cols; }

double loss_forward_backward(float* dlogits, const float* logits, const float* target, std::size_t rows,
                             std::size_t cols, Loss loss, const LossParams& p, ThreadPool* pool) {
  if (rows == 0) return 0;
  switch (loss) {
    case Loss::Mse: return elementwise_loss(dlogits, logits, target, rows, cols, mse);
    case Loss::SigmoidCrossEntropy:
      return sigmoid_output_loss(kernel_set(initial_kernel_path()).sigmoid_ce, dlogits, logits, target, rows, cols,
                                 pool);
    case Loss::SoftmaxCrossEntropy: return softmax_ce(dlogits, logits, target, rows, cols, p);
    case Loss::L1: return elementwise_loss(dlogits, logits, target, rows, cols, l1);
    case Loss::Huber:
      return elementwise_loss(dlogits, logits, target, rows, cols, [&](double z, double r, double* g) {
        const double d = z - r, a = std::fabs(d);
        *g = std::clamp(d, -p.delta, p.delta);
        return a <= p.delta ? 0.5 * d * d : p.delta * (a - 0.5 * p.delta);
      });
    case Loss::GaussianNll: return gaussian_nll(dlogits, logits, target, rows, cols);
    case Loss::PoissonNll: return elementwise_loss(dlogits, logits, target, rows, cols, poisson_nll);
    case Loss::Focal:
      return elementwise_loss(dlogits, logits, target, rows, cols,
                              [&](double z, double r, double* g) { return focal(z, r, p.gamma, p.alpha, g); });
    case Loss::Hinge: return elementwise_loss(dlogits, logits, target, rows, cols, hinge);
    case Loss::MulticlassHinge: return multiclass_hinge(dlogits, logits, target, rows, cols);
    case Loss::SigmoidMse:
      return sigmoid_output_loss(kernel_set(initial_kernel_path()).sigmoid_mse, dlogits, logits, target, rows, cols,
                                 pool);
  }
  return std::numeric_limits<double>::quiet_NaN();  // unreachable: codes are validated at the boundary
}

void output_transform(float* inout, std::size_t rows, std::size_t cols, Loss loss) {
  switch (loss) {
    case Loss::SigmoidCrossEntropy:
    case Loss::SigmoidMse:
    case Loss::Focal: activation_forward(inout, inout, rows * cols, Activation::Sigmoid, 0); return;
    case Loss::SoftmaxCrossEntropy: softmax_rows(inout, inout, rows, cols); return;
    case Loss::PoissonNll:
      for (std::size_t i = 0; i < rows * cols; i++)
        inout[i] = static_cast<float>(std::exp(static_cast<double>(inout[i])));
      return;
    case Loss::GaussianNll:
      for (std::size_t i = 0; i < rows; i++) {
        float* v = inout + i * cols + cols / 2;
        for (std::size_t j = 0; j < cols / 2; j++) v[j] = static_cast<float>(std::exp(static_cast<double>(v[j])));
      }
      return;
    default: return;  // identity outputs
  }
}

}  // namespace fastnn
