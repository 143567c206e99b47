// The centred Gram matrix of a data matrix: the product PCA (the
// covariance, Xcᵀ·Xc) and classical MDS (Xc·Xcᵀ, the double-centred
// squared distances) decompose. One pass for the column means, then the
// centred data multiplied by itself with gemm() on the pool, a block of x
// at a time, so that a stop request is seen between blocks and no centred
// copy of the whole of x is made.
#pragma once

#include <cstddef>
#include <functional>

#include "gemm.h"

namespace fastnn {

// Progress of a long job: `done` of `total` units.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;
// Polled between units of work: true asks the job to give up.
using StopFn = std::function<bool()>;

// Rows (or, when `rows`, columns) of x per block: enough products per gemm
// to run near its peak, few enough that a block takes tens of milliseconds
// and its centred copy stays small. Fixed by the sizes alone, so the sums
// (float32, one rounding per block) do not depend on the thread count.
std::size_t gram_block(std::size_t n, std::size_t d, bool rows);

// mean (d) ← column means of x (n, d): float64 sums in row order, rounded
// to float32 (0 when n is 0). out ← alpha·Xcᵀ·Xc (d, d), or with `rows` alpha·Xc·Xcᵀ
// (n, n), where Xc = x − mean (each a float32 subtraction), summed over
// blocks of gram_block() rows (columns) of Xc by gemm with beta 1. x is
// only read; out is symmetric bit for bit (gemm sums every element in the
// same order). progress(done, total) after each block, in rows (columns)
// of x; returns false, out partial, when stop() says so.
bool centred_gram(float* out, float* mean, const float* x, std::size_t n, std::size_t d, bool rows, double alpha,
                  const GemmContext& ctx, const ProgressFn& progress, const StopFn& stop);

}  // namespace fastnn
