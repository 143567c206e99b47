// AVX2+FMA kernels (8 floats per ymm). Compiled for avx2,fma through a target
// pragma (see isa_avx512.cc); only called after dispatch.cc has seen both in cpuid.
#include "isa.h"
#include "sgd.h"
#include "sigmoid32.h"
#include "sigmoid_loss32.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace fastnn {
namespace {

using V = __m256;
constexpr std::size_t kLanes = 8;
// The classic 6×16 tile: 12 ymm accumulators + 2 for b + 1 broadcast = 15 of 16 registers.
constexpr std::size_t kMR = 6;
constexpr std::size_t kNV = 2;
constexpr std::size_t kChains = 12;

#define FASTNN_MM(op) _mm256_##op
#include "isa_x86_traits.inc"
#include "isa_kernels.inc"
#include "isa_small.inc"
#include "isa_update.inc"
#include "isa_elementwise.inc"
#include "isa_eigen.inc"

}  // namespace
}  // namespace fastnn

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace fastnn {
// kc·nr·4 = 16 KiB of B per sliver in L1; mc a multiple of 6.
const KernelSet kAvx2Kernels = {"avx2",
                                {kMR, kNR, 144, 256, 2048, microkernel},
                                {gemm_direct, gemv_n, gemv_t},
                                rank1_sgd,
                                sgd_undoable,
                                sigmoid_forward,
                                sigmoid_mse_loss,
                                sigmoid_ce_loss,
                                {eigen_axpy, eigen_rank2, eigen_rank2_axpy, eigen_rotate},
                                fma_probe};
}  // namespace fastnn

#endif  // __x86_64__
