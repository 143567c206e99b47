#include "gemm.h"

#include <algorithm>

namespace fastnn {

namespace {

// c = alpha·acc + beta·c for one element; beta == 0 never reads c.
inline float store(float c, double acc, double alpha, double beta) {
  return static_cast<float>(beta == 0 ? alpha * acc : alpha * acc + beta * static_cast<double>(c));
}

// Columns of c accumulated at a time in the axpy loops: a float64 tile on the
// stack (2 KiB) instead of a heap row, so gemm never allocates.
constexpr std::size_t kTile = 256;

}  // namespace

void gemm(float* c, const float* a, const float* b, std::size_t m, std::size_t n, std::size_t k,
          bool trans_a, bool trans_b, double alpha, double beta) {
  // The single switch point for a faster kernel (runtime CPU dispatch goes here).
  gemm_portable(c, a, b, m, n, k, trans_a, trans_b, alpha, beta);
}

void gemm_reference(float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                    std::size_t k, bool trans_a, bool trans_b, double alpha, double beta) {
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

void gemm_portable(float* c, const float* a, const float* b, std::size_t m, std::size_t n,
                   std::size_t k, bool trans_a, bool trans_b, double alpha, double beta) {
  if (!trans_b) {
    // NN, TN: row i of c = Σ_p op(a)[i,p]·b[p,:], an axpy over a contiguous row of b.
    // a[i,p] sits at i·k + p (NN) or p·m + i (TN).
    const std::size_t a_row = trans_a ? 1 : k;
    const std::size_t a_col = trans_a ? m : 1;
    double acc[kTile];
    for (std::size_t i = 0; i < m; i++) {
      float* ci = c + i * n;
      for (std::size_t j0 = 0; j0 < n; j0 += kTile) {
        const std::size_t w = std::min(kTile, n - j0);
        std::fill(acc, acc + w, 0.0);
        for (std::size_t p = 0; p < k; p++) {
          // No skip when a[i,p] is 0: 0·NaN in b must still give NaN.
          const double aip = a[i * a_row + p * a_col];
          const float* bp = b + p * n + j0;
          for (std::size_t j = 0; j < w; j++) acc[j] += aip * static_cast<double>(bp[j]);
        }
        for (std::size_t j = 0; j < w; j++) ci[j0 + j] = store(ci[j0 + j], acc[j], alpha, beta);
      }
    }
  } else {
    // NT, TT: c[i,j] is a dot product with row j of b, contiguous in p. Four
    // partial sums break the dependency chain of one long float64 sum.
    for (std::size_t i = 0; i < m; i++) {
      float* ci = c + i * n;
      for (std::size_t j = 0; j < n; j++) {
        const float* bj = b + j * k;
        double s;
        if (!trans_a) {
          const float* ai = a + i * k;
          double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          std::size_t p = 0;
          for (; p + 4 <= k; p += 4) {
            s0 += static_cast<double>(ai[p]) * bj[p];
            s1 += static_cast<double>(ai[p + 1]) * bj[p + 1];
            s2 += static_cast<double>(ai[p + 2]) * bj[p + 2];
            s3 += static_cast<double>(ai[p + 3]) * bj[p + 3];
          }
          for (; p < k; p++) s0 += static_cast<double>(ai[p]) * bj[p];
          s = (s0 + s1) + (s2 + s3);
        } else {
          // TT is not used by backprop; the strided walk down column i of a is acceptable.
          s = 0;
          for (std::size_t p = 0; p < k; p++) s += static_cast<double>(a[p * m + i]) * bj[p];
        }
        ci[j] = store(ci[j], s, alpha, beta);
      }
    }
  }
}

}  // namespace fastnn
