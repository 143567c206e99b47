#include "optimizers.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "dispatch.h"

namespace fastnn {

namespace {

// Each kernel computes every new value (momentum and Adam in float64, SGD in
// float32 as sgd.h says). The momentum and Adam kernels' dry run (Apply
// false) writes no weight or state and returns a mask: kBadGradient when some
// gradient entry is not finite, kBadUpdate when some new value would not be
// finite once rounded to float32; their update (Apply true) stores the
// values. SGD's kernel returns the same mask for an update it stores (Pass).
constexpr std::uint32_t kBadGradient = 1, kBadUpdate = 2;

// 1 when v is not finite once rounded to float32 (exponent bits all ones),
// else 0. Integer maths only, so the dry-run loops OR it up in SIMD; a bool
// accumulator kept them scalar and cost a fifth of a small net's step.
std::uint32_t nonfinite32(double v) {
  const float f = static_cast<float>(v);
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (((u >> 23) & 0xffu) + 1) >> 8;
}

// The mask bits for one gradient entry and the new values computed from it
// (new_values_bad: an OR of nonfinite32 results, so 0 or 1).
std::uint32_t check(float g, std::uint32_t new_values_bad) {
  return nonfinite32(g) * kBadGradient | new_values_bad * kBadUpdate;
}

// w (n), v (n), g (n): g' = g + decay·w; v ← μ·v + g'; w ← w − lr·(nesterov ? g' + μ·v : v).
template <bool Apply>
std::uint32_t momentum_kernel(float* w, float* v, const float* g, std::size_t n, double lr, double mu, double decay,
                              bool nesterov) {
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; i++) {
    const double wi = w[i];
    const double gi = g[i] + decay * wi;
    const double vi = mu * v[i] + gi;
    const double wn = wi - lr * (nesterov ? gi + mu * vi : vi);
    if (Apply) {
      v[i] = static_cast<float>(vi);
      w[i] = static_cast<float>(wn);
    } else {
      bad |= check(g[i], nonfinite32(vi) | nonfinite32(wn));
    }
  }
  return bad;
}

// w, m, v, g (n) at step t ≥ 1; decoupled = AdamW (decay applied to w, not added to g).
template <bool Apply>
std::uint32_t adam_kernel(float* w, float* m, float* v, const float* g, std::size_t n, double lr, double beta1,
                          double beta2, double eps, double decay, bool decoupled, double t) {
  const double c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; i++) {
    double wi = w[i];
    double gi = g[i];
    if (decoupled) wi -= lr * decay * wi;
    else gi += decay * wi;
    const double mi = beta1 * m[i] + (1 - beta1) * gi;
    const double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    const double wn = wi - lr * (mi / c1) / (std::sqrt(vi / c2) + eps);
    if (Apply) {
      m[i] = static_cast<float>(mi);
      v[i] = static_cast<float>(vi);
      w[i] = static_cast<float>(wn);
    } else {
      bad |= check(g[i], nonfinite32(mi) | nonfinite32(vi) | nonfinite32(wn));
    }
  }
  return bad;
}

// What a pass over the parameters does. Momentum and Adam check every new
// value (writing nothing), then apply them. SGD applies them while checking,
// each old weight kept in its gradient's place (isa_update.inc sgd_undoable:
// one pass over w and g, where staging the new weights in g and copying
// them took two), and is undone when refused, by copying the old weights back.
enum class Pass { Check, Apply, Undo };

