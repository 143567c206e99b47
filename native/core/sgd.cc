#include "sgd.h"

namespace fastnn {

void sgd_update(float* w, const float* g, std::size_t n, double lr, double weight_decay) {
  if (weight_decay == 0) {
    for (std::size_t i = 0; i < n; i++) w[i] = static_cast<float>(w[i] - lr * g[i]);
  } else {
    for (std::size_t i = 0; i < n; i++) {
      const double wi = w[i];
      w[i] = static_cast<float>(wi - lr * (g[i] + weight_decay * wi));
    }
  }
}

}  // namespace fastnn
