#include "gemm.h"

#include <algorithm>
#include <cstdlib>

#include "gemm_pack.h"
#include "out_of_memory.h"

namespace fastnn {

namespace {

std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

// A 64-byte aligned scratch buffer that only grows. One per thread
// (thread_local below): pool workers and JS threads each pack into their
// own, nothing is allocated once they are big enough, and a worker_thread's
// buffers die with it.
class Scratch {
 public:
  ~Scratch() { std::free(data_); }
  float* get(std::size_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      capacity_ = 0;
      data_ = static_cast<float*>(std::aligned_alloc(64, round_up(floats * sizeof(float), 64)));
      if (data_ == nullptr) throw OutOfMemory("the matrix product's packing buffers");
      capacity_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  std::size_t capacity_ = 0;
};

thread_local Scratch b_scratch;
thread_local Scratch ct_scratch;

// Largest mr·nr of any micro-kernel (avx512: 8×32).
constexpr std::size_t kMaxTile = 256;

// Where op(a) (m,k) lies: element (i, p) at a[i·rs + p·ps], a stored (m,k),
// or (k,m) when trans. The micro-kernel reads it there: only b is packed.
struct InPlace {
  const float* a;
  std::size_t rs, ps;
  InPlace(const float* a_, std::size_t m, std::size_t k, bool trans) : a(a_), rs(trans ? 1 : k), ps(trans ? m : 1) {}
  const float* at(std::size_t i, std::size_t p) const { return a + i * rs + p * ps; }
};

// One tile of c at row stride ldc from rows of op(a) starting at `a`; rows ≤
// mr and cols ≤ nr are the valid part. A partial tile runs the same
// micro-kernel on a copy, so it rounds exactly like a full one and no scalar
// loop does the arithmetic.
void tile(const MicroKernel& uk, float* c, std::size_t ldc, const float* a, const InPlace& op_a, const float* b,
          std::size_t kc, std::size_t rows, std::size_t cols, float alpha, float beta) {
  if (rows == uk.mr && cols == uk.nr) {
    uk.run(c, a, op_a.rs, op_a.ps, rows, b, kc, ldc, alpha, beta);
    return;
  }
  alignas(64) float buf[kMaxTile] = {};
  if (beta != 0) {
    for (std::size_t r = 0; r < rows; r++) std::copy(c + r * ldc, c + r * ldc + cols, buf + r * uk.nr);
  }
  uk.run(buf, a, op_a.rs, op_a.ps, rows, b, kc, uk.nr, alpha, beta);
  for (std::size_t r = 0; r < rows; r++) std::copy(buf + r * uk.nr, buf + r * uk.nr + cols, c + r * ldc);
}

// Rows [i0,i1) × columns [j0,j1) of c (m,n) into cp, which holds element
// (i0, j0) at row stride ldc, on the calling thread: the BLIS loop nest,
// with op(a) read in place. The k blocks start at multiples of kc from 0
// whatever the part, so an element's summation order does not depend on how
// c was partitioned.
void gemm_part(const MicroKernel& uk, float* cp, std::size_t ldc, const float* a, const float* b, std::size_t m,
               std::size_t n, std::size_t k, bool trans_a, bool trans_b, float alpha, float beta, std::size_t i0,
               std::size_t i1, std::size_t j0, std::size_t j1) {
  const std::size_t kc_max = std::min(uk.kc, k);
  const InPlace op_a(a, m, k, trans_a);
  float* bp = b_scratch.get(round_up(std::min(uk.nc, j1 - j0), uk.nr) * kc_max);
  for (std::size_t jc = j0; jc < j1; jc += uk.nc) {
    const std::size_t nc = std::min(uk.nc, j1 - jc);
    for (std::size_t pc = 0; pc < k; pc += uk.kc) {
      const std::size_t kc = std::min(uk.kc, k - pc);
      pack_b(bp, b, trans_b, k, n, pc, kc, jc, nc, uk.nr);
      // The first k block applies beta; later ones accumulate onto it.
      const float beta_p = pc == 0 ? beta : 1.0f;
      for (std::size_t ic = i0; ic < i1; ic += uk.mc) {
        const std::size_t mc = std::min(uk.mc, i1 - ic);
        for (std::size_t jr = 0; jr < nc; jr += uk.nr) {
          for (std::size_t ir = 0; ir < mc; ir += uk.mr) {
            tile(uk, cp + (ic + ir - i0) * ldc + jc + jr - j0, ldc, op_a.at(ic + ir, pc), op_a, bp + jr * kc, kc,
                 std::min(uk.mr, mc - ir), std::min(uk.nr, nc - jr), alpha, beta_p);
          }
        }
      }
    }
  }
}

// Whether c = op(a)·op(b) is formed as its transpose cᵀ = op(b)ᵀ·op(a)ᵀ, with
// op(b)ᵀ read in place and op(a)ᵀ packed. Packing op(b) = bᵀ (a trans_b
// product: the forward pass's a·Wᵀ) transposes all n·k of b; the swapped
// product packs the m·k of a instead and transposes the m·n of c once at the
// end, which pays when b is the larger. Each element's sum is the same fma
// chain over the same products (x·y = y·x), so the bits are the same. With
// beta ≠ 0 the scratch would first need c's values: not swapped.
bool swapped(std::size_t m, std::size_t n, bool trans_b, double beta) { return trans_b && n > m && beta == 0; }

// Rows [i0,i1) × columns [j0,j1) of c (m,n), on the calling thread, and
// then the epilogue over them; swap says how (swapped()).
void run_part(const MicroKernel& uk, bool swap, float* c, const float* a, const float* b, std::size_t m, std::size_t n,
              std::size_t k, bool trans_a, bool trans_b, float alpha, float beta, std::size_t i0, std::size_t i1,
              std::size_t j0, std::size_t j1, const GemmEpilogue& then) {
  if (!swap) {
    gemm_part(uk, c + i0 * n + j0, n, a, b, m, n, k, trans_a, trans_b, alpha, beta, i0, i1, j0, j1);
  } else {
    // cᵀ's rows [j0,j1) × columns [i0,i1), then each into its place in c.
    const std::size_t rows = j1 - j0, cols = i1 - i0;
    float* ct = ct_scratch.get(rows * cols);
    gemm_part(uk, ct, cols, b, a, n, m, k, !trans_b, !trans_a, alpha, beta, j0, j1, i0, i1);
    transpose(c + i0 * n + j0, n, ct, cols, rows, cols);
  }
  if (then) then(i0, i1, j0, j1);
}

// Splits c into tm × tn parts (tm·tn ≤ threads) on tile boundaries, choosing
// the most square parts: each part packs its own columns of op(b) and reads
// its own rows of op(a), so square parts repack and reread the least.
void split(std::size_t threads, std::size_t tiles_m, std::size_t tiles_n, std::size_t* tm, std::size_t* tn) {
  *tm = 1;
  *tn = 1;
  for (std::size_t t = threads; t >= 2; t--) {
    std::size_t best = 0;
    for (std::size_t rows = 1; rows <= t; rows++) {
      const std::size_t cols = t / rows;
      if (rows * cols != t || rows > tiles_m || cols > tiles_n) continue;
      const std::size_t cost = (tiles_m + rows - 1) / rows + (tiles_n + cols - 1) / cols;
      if (best == 0 || cost < best) {
        best = cost;
        *tm = rows;
        *tn = cols;
      }
    }
    if (best != 0) return;  // the most threads that can be used
  }
}

// c (n) = alpha·a (k)·bᵀ + beta·c with b stored (n,k), over the pool from
// kGemvThreadedFlops: each c[j] is one dot product with row j of b, so how
// the rows are shared out changes no result.
void gemv_t_shared(const KernelSet& ks, float* c, const float* a, const float* b, std::size_t n, std::size_t k,
                   float alpha, float beta, const GemmContext& ctx, const GemmEpilogue& then) {
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(k);
  const std::size_t parts = ctx.pool != nullptr && flops >= kGemvThreadedFlops ? ctx.pool->size() : 1;
  if (parts == 1) {
    ks.direct.gemv_t(c, a, b, n, k, alpha, beta);
    if (then) then(0, 1, 0, n);
    return;
  }
  ctx.pool->run(parts, [&](std::size_t part) {
    const std::size_t j0 = part_begin(n, part, parts), j1 = part_begin(n, part + 1, parts);
    if (j1 == j0) return;
    ks.direct.gemv_t(c + j0, a, b + j0 * k, j1 - j0, k, alpha, beta);
    if (then) then(0, 1, j0, j1);
  });
}

// The products that stay on the calling thread: c whole, then the epilogue over all of it.
void gemm_serial(const KernelSet& ks, float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                 std::size_t k, bool trans_a, bool trans_b, double alpha, double beta, const GemmEpilogue& then) {
  const MicroKernel& uk = ks.gemm;
  const float falpha = static_cast<float>(alpha), fbeta = static_cast<float>(beta);
  if (k != 0 && m > 1 && m * n * k > kGemmDirectMnk) {
    run_part(uk, swapped(m, n, trans_b, beta), c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, 0, m, 0, n, then);
    return;
  }
  if (k == 0) {
    for (std::size_t i = 0; i < m * n; i++) c[i] = gemm_store(c[i], 0, alpha, beta);
  } else if (m == 1) {
    gemm_one_row(ks, c, a, b, n, k, trans_b, alpha, beta);
  } else {
    ks.direct.gemm(c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, uk.kc);
  }
  if (then) then(0, m, 0, n);
}

}  // namespace

// Four independent sums keep the FPU busy.
double dot_f64(const float* a, const float* b, std::size_t k) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t p = 0;
  for (; p + 4 <= k; p += 4) {
    s0 += static_cast<double>(a[p]) * b[p];
    s1 += static_cast<double>(a[p + 1]) * b[p + 1];
    s2 += static_cast<double>(a[p + 2]) * b[p + 2];
    s3 += static_cast<double>(a[p + 3]) * b[p + 3];
  }
  for (; p < k; p++) s0 += static_cast<double>(a[p]) * b[p];
  return (s0 + s1) + (s2 + s3);
}

void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
          bool trans_b, double alpha, double beta, const GemmContext& ctx, const GemmEpilogue& then) {
  if (m == 0 || n == 0) return;
  const KernelSet& ks = kernel_set(ctx.path);
  const MicroKernel& uk = ks.gemm;
  if (m == 1 && n > 1 && k > 0 && trans_b) {
    gemv_t_shared(ks, c, a, b, n, k, static_cast<float>(alpha), static_cast<float>(beta), ctx, then);
    return;
  }
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  // Parts are cut on tiles of the product the micro-kernel forms: c, or cᵀ when swapped.
  const bool swap = swapped(m, n, trans_b, beta);
  const std::size_t rows = swap ? n : m, cols = swap ? m : n;
  const std::size_t tiles_r = (rows + uk.mr - 1) / uk.mr, tiles_c = (cols + uk.nr - 1) / uk.nr;
  std::size_t tm = 1, tn = 1;
  if (m > 1 && m * n * k > kGemmDirectMnk && ctx.pool != nullptr && ctx.pool->size() > 1 &&
      flops >= ctx.threaded_flops) {
    split(ctx.pool->size(), tiles_r, tiles_c, &tm, &tn);
  }
  if (tm * tn == 1) {
    gemm_serial(ks, c, a, b, m, n, k, trans_a, trans_b, alpha, beta, then);
    return;
  }
  const float falpha = static_cast<float>(alpha), fbeta = static_cast<float>(beta);
  ctx.pool->run(tm * tn, [&](std::size_t t) {
    const std::size_t pr = t / tn, pc = t % tn;
    const std::size_t r0 = std::min(rows, tiles_r * pr / tm * uk.mr),
                      r1 = std::min(rows, tiles_r * (pr + 1) / tm * uk.mr);
    const std::size_t c0 = std::min(cols, tiles_c * pc / tn * uk.nr),
                      c1 = std::min(cols, tiles_c * (pc + 1) / tn * uk.nr);
    if (swap) run_part(uk, swap, c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, c0, c1, r0, r1, then);
    else run_part(uk, swap, c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, r0, r1, c0, c1, then);
  });
}

