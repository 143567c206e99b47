// Plain stochastic gradient descent with L2 weight decay.
#pragma once

#include <cstddef>

namespace fastnn {

// w (n) ← w − lr·(g (n) + weight_decay·w), in float64, stored as float32.
// weight_decay == 0 is exactly w − lr·g (no 0·w term, so w = ±∞ stays put).
void sgd_update(float* w, const float* g, std::size_t n, double lr, double weight_decay);

}  // namespace fastnn
