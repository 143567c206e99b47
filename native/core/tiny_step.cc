#include "tiny_step.h"

#include <algorithm>
#include <cmath>

#include "activations.h"
#include "gemm.h"
#include "losses.h"
#include "sgd.h"
#include "sigmoid32.h"
#include "sigmoid_loss32.h"

namespace fastnn {

namespace {

// z (n) ← f(z) for a hidden layer: sigmoid units inline (the bits of the
// vector kernel activation_forward runs), the others through it.
void activate(float* z, std::size_t n, Activation act, double leaky_slope) {
  if (act != Activation::Sigmoid) {
    activation_forward(z, z, n, act, leaky_slope);
    return;
  }
  for (std::size_t j = 0; j < n; j++) z[j] = sigmoid32(z[j]);
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
    for (std::size_t j = 0; j < out; j++) z[j] += b[j];
    if (l + 1 < layers) activate(z, out, net.hidden[l], net.leaky_slope);
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

StepOutcome TinyStep::update(const NetworkView& net, BatchWorkspace& ws, Rank1Sgd& rank1, const OptimizerConfig& opt,
                             double lr) {
  if (const auto outcome = rank1.unfused_outcome(net, ws, opt, lr)) return *outcome;
  // From here every new weight is finite (the checks' bounds), so plain maxima of |w| are what rank1_sgd returns.
  const float lr32 = static_cast<float>(lr), decay32 = static_cast<float>(opt.weight_decay);
  for (std::size_t l = 0; l + 1 < net.sizes.size(); l++) {
    const std::size_t in = net.sizes[l], out = net.sizes[l + 1];
    const float* a = l == 0 ? ws.xb.data() : ws.acts[l - 1];
    const float* dz = ws.deltas[l];
    float* w = net.params[2 * l];
    float* b = net.params[2 * l + 1];
    float w_top = 0, b_top = 0;
    for (std::size_t i = 0; i < out; i++) {
      for (std::size_t j = 0; j < in; j++) {
        w[i * in + j] = rank1_new_weight(w[i * in + j], dz[i], a[j], lr32, decay32);
        w_top = std::max(w_top, std::fabs(w[i * in + j]));
      }
      // A bias is a weight whose input is always 1 and which does not decay.
      b[i] = rank1_new_weight(b[i], dz[i], 1.0f, lr32, 0.0f);
      b_top = std::max(b_top, std::fabs(b[i]));
    }
    rank1.measured(2 * l, w_top);
    rank1.measured(2 * l + 1, b_top);
  }
  *opt.step += 1;
  return StepOutcome::Applied;
}

}  // namespace fastnn
