// General matrix multiply on row-major float32 matrices.
//
// gemm() packs panels of op(b) (gemm_pack.h), blocks them for the caches and
// runs the register-blocked micro-kernel of the dispatched instruction set
// (isa.h, dispatch.h), which reads op(a) in place (a product whose op(b) is
// the larger transposed operand is formed as its transpose, so that the
// smaller one is packed), threaded over tiles of c for large problems;
// single rows of c and tiny problems run unpacked kernels instead.
// gemm_reference() is the obviously-correct triple loop every faster variant
// is checked against.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "dispatch.h"
#include "thread_pool.h"

namespace fastnn {

// Problems of at least this many flops (2·m·n·k) use the whole pool; smaller
// ones run on the calling thread, where sharing costs more than it saves.
// With a condition-variable pool (10–20 µs a wake-up) 2 threads lost up to
// 8.4e6 flops and won from 1.4e7 (bench/crossover.mjs, 2-core Zen 5 VM), so
// the threshold was 1e7. The polling pool (thread_pool.h) starts a job in
// about a microsecond: on a 2-core Zen 4 VM (AVX-512) 2 threads win from
// ~2e5 flops (48³: 1.38×; 64×256×64, 2.1e6: 21 → 12 µs), so products from
// 1e6 (~10 µs on one core) share, among them the 64-unit layers of an
// autoencoder's batch-64 step (six 2.1e6-flop products a step).
constexpr double kGemmThreadedFlops = 1e6;

// Single rows with trans_b (c = a·bᵀ, the forward product of one sample) of
// at least this many flops split their n dot products over the pool, each
// thread a fixed range of b's rows (thread_pool.h part_begin), so per-sample
// SGD keeps the same weight rows on the same core for the forward product
// and the update (sgd_rank1.cc cuts its rows the same way). A GEMV streams
// b once (2 flops per element loaded), so it pays to share it far below
// kGemmThreadedFlops: the 784×256 layer of the bench's classifier (4e5
// flops) takes ~10 µs on one core against ~1 µs to start a pool job. The
// threshold is kParallelUpdateElements (optimizers.h) weights, as the update.
constexpr double kGemvThreadedFlops = 2.0 * (1 << 15);

// Problems with m·n·k at most this (and m > 1) skip packing: the direct
// kernel (isa_small.inc) computes each element as the packed path would, one
// scalar fma chain each, which beats packing and tile set-up only while the
// product is tiny. Timed on the 2-core AMD Zen 5 VM (AVX-512, beta 0, NT):
// direct 18–40 ns vs packed 63–83 ns at m·n·k ≤ 32, 250–340 vs 137–164 ns at
// 512, i.e. direct ≈ 10 ns + 0.55 ns·m·n·k, packed ≥ 60 ns: they cross near
// 128. m == 1 never packs: a single row of c reads each operand once (GEMV).
constexpr std::size_t kGemmDirectMnk = 128;

// Which kernels run and on how many threads. pool may be null (one thread).
struct GemmContext {
  KernelPath path;
  ThreadPool* pool;
  double threaded_flops = kGemmThreadedFlops;  // see kGemmThreadedFlops
};

// kGemmThreadedFlops, or FASTNN_GEMM_THREADED_FLOPS when set to a number ≥ 0
// (read once per process; bench/crossover.mjs sets it to 0 to time the
// threaded path at every size).
double initial_gemm_threaded_flops();

// What a product's caller runs on c once it is stored, part by part, on the
// thread that computed each part: rows [i0, i1) × columns [j0, j1) of c.
// The parts do not overlap and cover c, so an element-wise pass fused here
// gives the bits the same pass gives run afterwards over all of c, but runs
// on every core while its part is still in that core's cache. Nothing runs
// when c is empty (m or n is 0).
//
// A borrowed reference to the caller's callable, not a std::function: a
// lambda capturing a few references does not fit std::function's inline
// buffer, and allocating it on every product slowed a 2-4-1 net's
// per-sample steps by a fifth. The callable must outlive the gemm() call
// (a lambda written in the call's arguments does).
class GemmEpilogue {
 public:
  GemmEpilogue() = default;
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, GemmEpilogue>>>
  GemmEpilogue(const F& f)  // NOLINT: implicit, so a lambda can be passed as it is
      : callable_(&f), call_([](const void* c, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
          (*static_cast<const F*>(c))(i0, i1, j0, j1);
        }) {}
  explicit operator bool() const { return call_ != nullptr; }
  void operator()(std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) const {
    call_(callable_, i0, i1, j0, j1);
  }

