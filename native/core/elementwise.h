// Row/column broadcasts: the bias of a linear layer and its gradient.
#pragma once

#include <cstddef>

namespace fastnn {

// out (rows,cols), rows ld floats apart (ld ≥ cols), += bias (cols), broadcast over rows.
void bias_add(float* out, const float* bias, std::size_t rows, std::size_t cols, std::size_t ld);

// out (cols) = Σ over rows of inp (rows,cols), rows ld floats apart (ld ≥
// cols), summed in float64 row by row and rounded once: a column's sum does
// not depend on which other columns are summed with it.
void col_sum(float* out, const float* inp, std::size_t rows, std::size_t cols, std::size_t ld);

}  // namespace fastnn
