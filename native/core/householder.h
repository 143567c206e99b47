// Householder reduction of a symmetric matrix to tridiagonal form,
// T = Qᵀ·A·Q with Q = H_0·H_1·…·H_{m−3}, and Q applied to vectors: the first
// and last steps of symmetric_eigen.h. Float64 throughout; the loops over
// the trailing matrix run on the ISA's kernels (isa_eigen.inc), cut by
// columns over the pool, so every element is computed by the same
// operations in the same order whatever the thread count.
#pragma once

#include <cmath>
#include <cstddef>

#include "isa.h"
#include "progress.h"
#include "thread_pool.h"

namespace fastnn {

// √(a² + b²) without overflow or underflow of the squares. Written out, not
// std::hypot, whose last bit differs between C libraries: the TS twin
// (householder.ts) computes the same expression.
inline double stable_hypot(double a, double b) {
  const double x = std::fabs(a), y = std::fabs(b);
  if (x > y) {
    const double r = y / x;
    return x * std::sqrt(1 + r * r);
  }
  if (y == 0) return 0;
  const double r = x / y;
  return y * std::sqrt(1 + r * r);
}

// a (m, m), symmetric with both triangles stored, is reduced in place: on
// return row s holds reflector v_s in its columns s+1..m−1 (v_s[0] = 1),
// H_s = I − tau[s]·v_s·v_sᵀ acting on coordinates s+1..m−1 (tau[s] = 0: no
// reflection). diag (m) and off (m) receive T's diagonal and subdiagonal
// (off[s] = T[s+1][s], off[m−1] = 0). Each step applies the previous step's
// rank-2 update and forms the next product A·v in one pass over the
// trailing rows (one read and write of the matrix per step, not three).
// progress(s + 1, m − 2) after step s; false when stop() says so.
bool tridiagonalise(double* a, std::size_t m, double* diag, double* off, double* tau, const EigenKernels& ek,
                    ThreadPool* pool, const ProgressFn& progress, const StopFn& stop);

// y (m) ← Q·y, with the reflectors tridiagonalise() left in a and tau: an
// eigenvector of T becomes one of A.
void apply_reflectors(double* y, const double* a, const double* tau, std::size_t m, const EigenKernels& ek);

}  // namespace fastnn
