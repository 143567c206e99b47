// General matrix multiply on row-major float32 matrices.
//
// gemm() is the one entry point every caller uses; it forwards to the best
// implementation available (today the portable loop nest, later a blocked
// SIMD kernel picked at run time). gemm_reference() is the obviously-correct
// triple loop every faster variant is checked against.
#pragma once

#include <cstddef>

namespace fastnn {

// c (m,n) = alpha·op(a)·op(b) + beta·c, with op(a) (m,k) and op(b) (k,n):
// a is stored (m,k), or (k,m) when trans_a; b is (k,n), or (n,k) when trans_b.
// beta == 0 overwrites c (NaN or garbage in c does not propagate).
// c must not overlap a or b.
void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k,
          bool trans_a, bool trans_b, double alpha, double beta);

// Same contract: one float64 dot product per element of c, nothing clever.
void gemm_reference(float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                    std::size_t k, bool trans_a, bool trans_b, double alpha, double beta);

// Same contract: loop nests whose innermost loop is contiguous, float64 sums.
void gemm_portable(float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                   std::size_t k, bool trans_a, bool trans_b, double alpha, double beta);

}  // namespace fastnn
