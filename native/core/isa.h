// The kernels compiled once per instruction set (isa_*.cc) and the table
// that describes them. Dispatch (dispatch.h) picks one table at run time;
// nothing here checks that the CPU supports what it calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastnn {

// A register-blocked GEMM micro-kernel and the cache blocking tuned for it.
struct MicroKernel {
  std::size_t mr, nr;  // register tile: mr rows × nr columns of c
  std::size_t mc;      // rows of op(a) per block (read in place; the block stays in L2)
  std::size_t kc;      // depth per block (a kc×nr sliver of B stays in L1)
  std::size_t nc;      // columns of op(b) packed per panel (the B panel lives in L3)
  // c (mr,nr) with row stride ldc = alpha·a·b + beta·c, where a (mr,kc) is
  // read in place, element (r, p) at a[r·rs + p·ps] for r < rows (later rows
  // repeat row rows − 1, for the caller to drop), and b is a packed sliver
  // (kc,nr). beta == 0 never reads c. Every element sums its kc products in
  // order p = 0..kc−1 with one accumulator, so its value does not depend on
  // its place in the tile.
  void (*run)(float* c, const float* a, std::size_t rs, std::size_t ps, std::size_t rows, const float* b,
              std::size_t kc, std::size_t ldc, float alpha, float beta);
};

// Unpacked products for problems too small to repay packing (isa_small.inc),
// alpha and beta as in MicroKernel, kc the micro-kernel's depth per block.
struct DirectKernels {
  // c (m,n) = alpha·op(a)·op(b) + beta·c, gemm()'s contract.
  void (*gemm)(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
               bool trans_b, float alpha, float beta, std::size_t kc);
  // c (n) = alpha·a (k)·b + beta·c, b stored (k,n).
  void (*gemv_n)(float* c, const float* a, const float* b, std::size_t n, std::size_t k, float alpha, float beta,
                 std::size_t kc);
  // c (n) = alpha·b·a (k) + beta·c, b stored (n,k).
  void (*gemv_t)(float* c, const float* a, const float* b, std::size_t n, std::size_t k, float alpha, float beta);
};

// The float64 loops of the symmetric eigen-solver (isa_eigen.inc).
struct EigenKernels {
  // y (n) ← y + a·x.
  void (*axpy)(double* y, double a, const double* x, std::size_t n);
  // row (n) ← row − (vi·w + wi·v).
  void (*rank2)(double* row, double vi, const double* w, double wi, const double* v, std::size_t n);
  // rank2 on row, then axpy(p, a, row).
  void (*rank2_axpy)(double* row, double vi, const double* w, double wi, const double* v, double* p, double a,
                     std::size_t n);
  // Rotations (index[t], c[t], s[t]) in order on columns [0, width) of z's rows (stride ld).
  void (*rotate)(double* z, std::size_t ld, std::size_t width, const std::uint32_t* index, const double* c,
                 const double* s, std::size_t count);
};

struct KernelSet {
  const char* name;  // "portable", "avx2", "avx512"
  MicroKernel gemm;
  DirectKernels direct;
  // The fused per-sample SGD update of a weight matrix (isa_update.inc, sgd_rank1.h).
  float (*rank1_sgd)(float* w, const float* dz, const float* a, std::size_t rows, std::size_t cols, double lr,
                     double decay);
  // The minibatch SGD update (isa_update.inc): w ← w − lr·(g + decay·w) with
  // the old w left in g, returning 1 | 2 when some gradient | new weight is not finite.
  unsigned int (*sgd_undoable)(float* w, float* g, std::size_t n, double lr, double decay);
  // Hidden sigmoid units (isa_elementwise.inc): out (n) = sigmoid32(inp (n)), out may be inp.
  void (*sigmoid)(float* out, const float* inp, std::size_t n);
  // The sigmoid output's squared error and cross-entropy (isa_elementwise.inc,
  // sigmoid_loss32.h): dlogits (n) ← ((σ − r)·σ·(1 − σ))·scale, resp.
  // (σ − r)·scale, unless null; return Σ ½(σ − r)², resp. Σ [max(z, 0) − z·r +
  // log(1 + e^−|z|)], over the n elements in float64, in sigmoid_loss32.h's
  // lanes (a chunk's sum: the caller adds the chunks). dlogits may be logits.
  double (*sigmoid_mse)(float* dlogits, const float* logits, const float* target, std::size_t n, float scale);
  double (*sigmoid_ce)(float* dlogits, const float* logits, const float* target, std::size_t n, float scale);
  EigenKernels eigen;
  // Runs `iters` rounds of independent FMA chains (enough chains to hide the
  // FMA latency) and returns the number of flops done: the peak probe.
  double (*fma_probe)(std::size_t iters);
};

extern const KernelSet kPortableKernels;
#if defined(__x86_64__)
extern const KernelSet kAvx2Kernels;
extern const KernelSet kAvx512Kernels;
#endif

}  // namespace fastnn
