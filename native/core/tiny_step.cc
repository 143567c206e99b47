#include "tiny_step.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "activations.h"
#include "gemm.h"
#include "losses.h"
#include "sgd.h"
#include "sgd_rank1.h"
#include "sigmoid32.h"
#include "sigmoid_loss32.h"

namespace fastnn {

namespace {

// z (n) ← f(z + b) for a hidden layer: sigmoid units inline, in one loop
// with the bias (the bits of adding it, then of the vector kernel
// activation_forward runs), the others through it.
void add_bias_activate(float* z, const float* b, std::size_t n, Activation act, double leaky_slope) {
  if (act != Activation::Sigmoid) {
    for (std::size_t j = 0; j < n; j++) z[j] += b[j];
    activation_forward(z, z, n, act, leaky_slope);
    return;
  }
  for (std::size_t j = 0; j < n; j++) z[j] = sigmoid32(z[j] + b[j]);
}

// The loss of one row's logits z (k) against targets r, ∂loss/∂z into g:
// loss_forward_backward's value and bits for rows = 1. The sigmoid-output
// losses inline, their float64 terms summed in sigmoid_loss32.h's lane order
// (k ≤ kTinyWidth: one chunk, whose sum added to +0 is itself; the mean over
// one row divides by 1 and scales by 1, which changes no bit).
double output_loss(float* g, const float* z, const float* r, std::size_t k, const NetworkView& net) {
  if (net.loss != Loss::SigmoidMse && net.loss != Loss::SigmoidCrossEntropy) {
    return loss_forward_backward(g, z, r, 1, k, net.loss, net.loss_params);
  }
  const bool mse = net.loss == Loss::SigmoidMse;
  // Only the lanes k uses (loss_lanes_sum reads no other): zeroing all 16 was a visible part of XOR's step.
  double lanes[kLossLanes];
  std::fill_n(lanes, std::min(k, kLossLanes), 0.0);
  for (std::size_t i = 0; i < k; i++) {
    lanes[i % kLossLanes] += mse ? sigmoid_mse32(z[i], r[i], 1.0f, g + i) : sigmoid_ce32(z[i], r[i], 1.0f, g + i);
  }
  return loss_lanes_sum(lanes, k);
}

// |value|'s bits from here up are ∞ and NaN.
constexpr std::uint32_t kNonFiniteBits = 0x7f800000u;

inline std::uint32_t abs_bits(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits & 0x7fffffffu;
}

// Loops over a few elements each, left scalar and not turned into memcpy
// calls: their vector loops' checks and set-up cost more than the
// arithmetic. GCC alone takes per-function optimisation settings.
#if defined(__GNUC__) && !defined(__clang__)
#define FASTNN_FEW_ELEMENTS __attribute__((optimize("no-tree-vectorize", "no-tree-loop-distribute-patterns")))
#else
#define FASTNN_FEW_ELEMENTS
#endif

// A layer's weights w (out, in) and biases b (out) ← their rank1_new_weight
// (inputs a (in), deltas dz (out); biases have input 1 and no decay), the
// old values into w_old and b_old. Returns the largest |new value| as bits.
FASTNN_FEW_ELEMENTS std::uint32_t replace_layer(float* __restrict w, float* __restrict b, float* __restrict w_old,
                                                float* __restrict b_old, const float* __restrict a,
                                                const float* __restrict dz, std::size_t out, std::size_t in, float lr,
                                                float decay) {
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < out; i++) {
    const float d = dz[i];
    for (std::size_t j = 0; j < in; j++) {
      const float old = w[i * in + j];
      const float value = rank1_new_weight(old, d, a[j], lr, decay);
      w_old[i * in + j] = old;
      w[i * in + j] = value;
      top = std::max(top, abs_bits(value));
    }
    const float value = rank1_new_weight(b[i], d, 1.0f, lr, 0.0f);
    b_old[i] = b[i];
    b[i] = value;
    top = std::max(top, abs_bits(value));
  }
  return top;
}

}  // namespace

