#include "symmetric_eigen.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "householder.h"
#include "tridiagonal_ql.h"

namespace fastnn {

// Only NaN and ±∞ fail, so their JS names are all the formatting needed.
NonFiniteEntry::NonFiniteEntry(std::size_t row, std::size_t col, double value)
    : std::domain_error(std::string("symmetricEigen: a contains ") +
                        (std::isnan(value) ? "NaN"
                         : value > 0       ? "Infinity"
                                           : "-Infinity") +
                        " at row " + std::to_string(row) + ", column " + std::to_string(col)) {}

namespace {

// Back-transformations of at least this many flops share the pool.
constexpr double kParallelFlops = 1 << 17;

// a's lower triangle as a full symmetric float64 matrix.
std::vector<double> symmetric_copy(const float* a, std::size_t m) {
  std::vector<double> full(m * m);
  for (std::size_t i = 0; i < m; i++) {
    for (std::size_t j = 0; j <= i; j++) {
      const double v = a[i * m + j];
      if (!std::isfinite(v)) throw NonFiniteEntry(i, j, v);
      full[i * m + j] = full[j * m + i] = v;
    }
  }
  return full;
}

// out (m) ← y as float32, negated if its largest-magnitude entry is negative.
void signed_copy(float* out, const double* y, std::size_t m) {
  std::size_t big = 0;
  for (std::size_t j = 1; j < m; j++) {
    if (std::fabs(y[j]) > std::fabs(y[big])) big = j;
  }
  const double sign = m > 0 && y[big] < 0 ? -1.0 : 1.0;
  for (std::size_t j = 0; j < m; j++) out[j] = static_cast<float>(sign * y[j]);
}

}  // namespace

bool symmetric_eigen(double* values, float* vectors, const float* a, std::size_t m, std::size_t k,
                     const GemmContext& ctx, const ProgressFn& progress, const StopFn& stop) {
  if (k == 0) return true;
  const EigenKernels& ek = kernel_set(ctx.path).eigen;
  std::vector<double> full = symmetric_copy(a, m);
  std::vector<double> diag(m), off(m), tau(m);
  const std::size_t steps = m > 2 ? m - 2 : 0;
  const std::size_t total = steps + m + k;
  if (!tridiagonalise(
          full.data(), m, diag.data(), off.data(), tau.data(), ek, ctx.pool,
          [&](std::size_t done, std::size_t) { progress(done, total); }, stop)) {
    return false;
  }
  std::vector<double> z(m * m, 0.0);
  for (std::size_t i = 0; i < m; i++) z[i * m + i] = 1;
  if (!tridiagonal_ql(
          diag.data(), off.data(), z.data(), m, ek, ctx.pool,
          [&](std::size_t done, std::size_t) { progress(steps + done, total); }, stop)) {
    return false;
  }
  // Largest first; equal eigenvalues keep QL's order, so the choice is the same on every run.
  std::vector<std::uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t x, std::uint32_t y) { return diag[x] > diag[y] || (diag[x] == diag[y] && x < y); });
  // Each wanted row of z goes back through the reflectors in place (the rows are distinct), one vector per task.
  const bool shared =
      ctx.pool && 2.0 * static_cast<double>(m) * static_cast<double>(m) * static_cast<double>(k) >= kParallelFlops;
  std::atomic<bool> stopped{false};
  auto vector = [&](std::size_t c) {
    if (stop()) {
      stopped.store(true, std::memory_order_relaxed);
      return;
    }
    double* y = z.data() + static_cast<std::size_t>(order[c]) * m;
    apply_reflectors(y, full.data(), tau.data(), m, ek);
    signed_copy(vectors + c * m, y, m);
    values[c] = diag[order[c]];
  };
  if (shared) {
    ctx.pool->run(k, vector);
  } else {
    for (std::size_t c = 0; c < k; c++) vector(c);
  }
  if (stopped.load(std::memory_order_relaxed)) return false;
  progress(total, total);
  return true;
}

}  // namespace fastnn
