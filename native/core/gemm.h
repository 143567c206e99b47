// General matrix multiply on row-major float32 matrices.
//
// gemm() packs panels of op(a) and op(b) (gemm_pack.h), blocks them for the
// caches and runs the register-blocked micro-kernel of the dispatched
// instruction set (isa.h, dispatch.h), threaded over tiles of c for large
// problems. gemm_reference() is the obviously-correct triple loop every
// faster variant is checked against.
#pragma once

#include <cstddef>

#include "dispatch.h"
#include "thread_pool.h"

namespace fastnn {

// Problems of at least this many flops (2·m·n·k) use the whole pool; smaller
// ones run on the calling thread, where waking the pool would cost more than
// it saves. Measured on a 2-core AMD Zen 5 (EPYC, AVX-512 path), see gemm.cc.
constexpr double kGemmThreadedFlops = 4e6;

// Which kernels run and on how many threads. pool may be null (one thread).
struct GemmContext {
  KernelPath path;
  ThreadPool* pool;
};

// c (m,n) = alpha·op(a)·op(b) + beta·c, with op(a) (m,k) and op(b) (k,n):
// a is stored (m,k), or (k,m) when trans_a; b is (k,n), or (n,k) when trans_b.
// beta == 0 overwrites c (NaN or garbage in c does not propagate).
// c must not overlap a or b. Sums are float32, in an order fixed by the
// path and k alone: the result does not depend on the number of threads.
void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k,
          bool trans_a, bool trans_b, double alpha, double beta, const GemmContext& ctx);

// Same, on initial_kernel_path() and the calling thread only (for callers
// that have no context at hand).
void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k,
          bool trans_a, bool trans_b, double alpha, double beta);

// Same contract: one float64 dot product per element of c, nothing clever.
void gemm_reference(float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                    std::size_t k, bool trans_a, bool trans_b, double alpha, double beta);

}  // namespace fastnn
