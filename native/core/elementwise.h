// Row/column broadcasts: the bias of a linear layer and its gradient.
#pragma once

#include <cstddef>

namespace fastnn {

// out (rows,cols) += bias (cols), broadcast over rows.
void bias_add(float* out, const float* bias, std::size_t rows, std::size_t cols);

// out (cols) = Σ over rows of inp (rows,cols), summed in float64, rounded once.
void col_sum(float* out, const float* inp, std::size_t rows, std::size_t cols);

}  // namespace fastnn
