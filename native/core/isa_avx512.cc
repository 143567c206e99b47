// AVX-512F kernels (16 floats per zmm). Compiled for avx512f through a target
// pragma, not a per-file flag, so both builds need nothing special; only
// called after dispatch.cc has seen avx512f in cpuid. FMA is enabled beside
// it for the scalar fma of isa_small.inc: every AVX-512F CPU has FMA3.
#include "isa.h"
#include "sgd.h"
#include "sigmoid32.h"
#include "sigmoid_loss32.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,fma")
#endif

namespace fastnn {
namespace {

using V = __m512;
constexpr std::size_t kLanes = 16;
// 8×32 tile: 16 zmm accumulators (Zen 4/5 and Skylake-X: 2 FMA/cycle × 4 cycles
// latency = 8 needed), 2 loads of b + 8 broadcasts of a per 16 FMAs. 8 rows
// divide the training shapes (64, 256, 784 rows) with no padding.
constexpr std::size_t kMR = 8;
constexpr std::size_t kNV = 2;
constexpr std::size_t kChains = 16;

#define FASTNN_MM(op) _mm512_##op
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
// kc·nr·4 = 32 KiB of B per sliver fits Zen 5's 48 KiB L1 with the A sliver.
const KernelSet kAvx512Kernels = {"avx512",
                                  {kMR, kNR, 256, 256, 2048, microkernel},
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
