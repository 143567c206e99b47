// Values outside a range: the check a fit makes of its whole training set
// before it trains (every value finite; targets where the loss needs them,
// such as probabilities in [0, 1]). A pass over the data at memory speed,
// shared over the pool.
#pragma once

#include <cstddef>
#include <functional>

#include "thread_pool.h"

namespace fastnn {

// x (n), bounds lo ≤ hi -> the index of the first element that is not finite
// or not in [lo, hi] (NaN never is), or n when there is none. Works through x
// 4 M elements at a time, asking `stop()` between them whether to give up
// (then returns n).
std::size_t first_outside(const float* x, std::size_t n, double lo, double hi, ThreadPool& pool,
                          const std::function<bool()>& stop);

}  // namespace fastnn