double initial_gemm_threaded_flops() {
  // A function-local constant, as initial_kernel_path(): no state after load.
  static const double flops = [] {
    const char* env = std::getenv("FASTNN_GEMM_THREADED_FLOPS");
    char* end = nullptr;
    const double v = env != nullptr ? std::strtod(env, &end) : -1;
    return env != nullptr && end != env && *end == '\0' && v >= 0 ? v : kGemmThreadedFlops;
  }();
  return flops;
}

void gemm_row(float* c, const float* a, const float* b, std::size_t n, std::size_t k, bool trans_b, KernelPath path) {
  gemm_row(c, a, b, n, k, trans_b, kernel_set(path));
}

void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
          bool trans_b, double alpha, double beta) {
  gemm(c, a, b, m, n, k, trans_a, trans_b, alpha, beta, GemmContext{initial_kernel_path(), nullptr});
}

void gemm_reference(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k, bool trans_a,
                    bool trans_b, double alpha, double beta) {
  for (std::size_t i = 0; i < m; i++) {
    for (std::size_t j = 0; j < n; j++) {
      double s = 0;
      for (std::size_t p = 0; p < k; p++) {
        const double aip = trans_a ? a[p * m + i] : a[i * k + p];
        const double bpj = trans_b ? b[j * k + p] : b[p * n + j];
        s += aip * bpj;
      }
      c[i * n + j] = gemm_store(c[i * n + j], s, alpha, beta);
    }
  }
}

}  // namespace fastnn