bool TinyStep::applies(const NetworkView& net, const FitConfig& cfg) {
  const bool narrow = std::all_of(net.sizes.begin(), net.sizes.end(), [](std::size_t w) { return w <= kTinyWidth; });
  return narrow && cfg.batch_size == 1 && cfg.comm == nullptr && cfg.input_noise.type == NoiseType::None &&
         net.sparsity.layer < 0 && Rank1Sgd::applies(net, cfg.optimizer, 1);
}

double TinyStep::pass(BatchWorkspace& ws, const NetworkView& net, const float* x, const float* y, std::uint32_t row) {
  const std::size_t layers = net.sizes.size() - 1, in = net.sizes.front(), t = target_cols(net);
  float* xb = ws.xb.data();
  float* yb = ws.yb.data();
  for (std::size_t j = 0; j < in; j++) xb[j] = x[row * in + j];  // row checked below n at the boundary
  for (std::size_t j = 0; j < t; j++) yb[j] = y[row * t + j];
  const KernelSet& ks = kernel_set(net.gemm.path);
  const float* a = xb;
  for (std::size_t l = 0; l < layers; l++) {
    const std::size_t out = net.sizes[l + 1];
    float* z = ws.acts[l];
    const float* b = net.params[2 * l + 1];
    gemm_row(z, a, net.params[2 * l], out, net.sizes[l], true, ks);
    if (l + 1 < layers) {
      add_bias_activate(z, b, out, net.hidden[l], net.leaky_slope);
    } else {
      for (std::size_t j = 0; j < out; j++) z[j] += b[j];
    }
    a = z;
  }
  const double loss = output_loss(ws.deltas.back(), ws.acts.back(), yb, net.sizes.back(), net);
  if (!std::isfinite(loss)) return loss;
  for (std::size_t l = layers - 1; l > 0; l--) {
    // dz(l−1) = (dz(l) · W(l)) ⊙ f'(a(l−1)), W(l) stored (out, in).
    float* d_prev = ws.deltas[l - 1];
    const std::size_t width = net.sizes[l];
    gemm_row(d_prev, ws.deltas[l], net.params[2 * l], width, net.sizes[l + 1], false, ks);
    const float* y = ws.acts[l - 1];
    if (net.hidden[l - 1] != Activation::Sigmoid) {
      activation_backward(d_prev, d_prev, y, width, net.hidden[l - 1], net.leaky_slope);
    } else {
      for (std::size_t j = 0; j < width; j++) d_prev[j] = sigmoid_backward(d_prev[j], y[j]);
    }
  }
  return loss;
}

StepOutcome TinyStep::update(const NetworkView& net, BatchWorkspace& ws, const OptimizerConfig& opt, double lr) {
  const float lr32 = static_cast<float>(lr), decay32 = static_cast<float>(opt.weight_decay);
  // Each weight is replaced at once, its old value kept in ws.grads (params'
  // layout; this path has no other use for it). A non-finite gradient
  // entry, rate or intermediate leaves its new weight non-finite (∞ and NaN
  // survive each later operation of the rule, 0·∞ included), so when every
  // new value is finite, optimizer_step would have applied exactly these.
  // Otherwise the old weights go back and it decides, writing nothing it
  // refuses.
  std::uint32_t top = 0;
  for (std::size_t l = 0; l + 1 < net.sizes.size(); l++) {
    const float* a = l == 0 ? ws.xb.data() : ws.acts[l - 1];
    top = std::max(top, replace_layer(net.params[2 * l], net.params[2 * l + 1], ws.grads[2 * l], ws.grads[2 * l + 1], a,
                                      ws.deltas[l], net.sizes[l + 1], net.sizes[l], lr32, decay32));
  }
  if (top < kNonFiniteBits) {
    *opt.step += 1;
    return StepOutcome::Applied;
  }
  for (std::size_t p = 0; p < net.params.size(); p++) std::copy_n(ws.grads[p], param_size(net, p), net.params[p]);
  network_param_gradients(ws, net, 1);
  return optimizer_step(net, ws.grads.data(), 0, opt, lr);
}

}  // namespace fastnn
