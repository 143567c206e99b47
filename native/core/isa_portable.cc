// Portable kernels: GCC/Clang vector extensions of 4 floats, which become
// SSE2 on any x86-64 and NEON on arm64. No FMA (the baseline ISAs lack it on
// x86, and the compiler is not allowed to fuse a·b + c), so a step is mul + add.
#include "isa.h"
#include "sgd.h"
#include "sigmoid32.h"
#include "sigmoid_loss32.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fastnn {
namespace {

typedef float V __attribute__((vector_size(16)));
constexpr std::size_t kLanes = 4;
// 4×8 tile: 8 accumulators of the 16 SSE2 (32 NEON) registers.
constexpr std::size_t kMR = 4;
constexpr std::size_t kNV = 2;
constexpr std::size_t kChains = 8;

inline V vzero() { return V{0, 0, 0, 0}; }
inline V vset(float x) { return V{x, x, x, x}; }
inline V vload(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);  // unaligned
  return v;
}
inline void vstore(float* p, V v) { std::memcpy(p, &v, sizeof v); }
inline V vfma(V a, V b, V c) { return a * b + c; }
inline V vmul(V a, V b) { return a * b; }
inline V vadd(V a, V b) { return a + b; }
inline float sfma(float a, float b, float c) { return a * b + c; }  // unfused, as vfma

#include "isa_kernels.inc"
#include "isa_small.inc"
#include "isa_update.inc"
#include "isa_elementwise.inc"
#include "isa_eigen.inc"

}  // namespace

const KernelSet kPortableKernels = {"portable",
                                    {kMR, kNR, 128, 256, 2048, microkernel},
                                    {gemm_direct, gemv_n, gemv_t},
                                    rank1_sgd,
                                    sgd_undoable,
                                    sigmoid_forward,
                                    sigmoid_mse_loss,
                                    sigmoid_ce_loss,
                                    {eigen_axpy, eigen_rank2, eigen_rank2_axpy, eigen_rotate},
                                    fma_probe};

}  // namespace fastnn
