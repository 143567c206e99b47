// The centred Gram matrix of a data matrix: the product PCA (the
// covariance, Xcᵀ·Xc) and classical MDS (Xc·Xcᵀ, the double-centred
// squared distances) decompose. One pass for the column means, then the
// centred data multiplied by itself with gemm() on the pool, a block of x
// at a time, so that a stop request is seen between blocks and no centred
// copy of the whole of x is made.
#pragma once

#include <cstddef>

#include "gemm.h"
#include "progress.h"

namespace fastnn {

// mean (d) ← column means of x (n, d): float64 sums in row order, rounded
// to float32 (0 when n is 0). out ← alpha·Xcᵀ·Xc (d, d), or with `rows`
// alpha·Xc·Xcᵀ (n, n), where Xc = x − mean (each a float32 subtraction),
// summed over blocks of rows (columns) of Xc by gemm with beta 1, the block
// size fixed by n, d and rows, so the result does not depend on the thread
// count. x is only read; out is symmetric bit for bit (gemm sums every
// element in the same order). progress(done, total) after each block, in
// rows (columns) of x; returns false, out partial, when stop() says so.
bool centred_gram(float* out, float* mean, const float* x, std::size_t n, std::size_t d, bool rows, double alpha,
                  const GemmContext& ctx, const ProgressFn& progress, const StopFn& stop);

}  // namespace fastnn
