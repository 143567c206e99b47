#include "optimizers.h"

#include <cmath>

#include "sgd.h"

namespace fastnn {

std::size_t optimizer_state_count(Optimizer type, std::size_t param_count) {
  switch (type) {
    case Optimizer::Sgd: return 0;
    case Optimizer::Momentum: return param_count;
    case Optimizer::Adam:
    case Optimizer::AdamW: return 2 * param_count;
  }
  return 0;
}

void momentum_update(float* w, float* v, const float* g, std::size_t n, double lr, double mu, double decay,
                     bool nesterov) {
  for (std::size_t i = 0; i < n; i++) {
    const double wi = w[i];
    const double gi = g[i] + decay * wi;
    const double vi = mu * v[i] + gi;
    v[i] = static_cast<float>(vi);
    w[i] = static_cast<float>(wi - lr * (nesterov ? gi + mu * vi : vi));
  }
}

void adam_update(float* w, float* m, float* v, const float* g, std::size_t n, double lr, double beta1, double beta2,
                 double eps, double decay, bool decoupled, double t) {
  const double c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
  for (std::size_t i = 0; i < n; i++) {
    double wi = w[i];
    double gi = g[i];
    if (decoupled) wi -= lr * decay * wi;
    else gi += decay * wi;
    const double mi = beta1 * m[i] + (1 - beta1) * gi;
    const double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    w[i] = static_cast<float>(wi - lr * (mi / c1) / (std::sqrt(vi / c2) + eps));
  }
}

void optimizer_step(const NetworkView& net, float* const* grads, double sum_sq, const OptimizerConfig& opt, double lr) {
  const std::size_t count = net.params.size();
  // Clipping by global norm: one scale for every gradient, so the update keeps its direction.
  const double norm = std::sqrt(sum_sq);
  if (opt.clip_norm > 0 && norm > opt.clip_norm) {
    const double scale = opt.clip_norm / norm;
    for (std::size_t p = 0; p < count; p++) {
      const std::size_t len = param_size(net, p);
      for (std::size_t i = 0; i < len; i++) grads[p][i] = static_cast<float>(grads[p][i] * scale);
    }
  }
  *opt.step += 1;
  for (std::size_t p = 0; p < count; p++) {
    const std::size_t len = param_size(net, p);
    const double decay = p % 2 == 0 ? opt.weight_decay : 0;  // weights decay, biases do not
    switch (opt.type) {
      case Optimizer::Sgd: sgd_update(net.params[p], grads[p], len, lr, decay); break;
      case Optimizer::Momentum:
        momentum_update(net.params[p], opt.state[p], grads[p], len, lr, opt.momentum, decay, opt.nesterov);
        break;
      case Optimizer::Adam:
      case Optimizer::AdamW:
        adam_update(net.params[p], opt.state[p], opt.state[count + p], grads[p], len, lr, opt.beta1, opt.beta2, opt.eps,
                    decay, opt.type == Optimizer::AdamW, *opt.step);
        break;
    }
  }
}

}  // namespace fastnn
