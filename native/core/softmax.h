// Row-wise softmax.
#pragma once

#include <cstddef>

namespace fastnn {

// out (rows,cols) = softmax of each row of inp (rows,cols), max-subtracted so
// exp never overflows; out may be inp. A NaN or +∞ in a row makes the row NaN.
void softmax_rows(float* out, const float* inp, std::size_t rows, std::size_t cols);

}  // namespace fastnn
