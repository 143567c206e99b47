#include "sgd_rank1.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace fastnn {

namespace {

// max |x[i]|, or NaN / +∞ when some x[i] is NaN / infinite: compared as bit
// patterns, which order non-negative floats as their values, NaN above ∞.
float max_abs(const float* x, std::size_t n) {
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < n; i++) {
    std::uint32_t bits;
    std::memcpy(&bits, x + i, sizeof bits);
    bits &= 0x7fffffffu;
    top = bits > top ? bits : top;
  }
  float out;
  std::memcpy(&out, &top, sizeof out);
  return out;
}

// Bounds below this leave every gradient entry, intermediate and new weight
// finite in float32: FLT_MAX is just under 2^128, so a factor 2 covers the
// roundings of the products and sums the bounds leave out.
constexpr double kSafe = 0x1p127;

// Rows of W(0) updated together before their part of the next sample's
// product: gemv_t's group (isa_small.inc), so the product runs its
// independent chains, on rows (25 KB for 784 inputs) still in L1.
constexpr std::size_t kProductRows = 8;

// rank1_sgd of rows [r0, r1) of w (rows,cols); with next_x, then
// next_z[r] = next_x · (new row r) for each, by gemv_t as forward would form
// it (alpha 1, beta 0: the same bits). Returns max |new w| of those rows.
float update_part(const KernelSet& ks, float* w, const float* dz, const float* a, std::size_t r0, std::size_t r1,
                  std::size_t cols, double lr, double decay, const float* next_x, float* next_z) {
  if (next_x == nullptr) return ks.rank1_sgd(w + r0 * cols, dz + r0, a, r1 - r0, cols, lr, decay);
  float top = 0;
  for (std::size_t r = r0; r < r1; r += kProductRows) {
    const std::size_t count = std::min(kProductRows, r1 - r);
    top = std::max(top, ks.rank1_sgd(w + r * cols, dz + r, a, count, cols, lr, decay));
    ks.direct.gemv_t(next_z + r, next_x, w + r * cols, count, cols, 1.0f, 0.0f);
  }
  return top;
}

// Rows of W(0) (rows, cols) the caller's task takes when it also updates
// every layer above and every bias (`rest` weights) while `parts` − 1
// workers update the other rows and form their part of the next product:
// each task about the same work. A row costs its cols updates and half as
// much again for its product (gemv_t reads what rank1_sgd reads and
// writes: half its time in a profile of the bench's per-sample fit).
// Rounded to whole groups of kProductRows. Fixed by the sizes alone, so
// each core updates the same rows at every step.
std::size_t caller_rows(std::size_t rows, std::size_t cols, std::size_t rest, std::size_t parts) {
  const double row = static_cast<double>(cols) * 1.5;
  const double share = (static_cast<double>(rows) * row + static_cast<double>(rest)) / static_cast<double>(parts);
  const double caller = std::max(0.0, (share - static_cast<double>(rest)) / row);
  const auto groups = static_cast<std::size_t>(std::lround(caller / kProductRows));
  return std::min(rows, groups * kProductRows);
}

}  // namespace

bool Rank1Sgd::applies(const NetworkView& net, const OptimizerConfig& opt, std::size_t rows) {
  return rows == 1 && opt.type == Optimizer::Sgd && opt.clip_norm <= 0 && net.tied.empty() && net.frozen.empty() &&
         net.dropout.empty() && net.norm.empty();
}

std::optional<StepOutcome> Rank1Sgd::unfused_outcome(const NetworkView& net, BatchWorkspace& ws,
                                                     const OptimizerConfig& opt, double lr) {
  const std::size_t layers = net.sizes.size() - 1;
  if (max_abs_.empty()) {
    for (std::size_t p = 0; p < net.params.size(); p++) max_abs_.push_back(max_abs(net.params[p], param_size(net, p)));
  }
  // Gradient entries are dz[i]·a[j] (weights) and dz[i] (biases). A NaN or
  // ∞ in dz or a makes some entry non-finite (times anything, 0 included),
  // which is optimizer_step's "gradient" verdict; it outranks any overflow, so
  // every layer is checked before the bounds decide anything.
  // The float32 rule (sgd.h) rounds lr and λ first, then forms g + λ·w,
  // lr·(g + λ·w) and w − lr·(g + λ·w): each must stay below the bound, and
  // a NaN rate, decay or weight fails the tests too.
  const double lr_abs = std::fabs(lr), decay_abs = std::fabs(opt.weight_decay);
  bool bounded = lr_abs < kSafe && decay_abs < kSafe;
  for (std::size_t l = 0; l < layers; l++) {
    const double a = max_abs(l == 0 ? ws.xb.data() : ws.acts[l - 1], net.sizes[l]);
    const double dz = max_abs(ws.deltas[l], net.sizes[l + 1]);
    if (!std::isfinite(a) || !std::isfinite(dz)) return StepOutcome::NonFiniteGradient;
    const double w_sum = dz * a + decay_abs * max_abs_[2 * l];  // ≥ |g + λ·w|
    const double w_bound = max_abs_[2 * l] + lr_abs * w_sum;    // ≥ |new w|
    const double b_bound = max_abs_[2 * l + 1] + lr_abs * dz;
    bounded =
        bounded && w_sum < kSafe && lr_abs * w_sum < kSafe && w_bound < kSafe && lr_abs * dz < kSafe && b_bound < kSafe;
  }
  if (bounded) return std::nullopt;
  // Near float32's limits: the general path (optimizer_step) decides exactly.
  network_param_gradients(ws, net, 1);
  const StepOutcome outcome = optimizer_step(net, ws.grads.data(), 0, opt, lr);
  if (outcome == StepOutcome::Applied) max_abs_.clear();
  return outcome;
}