// Part `part` of `parts` of every parameter through the configured rule:
// elements [part_begin(len, part, parts), part_begin(len, part + 1, parts))
// of each (thread_pool.h); the check's mask (0 otherwise). Each element's new value depends on that element
// alone, so how the parameters are cut does not change any result.
template <Pass P>
std::uint32_t update_part(const NetworkView& net, float* const* grads, const OptimizerConfig& opt, double lr, double t,
                          std::size_t part, std::size_t parts) {
  constexpr bool kApply = P == Pass::Apply;
  const std::size_t count = net.params.size();
  std::uint32_t bad = 0;
  for (std::size_t p = 0; p < count; p++) {
    if (layer_frozen(net, p / 2)) continue;  // weights, decay and state all stay as they are
    const std::size_t len = param_size(net, p);
    const std::size_t i0 = part_begin(len, part, parts), n = part_begin(len, part + 1, parts) - i0;
    float* w = net.params[p] + i0;
    float* g = grads[p] + i0;
    const double decay = p % 2 == 0 ? opt.weight_decay : 0;  // weights decay, biases do not
    switch (opt.type) {
      case Optimizer::Sgd:
        if (P == Pass::Check) bad |= kernel_set(net.gemm.path).sgd_undoable(w, g, n, lr, decay);
        else if (P == Pass::Undo) std::copy(g, g + n, w);
        break;
      case Optimizer::Momentum:
        if (P == Pass::Undo) break;
        bad |= momentum_kernel<kApply>(w, opt.state[p] + i0, g, n, lr, opt.momentum, decay, opt.nesterov);
        break;
      case Optimizer::Adam:
      case Optimizer::AdamW:
        if (P == Pass::Undo) break;
        bad |= adam_kernel<kApply>(w, opt.state[p] + i0, opt.state[count + p] + i0, g, n, lr, opt.beta1, opt.beta2,
                                   opt.eps, decay, opt.type == Optimizer::AdamW, t);
        break;
    }
  }
  return bad;
}

// Every parameter through the configured rule, over the network's pool when
// there are at least kParallelUpdateElements of them; the ORed masks.
template <Pass P>
std::uint32_t update_all(const NetworkView& net, float* const* grads, const OptimizerConfig& opt, double lr, double t) {
  ThreadPool* pool = net.gemm.pool;
  const std::size_t parts = pool != nullptr && parameter_count(net) >= kParallelUpdateElements ? pool->size() : 1;
  if (parts == 1) return update_part<P>(net, grads, opt, lr, t, 0, 1);
  // One OR per part into a shared mask: nothing allocated per step.
  std::atomic<std::uint32_t> bad{0};
  pool->run(parts, [&](std::size_t part) { bad.fetch_or(update_part<P>(net, grads, opt, lr, t, part, parts)); });
  return bad.load();
}

}  // namespace

std::size_t optimizer_state_count(Optimizer type, std::size_t param_count) {
  switch (type) {
    case Optimizer::Sgd: return 0;
    case Optimizer::Momentum: return param_count;
    case Optimizer::Adam:
    case Optimizer::AdamW: return 2 * param_count;
  }
  return 0;
}

StepOutcome optimizer_step(const NetworkView& net, float* const* grads, double sum_sq, const OptimizerConfig& opt,
                           double lr) {
  // Clipping by global norm: one scale for every gradient, so the update keeps its direction.
  const double norm = std::sqrt(sum_sq);
  if (opt.clip_norm > 0 && norm > opt.clip_norm) {
    const double scale = opt.clip_norm / norm;
    for (std::size_t p = 0; p < net.params.size(); p++) {
      for (std::size_t i = 0, len = param_size(net, p); i < len; i++) {
        grads[p][i] = static_cast<float>(grads[p][i] * scale);
      }
    }
  }
  const double t = *opt.step + 1;
  const bool sgd = opt.type == Optimizer::Sgd;
  const std::uint32_t bad = update_all<Pass::Check>(net, grads, opt, lr, t);
  if (bad != 0 && sgd) update_all<Pass::Undo>(net, grads, opt, lr, t);
  if (bad & kBadGradient) return StepOutcome::NonFiniteGradient;
  if (bad & kBadUpdate) return StepOutcome::NonFiniteUpdate;
  if (!sgd) update_all<Pass::Apply>(net, grads, opt, lr, t);
  *opt.step = t;
  return StepOutcome::Applied;
}

StepOutcome optimizer_update(const NetworkView& net, float* const* grads, const OptimizerConfig& opt, double lr) {
  double s[4] = {0, 0, 0, 0};
  if (opt.clip_norm > 0) {
    for (std::size_t p = 0; p < net.params.size(); p++) {
      const std::size_t n = p % 2 == 0 ? net.sizes[p / 2 + 1] * net.sizes[p / 2] : net.sizes[p / 2 + 1];
      for (std::size_t i = 0; i < n; i++) s[i % 4] += static_cast<double>(grads[p][i]) * grads[p][i];
    }
  }
  return optimizer_step(net, grads, (s[0] + s[1]) + (s[2] + s[3]), opt, lr);
}

}  // namespace fastnn