 private:
  const void* callable_ = nullptr;
  void (*call_)(const void*, std::size_t, std::size_t, std::size_t, std::size_t) = nullptr;
};

// c (m,n) = alpha·op(a)·op(b) + beta·c, with op(a) (m,k) and op(b) (k,n):
// a is stored (m,k), or (k,m) when trans_a; b is (k,n), or (n,k) when trans_b.
// beta == 0 overwrites c (NaN or garbage in c does not propagate).
// c must not overlap a or b. Sums are float32, in an order fixed by the
// path and k alone (the packed, direct and m == 1 kernels share it), except
// that m == 1 with trans_b sums each dot product along contiguous vectors:
// the result does not depend on the number of threads, nor on which of the
// other kernels the size selects.
void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
          bool trans_b, double alpha, double beta, const GemmContext& ctx, const GemmEpilogue& then = {});

// Σ a[p]·b[p] over k in float64, in a fixed order (four running sums).
double dot_f64(const float* a, const float* b, std::size_t k);

// c = alpha·acc + beta·c for one element; beta == 0 never reads c.
inline float gemm_store(float c, double acc, double alpha, double beta) {
  return static_cast<float>(beta == 0 ? alpha * acc : alpha * acc + beta * static_cast<double>(c));
}

// One row of c (m == 1, n > 0, k > 0) on the calling thread, as every
// product of one row forms it; op(a) is one contiguous row whatever trans_a
// says. Inline: for the tiny per-sample step (tiny_step.cc), the calls
// around its three products cost as much as their arithmetic.
inline void gemm_one_row(const KernelSet& ks, float* c, const float* a, const float* b, std::size_t n, std::size_t k,
                         bool trans_b, double alpha, double beta) {
  if (n == 1) {
    // A 1×1 result is a dot product: both operands are contiguous whatever
    // the transposes, packing would be pure overhead, and summing in float64
    // keeps a dot of 10⁶ terms within 1e-6 of exact (the blocked path adds
    // its k-block partials in float32).
    c[0] = gemm_store(c[0], dot_f64(a, b, k), alpha, beta);
  } else if (trans_b) {
    ks.direct.gemv_t(c, a, b, n, k, static_cast<float>(alpha), static_cast<float>(beta));
  } else {
    ks.direct.gemv_n(c, a, b, n, k, static_cast<float>(alpha), static_cast<float>(beta), ks.gemm.kc);
  }
}

// c (n) = a (k)·op(b) for one row (m = 1, alpha 1, beta 0), with b stored
// (k,n), or (n,k) when trans_b: the row gemm forms, on the calling thread
// (gemm shares only single rows with trans_b from kGemvThreadedFlops, and
// no row's bits depend on how rows are shared). For per-sample steps,
// where gemm's dispatch is a visible share of a small network's step.
void gemm_row(float* c, const float* a, const float* b, std::size_t n, std::size_t k, bool trans_b, KernelPath path);
// The same on kernels already looked up (kernel_set(path)), for callers
// that form several rows a step (tiny_step.cc).
inline void gemm_row(float* c, const float* a, const float* b, std::size_t n, std::size_t k, bool trans_b,
                     const KernelSet& ks) {
  if (n == 0) return;
  if (k == 0) {
    std::fill_n(c, n, 0.0f);
    return;
  }
  gemm_one_row(ks, c, a, b, n, k, trans_b, 1, 0);
}

// Same, on initial_kernel_path() and the calling thread only (for callers
// that have no context at hand).
void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
          bool trans_b, double alpha, double beta);

// Same contract: one float64 dot product per element of c, nothing clever.
void gemm_reference(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
                    bool trans_b, double alpha, double beta);

}  // namespace fastnn
