#include "gemm.h"

#include <algorithm>
#include <cstdlib>

#include "gemm_pack.h"
#include "out_of_memory.h"

namespace fastnn {

namespace {

// c = alpha·acc + beta·c for one element; beta == 0 never reads c.
inline float store(float c, double acc, double alpha, double beta) {
  return static_cast<float>(beta == 0 ? alpha * acc : alpha * acc + beta * static_cast<double>(c));
}

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

thread_local Scratch a_scratch;
thread_local Scratch b_scratch;

// Largest mr·nr of any micro-kernel (avx512: 8×32).
constexpr std::size_t kMaxTile = 256;

// One tile of c at row stride ldc; rows ≤ mr and cols ≤ nr are the valid part.
// A partial tile runs the same micro-kernel on a copy, so it rounds exactly
// like a full one and no scalar loop does the arithmetic.
void tile(const MicroKernel& uk, float* c, std::size_t ldc, const float* a, const float* b, std::size_t kc,
          std::size_t rows, std::size_t cols, float alpha, float beta) {
  if (rows == uk.mr && cols == uk.nr) {
    uk.run(c, a, b, kc, ldc, alpha, beta);
    return;
  }
  alignas(64) float buf[kMaxTile] = {};
  if (beta != 0) {
    for (std::size_t r = 0; r < rows; r++) std::copy(c + r * ldc, c + r * ldc + cols, buf + r * uk.nr);
  }
  uk.run(buf, a, b, kc, uk.nr, alpha, beta);
  for (std::size_t r = 0; r < rows; r++) std::copy(buf + r * uk.nr, buf + r * uk.nr + cols, c + r * ldc);
}

// Rows [i0,i1) × columns [j0,j1) of c, on the calling thread: the BLIS loop
// nest. The k blocks start at multiples of kc from 0 whatever the part, so an
// element's summation order does not depend on how c was partitioned.
void gemm_part(const MicroKernel& uk, float* c, const float* a, const float* b, std::size_t m, std::size_t n,
               std::size_t k, bool trans_a, bool trans_b, float alpha, float beta, std::size_t i0, std::size_t i1,
               std::size_t j0, std::size_t j1) {
  const std::size_t kc_max = std::min(uk.kc, k);
  float* ap = a_scratch.get(round_up(std::min(uk.mc, i1 - i0), uk.mr) * kc_max);
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
        pack_a(ap, a, trans_a, m, k, ic, mc, pc, kc, uk.mr);
        for (std::size_t jr = 0; jr < nc; jr += uk.nr) {
          for (std::size_t ir = 0; ir < mc; ir += uk.mr) {
            tile(uk, c + (ic + ir) * n + jc + jr, n, ap + ir * kc, bp + jr * kc, kc, std::min(uk.mr, mc - ir),
                 std::min(uk.nr, nc - jr), alpha, beta_p);
          }
        }
      }
    }
  }
}

// Splits c into tm × tn parts (tm·tn ≤ threads) on tile boundaries, choosing
// the most square parts: each part packs its own rows of a and columns of b,
// so square parts repack the least.
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

// Σ a[p]·b[p] over k in float64, four independent sums to keep the FPU busy.
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

// One row of c (m == 1, k > 0) on the calling thread; op(a) is one
// contiguous row whatever trans_a says.
void one_row(const KernelSet& ks, float* c, const float* a, const float* b, std::size_t n, std::size_t k, bool trans_b,
             double alpha, double beta) {
  if (n == 1) {
    // A 1×1 result is a dot product: both operands are contiguous whatever
    // the transposes, packing would be pure overhead, and summing in float64
    // keeps a dot of 10⁶ terms within 1e-6 of exact (the blocked path adds
    // its k-block partials in float32).
    c[0] = store(c[0], dot_f64(a, b, k), alpha, beta);
  } else if (trans_b) {
    ks.direct.gemv_t(c, a, b, n, k, static_cast<float>(alpha), static_cast<float>(beta));
  } else {
    ks.direct.gemv_n(c, a, b, n, k, static_cast<float>(alpha), static_cast<float>(beta), ks.gemm.kc);
  }
}

// The products that stay on the calling thread: c whole, then the epilogue over all of it.
void gemm_serial(const KernelSet& ks, float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                 std::size_t k, bool trans_a, bool trans_b, double alpha, double beta, const GemmEpilogue& then) {
  const MicroKernel& uk = ks.gemm;
  const float falpha = static_cast<float>(alpha), fbeta = static_cast<float>(beta);
  if (k == 0) {
    for (std::size_t i = 0; i < m * n; i++) c[i] = store(c[i], 0, alpha, beta);
  } else if (m == 1) {
    one_row(ks, c, a, b, n, k, trans_b, alpha, beta);
  } else if (m * n * k <= kGemmDirectMnk) {
    ks.direct.gemm(c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, uk.kc);
  } else {
    gemm_part(uk, c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, 0, m, 0, n);
  }
  if (then) then(0, m, 0, n);
}

}  // namespace

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
  const std::size_t tiles_m = (m + uk.mr - 1) / uk.mr, tiles_n = (n + uk.nr - 1) / uk.nr;
  std::size_t tm = 1, tn = 1;
  if (m > 1 && m * n * k > kGemmDirectMnk && ctx.pool != nullptr && ctx.pool->size() > 1 &&
      flops >= ctx.threaded_flops) {
    split(ctx.pool->size(), tiles_m, tiles_n, &tm, &tn);
  }
  if (tm * tn == 1) {
    gemm_serial(ks, c, a, b, m, n, k, trans_a, trans_b, alpha, beta, then);
    return;
  }
  const float falpha = static_cast<float>(alpha), fbeta = static_cast<float>(beta);
  ctx.pool->run(tm * tn, [&](std::size_t t) {
    const std::size_t pi = t / tn, pj = t % tn;
    const std::size_t i0 = std::min(m, tiles_m * pi / tm * uk.mr), i1 = std::min(m, tiles_m * (pi + 1) / tm * uk.mr);
    const std::size_t j0 = std::min(n, tiles_n * pj / tn * uk.nr), j1 = std::min(n, tiles_n * (pj + 1) / tn * uk.nr);
    gemm_part(uk, c, a, b, m, n, k, trans_a, trans_b, falpha, fbeta, i0, i1, j0, j1);
    if (then) then(i0, i1, j0, j1);
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

void gemm_row(float* c, const float* a, const float* b, std::size_t n, std::size_t k, bool trans_b,
              const KernelSet& ks) {
  if (n == 0) return;
  if (k == 0) {
    std::fill_n(c, n, 0.0f);
    return;
  }
  one_row(ks, c, a, b, n, k, trans_b, 1, 0);
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
      c[i * n + j] = store(c[i * n + j], s, alpha, beta);
    }
  }
}

}  // namespace fastnn
