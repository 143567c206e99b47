#include "sgd.h"

namespace fastnn {

void sgd_update(float* w, const float* g, std::size_t n, double lr, double weight_decay) {
  const float lr32 = static_cast<float>(lr), decay32 = static_cast<float>(weight_decay);
  for (std::size_t i = 0; i < n; i++) w[i] = sgd_new_weight(w[i], g[i], lr32, decay32);
}

}  // namespace fastnn
