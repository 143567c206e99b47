#include "householder.h"

#include <algorithm>
#include <vector>

namespace fastnn {

namespace {

// Trailing matrices of at least this many elements share a step over the
// pool: below it a step is a few microseconds, about what a pool job costs.
constexpr std::size_t kParallelElements = std::size_t{1} << 15;

// x (t) becomes the reflector v with v[0] = 1 and H·x = (*beta, 0, …, 0),
// H = I − tau·v·vᵀ (LAPACK's dlarfg, without its rescaling: the entries
// come from float32 data, whose squares cannot overflow or underflow a
// double). Returns tau, 0 when x[1..] is already zero (then x is left).
double make_reflector(double* x, std::size_t t, double* beta) {
  double tail = 0;
  for (std::size_t j = 1; j < t; j++) tail = tail + x[j] * x[j];
  const double alpha = x[0];
  if (tail == 0) {
    *beta = alpha;
    return 0;
  }
  const double norm = stable_hypot(alpha, std::sqrt(tail));
  const double b = alpha >= 0 ? -norm : norm;  // the sign that avoids cancellation in alpha − b
  const double scale = 1 / (alpha - b);
  for (std::size_t j = 1; j < t; j++) x[j] = x[j] * scale;
  x[0] = 1;
  *beta = b;
  return (b - alpha) / b;
}

}  // namespace

bool tridiagonalise(double* a, std::size_t m, double* diag, double* off, double* tau, const EigenKernels& ek,
                    ThreadPool* pool, const ProgressFn& progress, const StopFn& stop) {
  std::fill(off, off + m, 0.0);
  std::fill(tau, tau + m, 0.0);
  // p, then w = p + K·v, of this step and of the previous one (whose update is still pending).
  std::vector<double> buffers[2] = {std::vector<double>(m), std::vector<double>(m)};
  const double* v_prev = nullptr;  // the pending update's v and w, over coordinates s..m−1; null: none
  const double* w_prev = nullptr;
  const std::size_t steps = m > 2 ? m - 2 : 0;
  for (std::size_t s = 0; s < steps; s++) {
    if (stop()) return false;
    const std::size_t t = m - s - 1;
    double* row = a + s * m;
    if (v_prev) ek.rank2(row + s, v_prev[0], w_prev, w_prev[0], v_prev, t + 1);
    diag[s] = row[s];
    double* v = row + s + 1;
    const double ts = tau[s] = make_reflector(v, t, &off[s]);
    double* p = buffers[s % 2].data();
    std::fill(p, p + t, 0.0);
    // Rows s+1..m−1, columns s+1..m−1: the pending update, then p += v_i·row (= A·v, A symmetric).
    // Their column s is never read again, so it is left stale.
    const std::size_t parts = pool && t * t >= kParallelElements ? pool->size() : 1;
    auto part = [&](std::size_t q) {
      const std::size_t j0 = part_begin(t, q, parts), len = part_begin(t, q + 1, parts) - j0;
      for (std::size_t i = 0; i < t; i++) {
        double* ri = a + (s + 1 + i) * m + s + 1 + j0;
        if (v_prev && ts != 0)
          ek.rank2_axpy(ri, v_prev[i + 1], w_prev + 1 + j0, w_prev[i + 1], v_prev + 1 + j0, p + j0, v[i], len);
        else if (v_prev) ek.rank2(ri, v_prev[i + 1], w_prev + 1 + j0, w_prev[i + 1], v_prev + 1 + j0, len);
        else ek.axpy(p + j0, v[i], ri, len);
      }
    };
    if (v_prev || ts != 0) {
      if (parts == 1) part(0);
      else pool->run(parts, part);
    }
    if (ts != 0) {
      // w = tau·A·v − ½·tau²·(vᵀA·v)·v, so that H·A·H = A − v·wᵀ − w·vᵀ.
      double dot = 0;
      for (std::size_t j = 0; j < t; j++) {
        p[j] = ts * p[j];
        dot = dot + p[j] * v[j];
      }
      const double k = -0.5 * ts * dot;
      for (std::size_t j = 0; j < t; j++) p[j] = p[j] + k * v[j];
      v_prev = v;
      w_prev = p;
    } else {
      v_prev = w_prev = nullptr;
    }
    progress(s + 1, steps);
  }
  if (m >= 2) {
    // The last 2 × 2 block: its pending update, then T's last entries.
    const std::size_t s = m - 2;
    if (v_prev) {
      ek.rank2(a + s * m + s, v_prev[0], w_prev, w_prev[0], v_prev, 2);
      ek.rank2(a + (s + 1) * m + s, v_prev[1], w_prev, w_prev[1], v_prev, 2);
    }
    diag[s] = a[s * m + s];
    diag[s + 1] = a[(s + 1) * m + s + 1];
    off[s] = a[(s + 1) * m + s];
  } else if (m == 1) {
    diag[0] = a[0];
  }
  return true;
}

void apply_reflectors(double* y, const double* a, const double* tau, std::size_t m, const EigenKernels& ek) {
  // Q·y = H_0·(H_1·(…·(H_{m−3}·y))): the last reflector first.
  for (std::size_t s = m > 2 ? m - 2 : 0; s-- > 0;) {
    if (tau[s] == 0) continue;
    const std::size_t t = m - s - 1;
    const double* v = a + s * m + s + 1;
    double* ys = y + s + 1;
    double dot = 0;
    for (std::size_t j = 0; j < t; j++) dot = dot + v[j] * ys[j];
    ek.axpy(ys, -(tau[s] * dot), v, t);
  }
}

}  // namespace fastnn