StepOutcome Rank1Sgd::step(const NetworkView& net, BatchWorkspace& ws, const OptimizerConfig& opt, double lr,
                           const float* x, std::optional<std::uint32_t> next_row) {
  if (const auto outcome = unfused_outcome(net, ws, opt, lr)) return *outcome;
  const KernelSet& ks = kernel_set(net.gemm.path);
  const std::size_t layers = net.sizes.size() - 1;
  // (gemm forms a one-unit layer's product as a float64 dot, not by gemv_t.)
  const bool form_product = next_row && net.sizes[1] > 1;
  const float* next_x = form_product ? x + static_cast<std::size_t>(*next_row) * net.sizes[0] : nullptr;
  float* next_z = ws.first_product.data();
  // A bias is a weight whose input is always 1 (and which does not decay).
  const float one = 1;
  // Every layer above the first and every bias (`rest` weights), on the calling thread.
  std::size_t rest = 0;
  for (std::size_t l = 0; l < layers; l++) rest += net.sizes[l + 1] * (l > 0 ? net.sizes[l] + 1 : 1);
  const auto update_rest = [&] {
    for (std::size_t l = 0; l < layers; l++) {
      const std::size_t in = net.sizes[l], out = net.sizes[l + 1];
      if (l > 0) {
        max_abs_[2 * l] = update_part(ks, net.params[2 * l], ws.deltas[l], ws.acts[l - 1], 0, out, in, lr,
                                      opt.weight_decay, nullptr, nullptr);
      }
      max_abs_[2 * l + 1] =
          update_part(ks, net.params[2 * l + 1], ws.deltas[l], &one, 0, out, 1, lr, 0, nullptr, nullptr);
    }
  };
  // W(0): the first layer, whose one-row product alone is shared over the
  // pool (network.cc forward_layers), and most of a step's memory traffic.
  const std::size_t rows = net.sizes[1], cols = net.sizes[0];
  float* w0 = net.params[0];
  ThreadPool* pool = net.gemm.pool;
  const std::size_t parts = pool != nullptr && rows * cols >= kParallelUpdateElements ? pool->size() : 1;
  if (parts == 1) {
    max_abs_[0] = update_part(ks, w0, ws.deltas[0], ws.xb.data(), 0, rows, cols, lr, opt.weight_decay, next_x, next_z);
    update_rest();
  } else {
    // The caller's task (task 0, thread_pool.h) updates the other layers
    // beside fewer rows of W(0), rather than after the job while the
    // workers wait. Without the next product, forward reads W(0) through
    // gemm's equal cut (part_begin), which the update then keeps, so that
    // each core updates the rows it has just read.
    const std::size_t first = caller_rows(rows, cols, rest, parts);
    const auto begin = [&](std::size_t part) {
      if (!form_product) return part_begin(rows, part, parts);
      return part == 0 ? 0 : first + part_begin(rows - first, part - 1, parts - 1);
    };
    part_max_.assign(parts, 0.0f);
    pool->run(parts, [&](std::size_t part) {
      const std::size_t r0 = begin(part), r1 = begin(part + 1);
      if (r1 > r0) {
        part_max_[part] =
            update_part(ks, w0, ws.deltas[0], ws.xb.data(), r0, r1, cols, lr, opt.weight_decay, next_x, next_z);
      }
      if (part == 0) update_rest();
    });
    max_abs_[0] = *std::max_element(part_max_.begin(), part_max_.end());
  }
  ws.has_first_product = form_product;
  if (form_product) ws.first_product_row = *next_row;
  *opt.step += 1;
  return StepOutcome::Applied;
}

}  // namespace fastnn
